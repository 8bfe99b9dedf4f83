// compress_cli.hpp: chapter 8's compressor on real files, `ladder compress` and `ladder decompress`.
// A GPT-2 checkpoint (any file ch07's load_any_gpt2 reads) and its tokenizer turn a file's bytes
// into tokens, compressor.hpp codes the tokens with the model, and the file written names the
// checkpoint by the SHA-256 of its bytes. Decompressing runs the same model over the tokens as
// they are decoded, detokenizes them and checks the text's length and checksum.
//
// Any bytes compress, not only text: the tokenizer is byte-level BPE, whose every byte is a token
// and which cuts invalid UTF-8 into single bytes, so decode(encode(x)) == x for every file. The
// compressor still checks that round trip before coding anything, so a tokenizer that broke it
// would be named rather than produce a file that decompresses to something else.
//
// Determinism: the decoder must compute, bit for bit, the frequencies the encoder coded with.
// What guarantees it: the same program binary (the same kernels, the same libm), the cpu backend
// (its reductions run in a fixed order; a GPU's need not), and OpenBLAS fixed to one thread (a
// threaded sgemm may split a dot product differently between calls with other thread counts), all
// on the same checkpoint, which the header's model hash pins. Both sides make the same model calls
// in the same order (compressor.cpp). Past GPT-2's context window its KV cache slides: each
// token after the window is full refills the cache from the last T tokens (chapters/ch07_gpt/
// gpt2.cpp's feed), which both sides do identically, so long files stay deterministic too; it
// costs a T-token pass per token from then on, which is why long files are slow.
// What is not guaranteed: the same file on another build of the program (other compiler flags
// can contract a multiply-add differently), another OpenBLAS, another CPU or another
// OPENBLAS_CORETYPE (OpenBLAS picks its sgemm kernels per CPU, and AVX-512 and AVX2 kernels sum
// in different orders), or another libm (exp may round differently in the last bit). A file
// made on one machine often decompresses on another, but nothing promises it. What is
// guaranteed is that it never decodes silently to other bytes: the header's numerics
// fingerprint (the frequencies on a probe sequence) refuses most such machines up front, and
// the token checksum, the byte count and the text checksum catch any difference left.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "chapters/ch04_tokenization/tokenizer.hpp"
#include "chapters/ch08_pretraining/compressor.hpp"
#include "core/backend.hpp"
#include "core/nn/train.hpp"

namespace ladder::ch08 {

// The SHA-256 of a file's bytes (OpenSSL's EVP interface, read in 1 MiB pieces: a 500 MB
// checkpoint is never held in memory twice). Throws a ladder::Error naming the file when it cannot
// be read. What a compressed file names its checkpoint by.
ModelHash checkpoint_sha256(const std::filesystem::path& path);

// [book:compress-text]
// The tokens of `text` and the compressed file coding them with `model`, whose checkpoint is
// `hash`, and what the tokens should cost under the model (ideal_bits, from the coding pass
// itself). Throws a ladder::Error when the tokenizer's vocabulary is not the model's or when
// decoding the tokens does not give `text` back.
struct CompressedText {
    std::vector<std::int32_t> tokens;
    std::vector<std::uint8_t> file;
    IdealBits ideal;
};
CompressedText compress_text(LanguageModel& model, const Backend& be, const tok::BpeTokenizer& tokenizer,
                             std::string_view text, const ModelHash& hash);

// The text a compressed file holds: its tokens decoded with `model` (refused when the file names
// another checkpoint than `hash`), detokenized and checked against the file's byte count and
// checksum (verify_text).
std::string decompress_text(LanguageModel& model, const Backend& be, const tok::BpeTokenizer& tokenizer,
                            std::span<const std::uint8_t> file, const ModelHash& hash);
// [/book]

// For the chapter's table: one text compressed and decompressed in memory on the cpu backend with
// OpenBLAS at one thread (restored afterwards), timed, with what the model says it should cost.
struct CompressReport {
    std::size_t bytes_in = 0;      // the text
    std::size_t tokens = 0;
    std::size_t bytes_out = 0;     // the whole file, header included
    IdealBits ideal;               // exact and quantised ideal bits of the tokens (compressor.hpp)
    double compress_seconds = 0;   // tokenizing and coding (the fingerprint included)
    double decompress_seconds = 0; // decoding, detokenizing and verifying
    bool round_trip = false;       // the decompressed bytes are exactly the text's

    double bits_per_byte() const;           // 8 * bytes_out / bytes_in (0 for an empty text)
    double payload_bits_per_byte() const;   // the same without the 104-byte header
    double ideal_bits_per_byte() const;     // ideal.exact / bytes_in: the model's cross-entropy
    // How much the whole file (header included) exceeds ideal.exact, in % (0 for no tokens): the
    // header's fixed 832 bits dominate a short text, the coder and the quantisation a long one.
    double overhead_percent() const;
};
// `model` must live on the cpu device (a ladder::Error otherwise).
CompressReport compress_report(LanguageModel& model, const tok::BpeTokenizer& tokenizer, std::string_view text,
                               const ModelHash& hash);

// ---- the two commands ----
// checkpoint: a GPT-2 file (our training checkpoint, Hugging Face's model.safetensors or llm.c's
// .bin); tokenizer: a folder with encoder.json + vocab.bpe ("": the tokenizer/ folder beside the
// checkpoint, ch07's find_gpt2_tokenizer); input and output: the files read and written.
struct CompressOptions {
    std::string checkpoint, tokenizer, input, output;
};

// compress: input (any bytes) -> output (the LDRCOMPR file), written atomically, and one line on
// stdout: bytes, tokens, output bytes, bits per byte, the model's ideal bits per byte and the
// overhead. Throws a ladder::Error on failure (nothing is written then); returns 0.
int run_compress(const CompressOptions& o);
// decompress: input (a file run_compress wrote with this checkpoint) -> output, the exact bytes
// that were compressed, written atomically after they passed verify_text. Throws on failure.
int run_decompress(const CompressOptions& o);

// Adds `compress` and `decompress` (each: --checkpoint F [--tokenizer DIR] IN OUT) to a program's
// CLI. Chapter 8's main does, with `app` its CLI::App:
//   ch08::CompressCommands compress(app);                             // before parse_args
//   if (auto code = parse_args(app, argc, argv)) return *code;
//   if (auto code = compress.run_if_parsed()) return *code;          // ran one of the two
//   return guarded_main([&] { return ch08::run(o); });               // the chapter itself
// The object holds the options CLI11 writes into, so it must outlive the parse (it cannot be
// copied or moved). run_if_parsed runs the parsed command through guarded_main (errors become
// "error: ..." and exit code 1) and returns its exit code, or nothing when neither was given.
class CompressCommands {
public:
    explicit CompressCommands(CLI::App& app);
    CompressCommands(const CompressCommands&) = delete;
    CompressCommands& operator=(const CompressCommands&) = delete;
    std::optional<int> run_if_parsed() const;

private:
    CompressOptions compress_, decompress_;
    CLI::App* compress_cmd_ = nullptr;
    CLI::App* decompress_cmd_ = nullptr;
};

}  // namespace ladder::ch08
