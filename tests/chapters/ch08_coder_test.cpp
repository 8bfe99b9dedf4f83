// tests/chapters/ch08_coder_test.cpp: chapter 8's arithmetic coder and compressor. The coder
// round-trips random and extreme symbol streams and its payload lies between the ideal code
// length and the derived bound; the quantised frequencies are valid and within their bound of
// -log2 p; a toy bigram language model compresses and decompresses exactly; and every damaged or
// mismatched file is refused with a message that names the problem.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <algorithm>
#include <limits>
#include <numeric>
#include <string>
#include <vector>

#include "chapters/ch08_pretraining/arith_coder.hpp"
#include "chapters/ch08_pretraining/compressor.hpp"
#include "core/backend.hpp"
#include "core/error.hpp"
#include "core/nn/params.hpp"
#include "core/nn/train.hpp"
#include "core/rng.hpp"

using namespace ladder;
using namespace ladder::ch08;

namespace {

// One symbol as the coder sees it.
struct Symbol {
    std::uint32_t cum = 0, freq = 0, total = 0;
};

// `v` frequencies >= 1 summing to `total`: random cut points of the spare counts.
std::vector<std::uint32_t> random_freqs(std::size_t v, std::uint32_t total, Rng& rng) {
    std::vector<std::uint32_t> f(v, 1);
    const std::uint32_t spare = total - static_cast<std::uint32_t>(v);
    std::vector<std::uint32_t> cuts(v - 1);
    for (auto& c : cuts) c = static_cast<std::uint32_t>(rng.below(std::uint64_t{spare} + 1));
    std::sort(cuts.begin(), cuts.end());
    std::uint32_t prev = 0;
    for (std::size_t i = 0; i + 1 < v; ++i) {
        f[i] += cuts[i] - prev;
        prev = cuts[i];
    }
    f[v - 1] += spare - prev;
    return f;
}

// The symbol of index s in the table f (its cumulative start).
Symbol symbol_of(const std::vector<std::uint32_t>& f, std::size_t s, std::uint32_t total) {
    const auto cum = std::accumulate(f.begin(), f.begin() + static_cast<std::ptrdiff_t>(s), std::uint32_t{0});
    return {cum, f[s], total};
}

double ideal(const std::vector<Symbol>& syms) {
    double bits = 0;
    for (const auto& s : syms) bits += std::log2(static_cast<double>(s.total) / s.freq);
    return bits;
}

// Encodes the stream, decodes it back through target/consume (searching the symbol as a model's
// decoder would, by cumulative position), and checks the sizes against the bounds.
void round_trip(const std::vector<Symbol>& syms, std::uint32_t max_total) {
    ArithEncoder enc;
    for (const auto& s : syms) enc.encode(s.cum, s.freq, s.total);
    const std::vector<std::uint8_t> payload = enc.finish();

    ArithDecoder dec(payload);
    for (std::size_t i = 0; i < syms.size(); ++i) {
        const std::uint32_t t = dec.target(syms[i].total);
        INFO("symbol " << i << " of " << syms.size());
        REQUIRE(t >= syms[i].cum);
        REQUIRE(t - syms[i].cum < syms[i].freq);
        dec.consume(syms[i].cum, syms[i].freq, syms[i].total);
    }
    // The decoder's 63-bit window reaches at most 61 bits past the payload (the flush's 2 bits
    // are inside it), never more.
    CHECK(dec.bits_past_end() <= 63);

    // Every bit the coder shifts out halves a width that starts at 2^63 and stays above 2^61, so
    // the payload holds more bits than the ideal code length and at most the bound's 9 more.
    const double bits = 8.0 * static_cast<double>(payload.size());
    const double ideal_bits = ideal(syms);
    CHECK(bits > ideal_bits);
    CHECK(bits <= payload_bound_bits(ideal_bits, syms.size(), max_total));
}

// A bigram language model with a fixed random logit table (V, V): the logits after a token are
// its row. `nudge` adds nudge * (j % 7) to logit j of the rows in [nudge_from, V), so a test can
// build a model that differs slightly everywhere or only on some contexts.
class ToyBigram : public LanguageModel {
public:
    ToyBigram(std::size_t vocab, std::uint64_t seed, float nudge = 0, std::size_t nudge_from = 0)
        : vocab_(vocab), params_({{"table", {vocab, vocab}}}, Device::cpu), table_(vocab * vocab) {
        Rng rng(seed);
        rng.fill_normal(table_, 0.0f, 3.0f);
        for (std::size_t r = nudge_from; r < vocab; ++r)
            for (std::size_t j = 0; j < vocab; ++j) table_[r * vocab + j] += nudge * static_cast<float>(j % 7);
    }
    std::string name() const override { return "toy bigram"; }
    std::string config_json() const override { return "{\"kind\":\"toy\"}"; }
    ParamSet& params() override { return params_; }
    std::size_t window() const override { return 1; }
    std::size_t targets_per_row() const override { return 1; }
    float forward(const Backend&, std::span<const std::int32_t>, std::size_t) override { return 0; }
    void backward(const Backend&) override {}
    void start_generation(const Backend&) override { ++starts_; }
    std::vector<float> next_logits(const Backend&, std::int32_t token) override {
        const auto* row = table_.data() + static_cast<std::size_t>(token) * vocab_;
        return {row, row + vocab_};
    }
    // Tokens drawn from the model itself (the first uniform), so they compress well under it.
    std::vector<std::int32_t> sample(std::size_t n, std::uint64_t seed) const {
        Rng rng(seed);
        std::vector<std::int32_t> out;
        for (std::size_t i = 0; i < n; ++i) {
            if (i == 0) {
                out.push_back(static_cast<std::int32_t>(rng.below(vocab_)));
                continue;
            }
            const float* row = table_.data() + static_cast<std::size_t>(out.back()) * vocab_;
            const float mx = *std::max_element(row, row + vocab_);
            double z = 0;
            for (std::size_t j = 0; j < vocab_; ++j) z += std::exp(static_cast<double>(row[j]) - mx);
            double u = rng.uniform() * z;
            std::size_t j = 0;
            for (; j + 1 < vocab_; ++j) {
                u -= std::exp(static_cast<double>(row[j]) - mx);
                if (u < 0) break;
            }
            out.push_back(static_cast<std::int32_t>(j));
        }
        return out;
    }
    std::size_t starts() const { return starts_; }

private:
    std::size_t vocab_;
    ParamSet params_;
    std::vector<float> table_;
    std::size_t starts_ = 0;
};

ModelHash hash_of(std::uint8_t seed) {
    ModelHash h{};
    for (std::size_t i = 0; i < h.size(); ++i) h[i] = static_cast<std::uint8_t>(seed * 31 + i * 7);
    return h;
}

CompressHeader header_for(const std::string& text, const ModelHash& hash) {
    return {hash, text.size(), fnv1a64(text)};
}

}  // namespace

