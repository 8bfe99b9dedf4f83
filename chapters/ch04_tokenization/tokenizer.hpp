// tokenizer.hpp: text -> token ids -> text. One interface, four tokenizers (Unicode
// characters, words, raw bytes, byte-level BPE), GPT-2's files, and BPE training.
// Introduced in ch04; chapters 5 and later use BpeTokenizer as their default tokenizer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ladder::tok {

using TokenId = std::int32_t;

// ---- the interface ----
// [book:tokenizer-interface]
// A vocabulary is a fixed list of tokens; id i stands for the bytes token_bytes(i).
class Tokenizer {
public:
    virtual ~Tokenizer() = default;
    virtual std::string name() const = 0;                        // "bytes", "bpe (8000)"
    virtual std::vector<TokenId> encode(std::string_view text) const = 0;
    // The concatenated bytes of the tokens; throws ladder::Error naming the position of
    // an id outside [0, vocab_size()).
    virtual std::string decode(std::span<const TokenId> ids) const = 0;
    virtual std::size_t vocab_size() const = 0;
    virtual std::string token_bytes(TokenId id) const = 0;      // throws when out of range
    virtual std::optional<TokenId> token_id(std::string_view bytes) const = 0;
    // Whether decode(encode(x)) == x for every input (bytes and BPE: yes; words: no).
    virtual bool lossless() const = 0;
};
// [/book]

// "<unk>": the id the character and word tokenizers give to what they never saw.
inline constexpr std::string_view kUnknown = "<unk>";
// GPT-2's one special token: a document separator, never produced from plain text.
inline constexpr std::string_view kEndOfText = "<|endoftext|>";

// ---- three simple tokenizers (simple_tokenizers.cpp) ----

// One token per byte: ids 0..255 are the byte values. Never unknown, never lossy; a
// character of Korean costs 3 tokens.
class ByteTokenizer final : public Tokenizer {
public:
    std::string name() const override { return "bytes"; }
    std::vector<TokenId> encode(std::string_view text) const override;
    std::string decode(std::span<const TokenId> ids) const override;
    std::size_t vocab_size() const override { return 256; }
    std::string token_bytes(TokenId id) const override;
    std::optional<TokenId> token_id(std::string_view bytes) const override;
    bool lossless() const override { return true; }
};

// One token per Unicode code point seen in the training text (id 0 is <unk>). Text is
// decoded with core/text; an invalid byte or an unseen character becomes <unk>.
class CharTokenizer final : public Tokenizer {
public:
    explicit CharTokenizer(std::string_view corpus);
    std::string name() const override { return "characters"; }
    std::vector<TokenId> encode(std::string_view text) const override;
    std::string decode(std::span<const TokenId> ids) const override;
    std::size_t vocab_size() const override { return tokens_.size(); }
    std::string token_bytes(TokenId id) const override;
    std::optional<TokenId> token_id(std::string_view bytes) const override;
    bool lossless() const override { return false; }

private:
    std::vector<std::string> tokens_;
    std::unordered_map<char32_t, TokenId> ids_;
};

// One token per word of core/text's split_words (case-folded; punctuation and spaces
// dropped), the `max_words` most frequent words of the corpus (id 0 is <unk>). Decoding
// joins words with spaces: the original text is lost.
class WordTokenizer final : public Tokenizer {
public:
    WordTokenizer(std::string_view corpus, std::size_t max_words);
    std::string name() const override { return "words"; }
    std::vector<TokenId> encode(std::string_view text) const override;
    std::string decode(std::span<const TokenId> ids) const override;
    std::size_t vocab_size() const override { return tokens_.size(); }
    std::string token_bytes(TokenId id) const override;
    std::optional<TokenId> token_id(std::string_view bytes) const override;
    bool lossless() const override { return false; }
    // Of the corpus's words (with repeats), the share that is in the vocabulary.
    double coverage() const { return coverage_; }

private:
    std::vector<std::string> tokens_;
    std::unordered_map<std::string, TokenId> ids_;
    double coverage_ = 0;
};

// ---- byte-level BPE (bpe_encode.cpp, gpt2_files.cpp) ----

// One merge rule: the adjacent tokens (left, right) become `result`.
struct Merge {
    TokenId left = 0, right = 0, result = 0;
};

