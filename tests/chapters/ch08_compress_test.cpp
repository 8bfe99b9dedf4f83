// tests/chapters/ch08_compress_test.cpp: `compress` and `decompress` on real files (compress_cli.hpp)
// with a tiny GPT-2 trained for a few steps on the hand-written sample and saved as a training
// checkpoint with its tokenizer beside it. Files of every kind come back byte for byte (empty, one
// line, the sample, a non-ASCII tail, invalid UTF-8) within the coder's bound of the model's ideal
// bits; the trained model beats 8 bits per byte and the random one; the checkpoint's SHA-256 is
// the standard one; and a file made with another checkpoint, a truncated file and another model's
// tokenizer are each refused with the message that names them.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "chapters/ch04_tokenization/tokenizer.hpp"
#include "chapters/ch07_gpt/gpt2.hpp"
#include "chapters/ch07_gpt/gpt2_load.hpp"
#include "chapters/ch08_pretraining/arith_coder.hpp"
#include "chapters/ch08_pretraining/compress_cli.hpp"
#include "chapters/ch08_pretraining/compressor.hpp"
#include "core/backend.hpp"
#include "core/error.hpp"
#include "core/fileio.hpp"
#include "core/nn/optimizer.hpp"
#include "core/nn/train.hpp"
#include "core/rng.hpp"
#include "tests/temp_dir.hpp"

using namespace ladder;
using namespace ladder::ch08;
namespace fs = std::filesystem;