TEST_CASE("the arithmetic coder round-trips random and extreme streams within its bound", "[ch08][coder]") {
    Rng rng(8);
    for (const std::uint32_t total : {1u << 16, 1u << 24}) {
        INFO("total " << total);
        // Random tables of random sizes, symbols drawn from each table's own distribution.
        {
            std::vector<Symbol> syms;
            for (int table = 0; table < 20; ++table) {
                const std::size_t v = 2 + rng.below(500);
                const auto f = random_freqs(v, total, rng);
                for (int k = 0; k < 100; ++k) {
                    std::uint64_t u = rng.below(total);   // a symbol with probability f / total
                    std::size_t s = 0;
                    while (u >= f[s]) u -= f[s++];
                    syms.push_back(symbol_of(f, s, total));
                }
            }
            round_trip(syms, total);
        }
        // Very skewed: one symbol takes all but V - 1 counts. A stream of only the likely symbol
        // costs almost nothing per symbol (many pending bits); only frequency-1 symbols cost
        // log2(total) each; and a mix of both.
        {
            const std::size_t v = 300;
            std::vector<std::uint32_t> f(v, 1);
            f[137] = total - static_cast<std::uint32_t>(v - 1);
            std::vector<Symbol> likely(3000, symbol_of(f, 137, total));
            round_trip(likely, total);
            std::vector<Symbol> rare, mixed;
            for (int k = 0; k < 2000; ++k) {
                std::size_t s = rng.below(v);
                if (s == 137) s = 0;
                rare.push_back(symbol_of(f, s, total));
                mixed.push_back(symbol_of(f, rng.below(4) == 0 ? s : 137, total));
            }
            round_trip(rare, total);
            round_trip(mixed, total);
            // The first and the last symbol of the table, whose intervals touch the ends.
            round_trip({symbol_of(f, 0, total), symbol_of(f, v - 1, total), symbol_of(f, 0, total)}, total);
        }
        // Two symbols of equal frequency: exactly one bit each, so the payload is N bits plus the
        // flush, which the two-sided bound pins down.
        round_trip(std::vector<Symbol>(999, Symbol{total / 2, total / 2, total}), total);
    }
    // Totals changing from symbol to symbol (as the first token's V differs from the model's T),
    // up to the coder's largest.
    {
        std::vector<Symbol> syms;
        for (int k = 0; k < 2000; ++k) {
            const auto total = static_cast<std::uint32_t>(2 + rng.below(kMaxCoderTotal - 1));
            const auto freq = static_cast<std::uint32_t>(1 + rng.below(k % 2 ? 1 : total));
            const auto cum = static_cast<std::uint32_t>(rng.below(std::uint64_t{total} - freq + 1));
            syms.push_back({cum, freq, total});
        }
        round_trip(syms, kMaxCoderTotal);
    }
    // No symbols: the flush alone, one byte.
    round_trip({}, 1u << 24);
}