struct EncodeOptions {
    // Recognise special tokens ("<|endoftext|>") in the text. Off: they are plain text,
    // so a user's input can never smuggle a document separator into the ids.
    bool allow_special = false;
    // Threads for large inputs (0: one per core). The ids are identical for any count.
    unsigned threads = 1;
    // Start every thread's pre-token cache empty (for benchmarks: a fair first encode).
    bool fresh_cache = false;
};

class BpeTokenizer final : public Tokenizer {
public:
    // tokens[i]: the bytes of id i. The first 256 ids need not be the byte values (GPT-2
    // orders them by its byte-to-unicode table) but every byte must be a token. merges in
    // rank order: merge r has priority r (lower merges first). specials: ids of special
    // tokens. Throws ladder::Error on an inconsistent vocabulary.
    BpeTokenizer(std::vector<std::string> tokens, std::vector<Merge> merges, std::vector<TokenId> specials);
    ~BpeTokenizer() override;
    BpeTokenizer(BpeTokenizer&&) noexcept;
    BpeTokenizer& operator=(BpeTokenizer&&) noexcept;

    // Loads GPT-2's files: `dir` holds encoder.json + vocab.bpe (OpenAI's names) or
    // vocab.json + merges.txt (Hugging Face's names for the same bytes).
    static BpeTokenizer load_gpt2(const std::filesystem::path& dir);
    static BpeTokenizer load_gpt2(const std::filesystem::path& encoder_json, const std::filesystem::path& vocab_bpe);
    // From the two files' contents; `where` names them in error messages.
    static BpeTokenizer from_gpt2_text(std::string_view encoder_json, std::string_view vocab_bpe,
                                       std::string_view encoder_name = "encoder.json",
                                       std::string_view merges_name = "vocab.bpe");
    // Writes encoder.json + vocab.bpe into `dir` (atomically), in GPT-2's format.
    void save(const std::filesystem::path& dir) const;
    std::string encoder_json() const;
    std::string vocab_bpe() const;

    std::string name() const override;
    std::vector<TokenId> encode(std::string_view text) const override { return encode(text, EncodeOptions{}); }
    std::vector<TokenId> encode(std::string_view text, const EncodeOptions& opts) const;
    std::string decode(std::span<const TokenId> ids) const override;
    std::size_t vocab_size() const override;
    std::string token_bytes(TokenId id) const override;
    std::optional<TokenId> token_id(std::string_view bytes) const override;
    bool lossless() const override { return true; }

    const std::vector<Merge>& merges() const;
    std::optional<TokenId> special_id(std::string_view text) const;   // "<|endoftext|>" -> 50256
    TokenId byte_id(unsigned char b) const;                              // the token of one byte
    // The BPE of one pre-token's bytes (no cache): what encode does to each piece.
    std::vector<TokenId> encode_piece(std::string_view piece) const;

    struct Impl;                                   // bpe_internal.hpp: for the library's own files
    const Impl& impl() const { return *impl_; }

private:
    std::unique_ptr<Impl> impl_;
};

// ---- training (bpe_train.cpp) ----
struct TrainOptions {
    std::size_t vocab_size = 8000;   // bytes + merges + special tokens
    std::vector<std::string> special_tokens{std::string(kEndOfText)};
    std::int64_t min_count = 2;      // stop when no pair occurs this often
    bool progress = false;           // a Progress line (merges/s, ETA)
};

struct TrainResult {
    std::vector<std::string> tokens;   // id -> bytes
    std::vector<Merge> merges;         // in the order learned
    std::vector<TokenId> specials;
    std::vector<std::int64_t> merge_counts;   // how often each merged pair occurred
    double seconds = 0;
    bool stopped_early = false;        // no pair reached min_count before vocab_size
    BpeTokenizer tokenizer() const { return BpeTokenizer(tokens, merges, specials); }
};

// Byte-level BPE as GPT-2: the corpus is cut into pre-tokens (pretokenize.hpp), merges
// never cross a pre-token. Each step merges the most frequent adjacent pair; ties go to
// the pair with the smaller left id, then the smaller right id. Base ids are GPT-2's
// byte order. Both versions give the same merges; the naive one recounts every pair at
// every step, the incremental one updates only the words that hold the merged pair.
TrainResult train_bpe_naive(std::string_view corpus, const TrainOptions& opts);
TrainResult train_bpe(std::string_view corpus, const TrainOptions& opts);

}  // namespace ladder::tok