namespace {

constexpr std::size_t kTrainSteps = 60;
// Bytes no UTF-8 decoder accepts (0xff, 0xfe, a lone continuation byte, a truncated lead byte) and
// a NUL: byte-level BPE still codes each as one byte.
constexpr char kInvalidUtf8[] = "bytes \xff\xfe\x00\x80 and a lone \xc3";

// The two checkpoints every test reads, made once per process: the sample's BPE (about 300
// tokens), a GPT-2 of L 1, C 32, NH 2, T 32 trained on it, and an untrained one of the same shape
// (another checkpoint, so another hash), each with the tokenizer in tokenizer/ beside it.
struct Fixture {
    testing::TempDir dir{"ch08_compress"};
    std::string sample;
    std::unique_ptr<tok::BpeTokenizer> tokenizer;
    fs::path trained, random;
};

ch07::Gpt2Config tiny_config(std::size_t vocab) {
    ch07::Gpt2Config c;
    c.vocab = vocab;
    c.layers = 1;
    c.embed = 32;
    c.heads = 2;
    c.context = 32;
    return c;
}

// Plain AdamW steps on random windows of the sample: enough for the model to learn the sample's
// common tokens and pairs, which is all the size tests ask of it.
void train_a_little(ch07::Gpt2& m, Optimizer& opt, const std::vector<std::int32_t>& tokens) {
    const Backend be(Device::cpu);
    const std::size_t W = m.window(), B = 8;
    REQUIRE(tokens.size() > W);
    Rng rng(7);
    std::vector<std::int32_t> batch(B * W);
    for (std::size_t step = 0; step < kTrainSteps; ++step) {
        for (std::size_t b = 0; b < B; ++b) {
            const std::size_t at = rng.below(tokens.size() - W + 1);
            std::copy_n(tokens.begin() + static_cast<long>(at), W, batch.begin() + static_cast<long>(b * W));
        }
        m.params().zero_grad();
        m.forward(be, batch, B);
        m.backward(be);
        opt.step(be, m.params(), 1e-2, 1.0f);
    }
}

fs::path save(ch07::Gpt2& m, Optimizer& opt, const tok::BpeTokenizer& t, const fs::path& folder, std::size_t step) {
    fs::create_directories(folder);
    const fs::path ck = folder / "model.safetensors";
    save_training_checkpoint(ck, m, opt, step, "");
    t.save(folder / "tokenizer");
    return ck;
}

const Fixture& fixture() {
    static const std::unique_ptr<Fixture> f = [] {
        auto x = std::make_unique<Fixture>();
        x->sample = read_file(fs::path(LADDER_SOURCE_DIR) / "data/samples/ch03_corpus.txt");
        tok::TrainOptions o;
        o.vocab_size = 300;
        x->tokenizer = std::make_unique<tok::BpeTokenizer>(tok::train_bpe(x->sample, o).tokenizer());
        const ch07::Gpt2Config cfg = tiny_config(x->tokenizer->vocab_size());
        ch07::Gpt2 trained(cfg, Device::cpu, 1);
        Optimizer opt(OptimizerConfig{}, trained.params());
        train_a_little(trained, opt, x->tokenizer->encode(x->sample));
        x->trained = save(trained, opt, *x->tokenizer, x->dir / "trained", kTrainSteps);
        ch07::Gpt2 random(cfg, Device::cpu, 2);
        Optimizer opt2(OptimizerConfig{}, random.params());
        x->random = save(random, opt2, *x->tokenizer, x->dir / "random", 0);
        return x;
    }();
    return *f;
}

// Runs `args` through the two commands as chapter 8's main adds them; the exit code.
int cli(std::vector<std::string> args) {
    CLI::App app{"ch08 (test)"};
    const CompressCommands commands(app);
    args.insert(args.begin(), "ch08");
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    app.parse(static_cast<int>(argv.size()), argv.data());
    return commands.run_if_parsed().value_or(-1);
}

std::span<const std::uint8_t> bytes_of(const std::string& s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

}  // namespace

TEST_CASE("ch08 compress/decompress: files come back byte for byte, within the coder's bound", "[ch08][compress]") {
    const Fixture& f = fixture();
    const std::string ck = f.trained.string();
    std::string kb;   // a few KB: the sample twice, so the second copy runs far past the 32-token window
    kb = f.sample + f.sample;
    const std::vector<std::pair<std::string, std::string>> texts = {
        {"empty", ""},
        {"one line", "In the beginning was the word.\n"},
        {"the sample twice", kb},
        {"a non-ASCII tail", "the cat sat on the mat, with a caf\xc3\xa9 au lait and \xed\x95\x9c\xea\xb5\xad\xec\x96\xb4"},
        {"invalid UTF-8", std::string(kInvalidUtf8, sizeof kInvalidUtf8 - 1)},
    };
    ch07::LoadedGpt2 model = ch07::load_any_gpt2(f.trained, 0, Device::cpu, "test");
    const Backend be(Device::cpu);
    for (const auto& [name, text] : texts) {
        INFO(name);
        const fs::path in = f.dir.write("in_" + std::to_string(text.size()), text);
        const fs::path z = f.dir / "z.ldz", out = f.dir / "out";
        REQUIRE(cli({"compress", "--checkpoint", ck, in.string(), z.string()}) == 0);
        // --tokenizer given explicitly on this side: the same folder the default finds.
        REQUIRE(cli({"decompress", "--checkpoint", ck, "--tokenizer", (f.trained.parent_path() / "tokenizer").string(),
                     z.string(), out.string()}) == 0);
        REQUIRE(read_file(out) == text);

        const std::string file = read_file(z);
        const CompressedInfo info = read_compressed_header(bytes_of(file));
        const std::vector<std::int32_t> tokens = f.tokenizer->encode(text);
        CHECK(info.tokens == tokens.size());
        CHECK(info.header.model_hash == checkpoint_sha256(f.trained));
        const IdealBits ideal = ideal_bits(*model.model, be, tokens);
        const double payload_bits = 8.0 * static_cast<double>(info.payload_bytes);
        CHECK(payload_bits > ideal.quantised);
        CHECK(payload_bits <= payload_bound_bits(ideal.quantised, tokens.size(), kFrequencyTotal));
        CHECK(file.size() == kCompressedHeaderBytes + info.payload_bytes);
    }
}

TEST_CASE("ch08 compress_report: the trained model beats 8 bits per byte and the random model", "[ch08][compress]") {
    const Fixture& f = fixture();
    const std::string text = f.sample;
    ch07::LoadedGpt2 trained = ch07::load_any_gpt2(f.trained, 0, Device::cpu, "test");
    ch07::LoadedGpt2 random = ch07::load_any_gpt2(f.random, 0, Device::cpu, "test");
    const CompressReport t = compress_report(*trained.model, *f.tokenizer, text, checkpoint_sha256(f.trained));
    const CompressReport r = compress_report(*random.model, *f.tokenizer, text, checkpoint_sha256(f.random));
    for (const CompressReport* c : {&t, &r}) {
        CHECK(c->round_trip);
        CHECK(c->bytes_in == text.size());
        CHECK(c->tokens == f.tokenizer->encode(text).size());
        CHECK(c->ideal.tokens == c->tokens);
        CHECK(c->compress_seconds > 0);
        CHECK(c->decompress_seconds > 0);
        CHECK(c->ideal.quantised >= c->ideal.exact);
        CHECK(8.0 * double(c->bytes_out - kCompressedHeaderBytes) <=
              payload_bound_bits(c->ideal.quantised, c->tokens, kFrequencyTotal));
        CHECK(c->overhead_percent() > 0);
        CHECK(c->payload_bits_per_byte() < c->bits_per_byte());
    }
    // The random model spends about log2 V bits on every token; the trained one far fewer.
    const double per_token_random = r.ideal.exact / double(r.tokens);
    CHECK(std::fabs(per_token_random - std::log2(double(f.tokenizer->vocab_size()))) < 0.2);
    INFO("trained: " << t.bits_per_byte() << " bits/byte (payload " << t.payload_bits_per_byte() << ", ideal "
                     << t.ideal_bits_per_byte() << ", overhead " << t.overhead_percent() << "%); random: "
                     << r.bits_per_byte() << " bits/byte; " << t.tokens << " tokens of " << t.bytes_in << " bytes");
    CHECK(t.bits_per_byte() < 8.0);
    CHECK(t.bits_per_byte() < 0.8 * r.bits_per_byte());
    CHECK(t.ideal_bits_per_byte() < r.ideal_bits_per_byte());
}

TEST_CASE("ch08 checkpoint_sha256 is SHA-256 of the file's bytes, read in pieces", "[ch08][compress]") {
    const testing::TempDir dir("ch08_sha");
    CHECK(to_hex(checkpoint_sha256(dir.write("abc", "abc"))) ==
          "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(to_hex(checkpoint_sha256(dir.write("empty", ""))) ==
          "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    // FIPS 180-2's million a's: almost one 1 MiB piece, and with 2^20 + 1 of them two pieces.
    CHECK(to_hex(checkpoint_sha256(dir.write("million", std::string(1000000, 'a')))) ==
          "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    const ModelHash one = checkpoint_sha256(dir.write("p1", std::string((1u << 20) + 1, 'a')));
    const ModelHash two = checkpoint_sha256(dir.write("p2", std::string((1u << 20), 'a') + "b"));
    CHECK(one != two);   // the byte in the second piece counts
    CHECK_THROWS_WITH(checkpoint_sha256(dir / "missing"), Catch::Contains("cannot open the checkpoint"));
}

TEST_CASE("ch08 decompress refuses another checkpoint's file, a truncated file and a foreign tokenizer",
          "[ch08][compress][bad-input]") {
    const Fixture& f = fixture();
    const fs::path in = f.dir.write("errors_in", "And God said, Let there be light: and there was light.\n");
    const fs::path z = f.dir / "errors.ldz", out = f.dir / "errors_out";
    run_compress({f.trained.string(), "", in.string(), z.string()});
    const std::string file = read_file(z);

    SECTION("a file made with another checkpoint names both hashes") {
        CHECK_THROWS_WITH(run_decompress({f.random.string(), "", z.string(), out.string()}),
                          Catch::Contains("made with another model") &&
                              Catch::Contains(to_hex(checkpoint_sha256(f.trained))) &&
                              Catch::Contains(to_hex(checkpoint_sha256(f.random))));
        CHECK_FALSE(fs::exists(out));
        // Through the command: exit code 1, nothing written.
        CHECK(cli({"decompress", "--checkpoint", f.random.string(), z.string(), out.string()}) == 1);
        CHECK_FALSE(fs::exists(out));
    }
    SECTION("a truncated file: its payload, or its header") {
        const fs::path cut = f.dir.write("cut.ldz", file.substr(0, file.size() - 1));
        CHECK_THROWS_WITH(run_decompress({f.trained.string(), "", cut.string(), out.string()}),
                          Catch::Contains("truncated") && Catch::Contains("payload"));
        const fs::path stub = f.dir.write("stub.ldz", file.substr(0, 50));
        CHECK_THROWS_WITH(run_decompress({f.trained.string(), "", stub.string(), out.string()}),
                          Catch::Contains("truncated") && Catch::Contains("header"));
        CHECK_FALSE(fs::exists(out));
    }
    SECTION("a tokenizer of another vocabulary size, on either side") {
        tok::TrainOptions o;
        o.vocab_size = 280;
        const fs::path other = f.dir / "tokenizer280";
        tok::train_bpe(f.sample, o).tokenizer().save(other);
        const std::string message = "the tokenizer has 280 tokens but the model's vocabulary is";
        CHECK_THROWS_WITH(run_compress({f.trained.string(), other.string(), in.string(), (f.dir / "x.ldz").string()}),
                          Catch::Contains(message));
        CHECK_FALSE(fs::exists(f.dir / "x.ldz"));
        CHECK_THROWS_WITH(run_decompress({f.trained.string(), other.string(), z.string(), out.string()}),
                          Catch::Contains(message));
        ch07::LoadedGpt2 m = ch07::load_any_gpt2(f.trained, 0, Device::cpu, "test");
        CHECK_THROWS_WITH(compress_report(*m.model, tok::train_bpe(f.sample, o).tokenizer(), "x",
                                          checkpoint_sha256(f.trained)),
                          Catch::Contains(message));
    }
    SECTION("a missing input is named") {
        CHECK_THROWS_WITH(run_compress({f.trained.string(), "", (f.dir / "nope").string(), out.string()}),
                          Catch::Contains("nope"));
    }
}