TEST_CASE("the arithmetic decoder is deterministic past the end and refuses bad arguments", "[ch08][coder]") {
    ArithEncoder enc;
    for (std::uint32_t k = 0; k < 50; ++k) enc.encode(k % 10, 1, 10);
    const auto payload = enc.finish();
    // Two decoders reading 50 symbols past the end (zeros) decode the same symbols.
    ArithDecoder a(payload), b(payload);
    for (int k = 0; k < 100; ++k) {
        const std::uint32_t ta = a.target(10), tb = b.target(10);
        REQUIRE(ta == tb);
        if (k < 50) REQUIRE(ta == static_cast<std::uint32_t>(k % 10));
        a.consume(ta, 1, 10);
        b.consume(tb, 1, 10);
    }
    CHECK(a.bits_past_end() > 63);
    CHECK(a.bits_past_end() == b.bits_past_end());

    ArithEncoder e;
    CHECK_THROWS_WITH(e.encode(0, 0, 10), Catch::Contains("frequency 0"));
    CHECK_THROWS_WITH(e.encode(8, 3, 10), Catch::Contains("does not fit in the total 10"));
    CHECK_THROWS_WITH(e.encode(0, 1, 0), Catch::Contains("outside"));
    CHECK_THROWS_WITH(e.encode(0, 1, kMaxCoderTotal + 1), Catch::Contains("outside"));
    ArithDecoder d(payload);
    CHECK_THROWS_WITH(d.consume(0, 1, 10), Catch::Contains("without a target()"));
    (void)d.target(10);
    CHECK_THROWS_WITH(d.consume(0, 1, 11), Catch::Contains("after target(10)"));
    CHECK_THROWS_WITH(d.consume(5, 1, 10), Catch::Contains("does not contain the target 0"));
}

