// compress_cli.cpp: `compress` and `decompress` on files, the in-memory round trip of the
// chapter's table, and the checkpoint's SHA-256 (compress_cli.hpp). Everything here is plumbing
// around compressor.hpp: read the bytes, tokenize, check, code, write; the coding itself and
// every check of the container live there.
#include "chapters/ch08_pretraining/compress_cli.hpp"

#include <fstream>
#include <memory>

#include <openssl/evp.h>

#include "chapters/ch07_gpt/gpt2_load.hpp"
#include "core/blas_info.hpp"
#include "core/cli.hpp"
#include "core/error.hpp"
#include "core/fileio.hpp"

namespace ladder::ch08 {

namespace {

namespace fs = std::filesystem;

std::span<const std::uint8_t> as_bytes(std::string_view s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

std::string as_string(std::span<const std::uint8_t> b) {
    return {reinterpret_cast<const char*>(b.data()), b.size()};
}

// OpenBLAS at one thread while it lives, the count before put back afterwards: a threaded sgemm
// need not sum in the same order as the run that made (or will read) the file.
class OneBlasThread {
public:
    OneBlasThread() : before_(blas_info().threads) { set_blas_threads(1); }
    ~OneBlasThread() {
        if (before_ > 0) set_blas_threads(static_cast<unsigned>(before_));
    }
    OneBlasThread(const OneBlasThread&) = delete;
    OneBlasThread& operator=(const OneBlasThread&) = delete;

private:
    int before_;
};

// The model's vocabulary from the length of its logits (the LanguageModel interface does not
// say it otherwise), against the tokenizer's: a tokenizer of another model would code the text
// losslessly but meaninglessly, or give ids the model has no row for.
void check_vocab(LanguageModel& model, const Backend& be, const tok::BpeTokenizer& tokenizer, const char* what) {
    model.start_generation(be);
    const std::size_t v = model.next_logits(be, 0).size();
    LADDER_CHECK(tokenizer.vocab_size() == v,
                 "{}: the tokenizer has {} tokens but the model's vocabulary is {}: it is another model's tokenizer "
                 "(pass the one saved beside the checkpoint with --tokenizer DIR)",
                 what, tokenizer.vocab_size(), v);
}

// The first byte where two strings differ (their common length when one is a prefix of the other).
std::size_t first_difference(std::string_view a, std::string_view b) {
    std::size_t i = 0;
    while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
    return i;
}

// A checkpoint with its tokenizer and hash, the model on the cpu backend.
struct Loaded {
    ch07::LoadedGpt2 gpt2;
    tok::BpeTokenizer tokenizer;
    ModelHash hash;
};

Loaded load(const CompressOptions& o, const char* what) {
    LADDER_CHECK(!o.checkpoint.empty(), "{}: no checkpoint (--checkpoint FILE)", what);
    ch07::LoadedGpt2 m = ch07::load_any_gpt2(o.checkpoint, 0, Device::cpu, what);
    tok::BpeTokenizer t = ch07::find_gpt2_tokenizer(o.checkpoint, o.tokenizer, what);
    LADDER_CHECK(t.vocab_size() == m.model->config().vocab,
                 "{}: the tokenizer has {} tokens but the model's vocabulary is {}: it is another model's tokenizer "
                 "(pass the one saved beside the checkpoint with --tokenizer DIR)",
                 what, t.vocab_size(), m.model->config().vocab);
    return {std::move(m), std::move(t), checkpoint_sha256(o.checkpoint)};
}

double per_byte(double bits, std::size_t bytes) { return bytes ? bits / static_cast<double>(bytes) : 0.0; }

}  // namespace

ModelHash checkpoint_sha256(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    LADDER_CHECK(in.is_open(), "cannot open the checkpoint {} to hash it", path.string());
    const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    LADDER_CHECK(ctx && EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) == 1,
                 "OpenSSL could not start a SHA-256 digest");
    std::vector<char> piece(std::size_t{1} << 20);
    while (in) {
        in.read(piece.data(), static_cast<std::streamsize>(piece.size()));
        const std::streamsize n = in.gcount();
        if (n > 0)
            LADDER_CHECK(EVP_DigestUpdate(ctx.get(), piece.data(), static_cast<std::size_t>(n)) == 1,
                         "OpenSSL's SHA-256 failed on {}", path.string());
    }
    LADDER_CHECK(in.eof() && !in.bad(), "cannot read the checkpoint {} to hash it", path.string());
    ModelHash hash{};
    unsigned int length = 0;
    LADDER_CHECK(EVP_DigestFinal_ex(ctx.get(), hash.data(), &length) == 1 && length == hash.size(),
                 "OpenSSL's SHA-256 of {} gave {} bytes, expected {}", path.string(), length, hash.size());
    return hash;
}

// [book:compress-text-impl]
CompressedText compress_text(LanguageModel& model, const Backend& be, const tok::BpeTokenizer& tokenizer,
                             std::string_view text, const ModelHash& hash) {
    check_vocab(model, be, tokenizer, "compress");
    CompressedText c;
    c.tokens = tokenizer.encode(text);
    // Byte-level BPE gives every byte string back; checked anyway, since a file that decompressed
    // to other bytes would be found out only by the text checksum, after all the decoding work.
    const std::string back = tokenizer.decode(c.tokens);
    if (back != text) {
        const std::size_t at = first_difference(back, text);
        LADDER_THROW("compress: the tokenizer does not give the input back: decode(encode(text)) differs from it "
                     "at byte {} of {} ({} bytes come back)",
                     at, text.size(), back.size());
    }
    c.file = compress_tokens(model, be, c.tokens, CompressHeader{hash, text.size(), fnv1a64(text)}, kFrequencyTotal,
                             &c.ideal);
    return c;
}

std::string decompress_text(LanguageModel& model, const Backend& be, const tok::BpeTokenizer& tokenizer,
                            std::span<const std::uint8_t> file, const ModelHash& hash) {
    const CompressedInfo info = read_compressed_header(file);
    const std::vector<std::int32_t> tokens = decompress_tokens(model, be, file, hash);
    LADDER_CHECK(tokenizer.vocab_size() == info.vocab,
                 "decompress: the tokenizer has {} tokens but the file was coded with a vocabulary of {}",
                 tokenizer.vocab_size(), info.vocab);
    std::string text = tokenizer.decode(tokens);
    verify_text(info, text);
    return text;
}
// [/book]

double CompressReport::bits_per_byte() const { return per_byte(8.0 * static_cast<double>(bytes_out), bytes_in); }

double CompressReport::payload_bits_per_byte() const {
    const std::size_t payload = bytes_out >= kCompressedHeaderBytes ? bytes_out - kCompressedHeaderBytes : 0;
    return per_byte(8.0 * static_cast<double>(payload), bytes_in);
}

double CompressReport::ideal_bits_per_byte() const { return per_byte(ideal.exact, bytes_in); }

double CompressReport::overhead_percent() const {
    return ideal.exact > 0 ? 100.0 * (8.0 * static_cast<double>(bytes_out) - ideal.exact) / ideal.exact : 0.0;
}

CompressReport compress_report(LanguageModel& model, const tok::BpeTokenizer& tokenizer, std::string_view text,
                               const ModelHash& hash) {
    LADDER_CHECK(model.params().device() == Device::cpu,
                 "compress_report: the model lives on {}; the compressor runs on the cpu backend (its sums have a "
                 "fixed order), so load or copy it there",
                 device_name(model.params().device()));
    const Backend be(Device::cpu);
    const OneBlasThread one;
    CompressReport r;
    r.bytes_in = text.size();
    Timer t;
    const CompressedText c = compress_text(model, be, tokenizer, text, hash);
    r.compress_seconds = t.seconds();
    r.tokens = c.tokens.size();
    r.bytes_out = c.file.size();
    r.ideal = c.ideal;
    t.reset();
    const std::string back = decompress_text(model, be, tokenizer, c.file, hash);
    r.decompress_seconds = t.seconds();
    r.round_trip = back == text;
    return r;
}

// [book:compress-command]
int run_compress(const CompressOptions& o) {
    const std::string text = read_file(o.input);
    Loaded l = load(o, "compress");
    const Backend be(Device::cpu);
    const OneBlasThread one;
    Timer t;
    const CompressedText c = compress_text(*l.gpt2.model, be, l.tokenizer, text, l.hash);
    const double seconds = t.seconds();
    const IdealBits& ideal = c.ideal;   // how close the file came to the model's cross-entropy
    write_file_atomic(o.output, as_string(c.file));
    const double file_bits = 8.0 * static_cast<double>(c.file.size());
    fmt::print("compress: {} bytes, {} tokens -> {} bytes ({} of them the header) in {:.2f} s: {:.3f} bits/byte; the "
               "model's ideal {:.3f} bits/byte",
               text.size(), c.tokens.size(), c.file.size(), kCompressedHeaderBytes, seconds,
               per_byte(file_bits, text.size()), per_byte(ideal.exact, text.size()));
    if (ideal.exact > 0) fmt::print(", overhead {:.1f}%", 100.0 * (file_bits - ideal.exact) / ideal.exact);
    fmt::print(" (model sha256 {}...)\n", to_hex(l.hash).substr(0, 12));
    return 0;
}
// [/book]

int run_decompress(const CompressOptions& o) {
    const std::string file = read_file(o.input);
    // The header first: a truncated or foreign file is refused before the model is loaded.
    const CompressedInfo info = read_compressed_header(as_bytes(file));
    Loaded l = load(o, "decompress");
    const Backend be(Device::cpu);
    const OneBlasThread one;
    Timer t;
    const std::string text = decompress_text(*l.gpt2.model, be, l.tokenizer, as_bytes(file), l.hash);
    const double seconds = t.seconds();
    write_file_atomic(o.output, text);
    fmt::print("decompress: {} bytes, {} tokens -> {} bytes in {:.2f} s, the length and checksum verified\n",
               file.size(), info.tokens, text.size(), seconds);
    return 0;
}

CompressCommands::CompressCommands(CLI::App& app) {
    const auto add = [&](const char* name, const char* help, CompressOptions& o, const char* in, const char* out) {
        CLI::App* cmd = app.add_subcommand(name, help);
        cmd->add_option("--checkpoint", o.checkpoint,
                        "the GPT-2 model file (ours, Hugging Face's model.safetensors or llm.c's .bin)")
            ->required();
        cmd->add_option("--tokenizer", o.tokenizer,
                        "a folder with encoder.json + vocab.bpe (default: tokenizer/ beside the checkpoint)");
        cmd->add_option("input", o.input, in)->required();
        cmd->add_option("output", o.output, out)->required();
        return cmd;
    };
    compress_cmd_ = add("compress", "compress a file with a GPT-2 checkpoint (arithmetic coding of its tokens)",
                        compress_, "the file to compress (any bytes)", "the compressed file to write");
    decompress_cmd_ = add("decompress", "decompress a file `compress` wrote, with the same checkpoint", decompress_,
                          "the compressed file", "the file to write (the original bytes)");
}

std::optional<int> CompressCommands::run_if_parsed() const {
    if (compress_cmd_->parsed()) return guarded_main([&] { return run_compress(compress_); });
    if (decompress_cmd_->parsed()) return guarded_main([&] { return run_decompress(decompress_); });
    return std::nullopt;
}

}  // namespace ladder::ch08