TEST_CASE("quantised frequencies are valid, deterministic and within their bound of -log2 p", "[ch08][quantize]") {
    Rng rng(88);
    for (const std::size_t v : {std::size_t{1}, std::size_t{2}, std::size_t{300}, std::size_t{50304}}) {
        for (const float scale : {0.0f, 1.0f, 5.0f, 40.0f}) {
            INFO("V " << v << ", logit stddev " << scale);
            std::vector<float> logits(v);
            rng.fill_normal(logits, 0.0f, scale == 0.0f ? 1.0f : scale);
            if (scale == 0.0f) std::fill(logits.begin(), logits.end(), 0.25f);   // uniform
            const auto f = quantize_distribution(logits);
            REQUIRE(f.size() == v);
            REQUIRE(std::accumulate(f.begin(), f.end(), std::uint64_t{0}) == kFrequencyTotal);
            REQUIRE(*std::min_element(f.begin(), f.end()) >= 1);
            REQUIRE(quantize_distribution(logits) == f);

            // The exact -log2 p from a log-softmax written here, independently of the library's.
            double mx = -std::numeric_limits<double>::infinity();
            for (const float l : logits) mx = std::max(mx, static_cast<double>(l));
            double z = 0;
            for (const float l : logits) z += std::exp(static_cast<double>(l) - mx);
            const double bound = v < kFrequencyTotal ? quantisation_bound_bits_per_token(static_cast<std::uint32_t>(v)) : 0;
            double worst = -1e300;
            for (std::size_t i = 0; i < v; ++i) {
                const double exact = (std::log(z) - (static_cast<double>(logits[i]) - mx)) / std::log(2.0);
                const double quantised = std::log2(static_cast<double>(kFrequencyTotal) / f[i]);
                worst = std::max(worst, quantised - exact);
            }
            CHECK(worst <= bound + 1e-9);
        }
    }
    // The bound's values the header comment quotes, from the formula.
    CHECK(quantisation_bound_bits_per_token(50304) < 0.0044);
    CHECK(quantisation_bound_bits_per_token(300) < 2.6e-5);
    CHECK(coder_excess_bits_per_symbol(kFrequencyTotal) < 1.1e-11);

    CHECK_THROWS_WITH(quantize_distribution(std::vector<float>{}), Catch::Contains("empty"));
    CHECK_THROWS_WITH(quantize_distribution(std::vector<float>{0.0f, std::nanf(""), 1.0f}),
                      Catch::Contains("logit 1 of 3"));
    CHECK_THROWS_WITH(quantize_distribution(std::vector<float>(20, 0.0f), 16), Catch::Contains("does not fit"));
}

TEST_CASE("a language model compresses and decompresses tokens exactly, within the bound", "[ch08][compressor]") {
    const Backend be(Device::cpu);
    ToyBigram model(300, 7);
    const ModelHash hash = hash_of(1);
    for (const std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{2}, std::size_t{3000}}) {
        INFO(n << " tokens");
        const auto tokens = model.sample(n, 100 + n);
        const std::string text(n * 3, 'x');   // stands for the text the tokens decode to
        const auto file = compress_tokens(model, be, tokens, header_for(text, hash));
        REQUIRE(compress_tokens(model, be, tokens, header_for(text, hash)) == file);   // deterministic

        const CompressedInfo info = read_compressed_header(file);
        CHECK(info.vocab == 300);
        CHECK(info.total == kFrequencyTotal);
        CHECK(info.tokens == n);
        CHECK(info.header.model_hash == hash);
        CHECK(info.header.original_bytes == text.size());
        CHECK(info.payload_bytes + kCompressedHeaderBytes == file.size());

        REQUIRE(decompress_tokens(model, be, file, hash) == tokens);
        verify_text(info, text);

        const IdealBits bits = ideal_bits(model, be, tokens);
        CHECK(bits.tokens == n);
        // The coding pass's own count is the separate pass's, to the bit (the same model calls).
        IdealBits in_pass;
        compress_tokens(model, be, tokens, header_for(text, hash), kFrequencyTotal, &in_pass);
        CHECK(in_pass.exact == bits.exact);
        CHECK(in_pass.quantised == bits.quantised);
        CHECK(in_pass.tokens == n);
        CHECK(in_pass.vocab == bits.vocab);
        CHECK(bits.quantised <= bits.exact + static_cast<double>(n) * quantisation_bound_bits_per_token(300) + 1e-6);
        const double payload_bits = 8.0 * static_cast<double>(info.payload_bytes);
        CHECK(payload_bits > bits.quantised);
        CHECK(payload_bits <= payload_bound_bits(bits.quantised, n, kFrequencyTotal));
        if (n == 3000) {
            // The model's tokens cost what its cross-entropy says, far below log2 V each.
            CHECK(payload_bits < 0.8 * static_cast<double>(n) * std::log2(300.0));
            CHECK(payload_bits - bits.exact < 16);
        }
    }
    CHECK(model_hash_from_hex(to_hex(hash)) == hash);
    CHECK_THROWS_WITH(model_hash_from_hex("abc"), Catch::Contains("64 hex digits"));
    CHECK_THROWS_WITH(compress_tokens(model, be, std::vector<std::int32_t>{1, 300}, {}),
                      Catch::Contains("token 300 at position 1"));
}

TEST_CASE("a compressed file that does not match is refused, naming the problem", "[ch08][compressor]") {
    const Backend be(Device::cpu);
    ToyBigram model(300, 7);
    const ModelHash hash = hash_of(1);
    const auto tokens = model.sample(500, 5);
    const std::string text = "the text the tokens stand for";
    const auto file = compress_tokens(model, be, tokens, header_for(text, hash));
    REQUIRE(decompress_tokens(model, be, file, hash) == tokens);

    SECTION("another model's hash") {
        const ModelHash other = hash_of(2);
        CHECK_THROWS_WITH(decompress_tokens(model, be, file, other),
                          Catch::Contains("made with another model: file says " + to_hex(hash) +
                                          ", this checkpoint is " + to_hex(other)));
    }
    SECTION("truncated or extended") {
        auto cut = file;
        cut.pop_back();
        CHECK_THROWS_WITH(decompress_tokens(model, be, cut, hash), Catch::Contains("truncated") &&
                                                                       Catch::Contains("found " + std::to_string(file.size() - kCompressedHeaderBytes - 1)));
        cut.resize(kCompressedHeaderBytes - 1);
        CHECK_THROWS_WITH(decompress_tokens(model, be, cut, hash), Catch::Contains("shorter than its 104-byte header"));
        auto longer = file;
        longer.push_back(0);
        CHECK_THROWS_WITH(decompress_tokens(model, be, longer, hash), Catch::Contains("longer than its header says"));
    }
    SECTION("magic and version") {
        auto bad = file;
        bad[0] = 'X';
        CHECK_THROWS_WITH(decompress_tokens(model, be, bad, hash), Catch::Contains("not a compressed file"));
        bad = file;
        bad[8] = 2;
        CHECK_THROWS_WITH(decompress_tokens(model, be, bad, hash), Catch::Contains("unknown version 2"));
    }
    SECTION("a corrupt payload fails the checksum") {
        auto bad = file;
        bad[kCompressedHeaderBytes + (file.size() - kCompressedHeaderBytes) / 2] ^= 0x5a;
        CHECK_THROWS_WITH(decompress_tokens(model, be, bad, hash), Catch::Contains("checksum"));
    }
    SECTION("another vocabulary") {
        ToyBigram wider(301, 7);
        CHECK_THROWS_WITH(decompress_tokens(wider, be, file, hash),
                          Catch::Contains("vocabulary of 300 tokens, this model has 301"));
    }
    SECTION("a model whose logits differ slightly fails the fingerprint") {
        ToyBigram nudged(300, 7, 1e-4f);
        // The precondition that makes the test mean something: the difference moves frequencies.
        REQUIRE(quantize_distribution(nudged.next_logits(be, 0)) != quantize_distribution(model.next_logits(be, 0)));
        CHECK_THROWS_WITH(decompress_tokens(nudged, be, file, hash), Catch::Contains("numerics fingerprint mismatch"));
    }
    SECTION("a model that differs only where the probe does not look fails the checksum") {
        // Nudge the rows of the upper tokens only, and pick the first cut whose fingerprint the
        // probe does not tell apart: decoding then starts right and goes wrong later.
        const std::uint64_t reference = numerics_fingerprint(model, be).fingerprint;
        auto probe_agrees = [&](std::size_t from) {
            ToyBigram m(300, 7, 1e-2f, from);
            return numerics_fingerprint(m, be).fingerprint == reference;
        };
        std::size_t from = 300;
        while (from > 0 && probe_agrees(from - 1)) --from;
        REQUIRE(from < 300);
        ToyBigram partly(300, 7, 1e-2f, from);
        REQUIRE(numerics_fingerprint(partly, be).fingerprint == numerics_fingerprint(model, be).fingerprint);
        const auto in_range = std::count_if(tokens.begin(), tokens.end(), [&](std::int32_t t) {
            return static_cast<std::size_t>(t) >= from;
        });
        REQUIRE(in_range > 0);
        CHECK_THROWS_WITH(decompress_tokens(partly, be, file, hash), Catch::Contains("checksum"));
    }
    SECTION("the text checks") {
        const CompressedInfo info = read_compressed_header(file);
        CHECK_THROWS_WITH(verify_text(info, text + "!"), Catch::Contains("the original was " + std::to_string(text.size())));
        std::string changed = text;
        changed[0] = 'T';
        CHECK_THROWS_WITH(verify_text(info, changed), Catch::Contains("checksum"));
    }
}
