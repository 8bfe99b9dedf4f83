// compressor.cpp: quantize_distribution, the container (compressor.hpp's format) and the loop that
// drives the arithmetic coder with a language model. The encoder and the decoder walk the tokens
// through the same calls in the same order (start_generation, then one next_logits per token
// after the first), so they see the same logits and, through the same quantisation, the same
// frequencies. The header's bytes are assembled and parsed explicitly, so a file reads the same
// on any host byte order.
#include "chapters/ch08_pretraining/compressor.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "chapters/ch08_pretraining/arith_coder.hpp"
#include "core/error.hpp"

namespace ladder::ch08 {

namespace {

constexpr std::string_view kMagic = "LDRCOMPR";
constexpr std::uint32_t kVersion = 1;
constexpr std::size_t kProbeTokens = 8;
constexpr std::uint64_t kFnvOffset = 0xcbf29ce484222325ull;
constexpr std::uint64_t kFnvPrime = 0x100000001b3ull;

void put_le(std::vector<std::uint8_t>& out, std::uint64_t v, std::size_t bytes) {
    for (std::size_t i = 0; i < bytes; ++i) out.push_back(static_cast<std::uint8_t>((v >> (8 * i)) & 0xff));
}

std::uint64_t get_le(std::span<const std::uint8_t> in, std::size_t offset, std::size_t bytes) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < bytes; ++i) v |= static_cast<std::uint64_t>(in[offset + i]) << (8 * i);
    return v;
}

// FNV-1a over v's little-endian bytes, continuing from `h`.
std::uint64_t fnv_add(std::uint64_t h, std::uint64_t v, std::size_t bytes) {
    for (std::size_t i = 0; i < bytes; ++i) {
        h ^= (v >> (8 * i)) & 0xff;
        h *= kFnvPrime;
    }
    return h;
}

std::uint64_t token_checksum(std::span<const std::int32_t> tokens) {
    std::uint64_t h = kFnvOffset;
    for (const std::int32_t t : tokens) h = fnv_add(h, static_cast<std::uint32_t>(t), 4);
    return h;
}

// The max logit and log of the sum of exp(logit - max), in index order in double: the softmax
// both the quantiser and the exact code lengths use.
struct LogSoftmax {
    double max = 0;
    double log_sum = 0;
};

LogSoftmax log_softmax(std::span<const float> logits) {
    LADDER_CHECK(!logits.empty(), "quantize_distribution: the logits are empty");
    LogSoftmax s;
    s.max = -std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < logits.size(); ++i) {
        LADDER_CHECK(std::isfinite(logits[i]), "quantize_distribution: logit {} of {} is {}", i, logits.size(),
                     logits[i]);
        s.max = std::max(s.max, static_cast<double>(logits[i]));
    }
    double sum = 0;
    for (const float l : logits) sum += std::exp(static_cast<double>(l) - s.max);
    s.log_sum = std::log(sum);
    return s;
}

void check_total(std::size_t vocab, std::uint32_t total) {
    LADDER_CHECK(total <= kMaxCoderTotal, "frequency total {} is above the coder's limit {}", total, kMaxCoderTotal);
    LADDER_CHECK(vocab <= total, "a vocabulary of {} tokens does not fit the frequency total {} (each needs >= 1)",
                 vocab, total);
}

// V from one call (the interface does not say it otherwise): the logits after token 0, which
// every vocabulary has.
std::uint32_t model_vocab(LanguageModel& model, const Backend& be) {
    model.start_generation(be);
    const std::size_t v = model.next_logits(be, 0).size();
    LADDER_CHECK(v > 0 && v <= kMaxCoderTotal, "the model gives {} logits per token (must be in [1, {}])", v,
                 kMaxCoderTotal);
    return static_cast<std::uint32_t>(v);
}

std::vector<float> next_checked(LanguageModel& model, const Backend& be, std::int32_t token, std::uint32_t vocab,
                                std::size_t position) {
    std::vector<float> logits = model.next_logits(be, token);
    LADDER_CHECK(logits.size() == vocab, "the model gave {} logits after token {} (position {}), expected V = {}",
                 logits.size(), token, position, vocab);
    return logits;
}

std::uint32_t cumulative_below(const std::vector<std::uint32_t>& freqs, std::int32_t token) {
    std::uint32_t cum = 0;
    for (std::int32_t i = 0; i < token; ++i) cum += freqs[static_cast<std::size_t>(i)];
    return cum;
}

void check_tokens(std::span<const std::int32_t> tokens, std::uint32_t vocab) {
    for (std::size_t i = 0; i < tokens.size(); ++i)
        LADDER_CHECK(tokens[i] >= 0 && static_cast<std::uint64_t>(tokens[i]) < vocab,
                     "compress: token {} at position {} is outside the model's vocabulary [0, {})", tokens[i], i,
                     vocab);
}

// The ideal code lengths of `n` tokens before any is counted: the first one is 1 of V, uniformly.
IdealBits start_bits(std::uint32_t vocab, std::uint32_t total, std::size_t n) {
    IdealBits bits;
    bits.vocab = vocab;
    bits.total = total;
    bits.tokens = n;
    if (n > 0) bits.exact = bits.quantised = std::log2(static_cast<double>(vocab));
    return bits;
}

// Adds the cost of `token` under the logits and the frequencies they were quantised to.
void add_bits(IdealBits& bits, std::span<const float> logits, std::span<const std::uint32_t> freqs,
              std::int32_t token) {
    const auto t = static_cast<std::size_t>(token);
    const LogSoftmax s = log_softmax(logits);
    // -log2 p in log space: exp of a very negative logit would underflow to 0 and give inf.
    bits.exact += (s.log_sum - (static_cast<double>(logits[t]) - s.max)) / std::log(2.0);
    bits.quantised += std::log2(static_cast<double>(bits.total) / static_cast<double>(freqs[t]));
}

}  // namespace

std::vector<std::uint32_t> quantize_distribution(std::span<const float> logits, std::uint32_t total) {
    const LogSoftmax s = log_softmax(logits);
    check_total(logits.size(), total);
    const std::size_t vocab = logits.size();
    const double spare = static_cast<double>(total - vocab);   // what is shared out beyond the floor of 1
    std::vector<std::uint32_t> freqs(vocab);
    std::uint64_t sum = 0;
    std::size_t argmax = 0;
    for (std::size_t i = 0; i < vocab; ++i) {
        const double p = std::exp(static_cast<double>(logits[i]) - s.max - s.log_sum);
        // p <= 1 up to rounding, and the min keeps one rounding above 1 from taking more than all.
        freqs[i] = 1 + static_cast<std::uint32_t>(std::min(std::floor(p * spare), spare));
        sum += freqs[i];
        if (logits[i] > logits[argmax]) argmax = i;
    }
    // The floors leave under V counts over; the most probable token takes them, where they cost
    // the least (its code length changes the least). In exact arithmetic the sum never exceeds
    // the total, but rounded p can add up to a hair over 1: the same token then gives back the
    // few counts, and it has about spare / V of them to give.
    if (sum <= total) {
        freqs[argmax] += static_cast<std::uint32_t>(total - sum);
    } else {
        const std::uint64_t excess = sum - total;
        LADDER_CHECK(freqs[argmax] > excess, "quantize_distribution: the frequencies exceed the total by {}", excess);
        freqs[argmax] -= static_cast<std::uint32_t>(excess);
    }
    return freqs;
}

double quantisation_bound_bits_per_token(std::uint32_t vocab, std::uint32_t total) {
    check_total(vocab, total);
    LADDER_CHECK(vocab < total, "quantisation bound: V = {} leaves nothing to share of the total {}", vocab, total);
    return std::log2(static_cast<double>(total) / static_cast<double>(total - vocab));
}

std::string to_hex(const ModelHash& hash) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string s;
    for (const std::uint8_t b : hash) {
        s.push_back(kDigits[b >> 4]);
        s.push_back(kDigits[b & 0xf]);
    }
    return s;
}

ModelHash model_hash_from_hex(std::string_view hex) {
    LADDER_CHECK(hex.size() == 64, "a model hash is 64 hex digits, got {} characters: \"{}\"", hex.size(), hex);
    auto digit = [&](char c) -> std::uint8_t {
        if (c >= '0' && c <= '9') return static_cast<std::uint8_t>(c - '0');
        if (c >= 'a' && c <= 'f') return static_cast<std::uint8_t>(c - 'a' + 10);
        if (c >= 'A' && c <= 'F') return static_cast<std::uint8_t>(c - 'A' + 10);
        LADDER_THROW("a model hash is 64 hex digits; \"{}\" has '{}'", hex, c);
    };
    ModelHash h{};
    for (std::size_t i = 0; i < h.size(); ++i)
        h[i] = static_cast<std::uint8_t>((digit(hex[2 * i]) << 4) | digit(hex[2 * i + 1]));
    return h;
}

std::uint64_t fnv1a64(std::span<const std::uint8_t> bytes) {
    std::uint64_t h = kFnvOffset;
    for (const std::uint8_t b : bytes) h = fnv_add(h, b, 1);
    return h;
}

std::uint64_t fnv1a64(std::string_view bytes) {
    std::uint64_t h = kFnvOffset;
    for (const char c : bytes) h = fnv_add(h, static_cast<unsigned char>(c), 1);
    return h;
}

NumericsProbe numerics_fingerprint(LanguageModel& model, const Backend& be, std::uint32_t total) {
    NumericsProbe probe;
    probe.vocab = model_vocab(model, be);
    check_total(probe.vocab, total);
    // The probe starts at token 0 and then strides through the vocabulary by a large odd step
    // (Knuth's multiplicative constant), so it visits tokens spread over all of V, not just the
    // first few ids, and each table depends on a growing context.
    std::uint64_t h = fnv_add(fnv_add(kFnvOffset, probe.vocab, 4), total, 4);
    model.start_generation(be);
    for (std::size_t k = 0; k < kProbeTokens; ++k) {
        const auto token = static_cast<std::int32_t>((k * 2654435761ull) % probe.vocab);
        const std::vector<float> logits = next_checked(model, be, token, probe.vocab, k);
        for (const std::uint32_t f : quantize_distribution(logits, total)) h = fnv_add(h, f, 4);
    }
    probe.fingerprint = h;
    return probe;
}

std::vector<std::uint8_t> compress_tokens(LanguageModel& model, const Backend& be,
                                          std::span<const std::int32_t> tokens, const CompressHeader& h,
                                          std::uint32_t total, IdealBits* ideal) {
    const NumericsProbe probe = numerics_fingerprint(model, be, total);
    check_tokens(tokens, probe.vocab);
    if (ideal) *ideal = start_bits(probe.vocab, total, tokens.size());

    ArithEncoder enc;
    if (!tokens.empty()) {
        enc.encode(static_cast<std::uint32_t>(tokens[0]), 1, probe.vocab);
        model.start_generation(be);
        for (std::size_t i = 1; i < tokens.size(); ++i) {
            const std::vector<float> logits = next_checked(model, be, tokens[i - 1], probe.vocab, i - 1);
            const std::vector<std::uint32_t> freqs = quantize_distribution(logits, total);
            enc.encode(cumulative_below(freqs, tokens[i]), freqs[static_cast<std::size_t>(tokens[i])], total);
            if (ideal) add_bits(*ideal, logits, freqs, tokens[i]);
        }
    }
    const std::vector<std::uint8_t> payload = enc.finish();

    std::vector<std::uint8_t> file;
    file.reserve(kCompressedHeaderBytes + payload.size());
    // Byte by byte rather than insert(): g++ 12 warns (wrongly) about insert after reserve here.
    for (const char c : kMagic) file.push_back(static_cast<std::uint8_t>(c));
    put_le(file, kVersion, 4);
    put_le(file, probe.vocab, 4);
    put_le(file, total, 4);
    put_le(file, 0, 4);   // reserved
    for (const std::uint8_t b : h.model_hash) file.push_back(b);
    put_le(file, tokens.size(), 8);
    put_le(file, h.original_bytes, 8);
    put_le(file, h.text_checksum, 8);
    put_le(file, token_checksum(tokens), 8);
    put_le(file, probe.fingerprint, 8);
    put_le(file, payload.size(), 8);
    file.insert(file.end(), payload.begin(), payload.end());
    return file;
}

CompressedInfo read_compressed_header(std::span<const std::uint8_t> file) {
    LADDER_CHECK(file.size() >= kCompressedHeaderBytes,
                 "compressed file is truncated: {} bytes, shorter than its {}-byte header", file.size(),
                 kCompressedHeaderBytes);
    LADDER_CHECK(std::equal(kMagic.begin(), kMagic.end(), file.begin(),
                            [](char a, std::uint8_t b) { return static_cast<std::uint8_t>(a) == b; }),
                 "not a compressed file: its first 8 bytes are not \"{}\"", kMagic);
    const std::uint64_t version = get_le(file, 8, 4);
    LADDER_CHECK(version == kVersion, "compressed file: unknown version {} (this program reads version {})", version,
                 kVersion);
    CompressedInfo info;
    info.vocab = static_cast<std::uint32_t>(get_le(file, 12, 4));
    info.total = static_cast<std::uint32_t>(get_le(file, 16, 4));
    LADDER_CHECK(info.vocab >= 1, "compressed file: the vocabulary size is 0 (corrupt header)");
    LADDER_CHECK(info.total >= info.vocab && info.total <= kMaxCoderTotal,
                 "compressed file: frequency total {} is not in [V = {}, {}] (corrupt header)", info.total, info.vocab,
                 kMaxCoderTotal);
    std::copy_n(file.begin() + 24, info.header.model_hash.size(), info.header.model_hash.begin());
    info.tokens = get_le(file, 56, 8);
    info.header.original_bytes = get_le(file, 64, 8);
    info.header.text_checksum = get_le(file, 72, 8);
    info.token_checksum = get_le(file, 80, 8);
    info.fingerprint = get_le(file, 88, 8);
    info.payload_bytes = get_le(file, 96, 8);
    const std::uint64_t found = file.size() - kCompressedHeaderBytes;
    LADDER_CHECK(found == info.payload_bytes, "compressed file is {}: the header says the payload is {} bytes, found {}",
                 found < info.payload_bytes ? "truncated" : "longer than its header says", info.payload_bytes, found);
    return info;
}

std::vector<std::int32_t> decompress_tokens(LanguageModel& model, const Backend& be,
                                            std::span<const std::uint8_t> file, const ModelHash& model_hash) {
    const CompressedInfo info = read_compressed_header(file);
    LADDER_CHECK(info.header.model_hash == model_hash,
                 "compressed file was made with another model: file says {}, this checkpoint is {}",
                 to_hex(info.header.model_hash), to_hex(model_hash));
    const NumericsProbe probe = numerics_fingerprint(model, be, info.total);
    LADDER_CHECK(probe.vocab == info.vocab,
                 "compressed file was coded with a vocabulary of {} tokens, this model has {}", info.vocab, probe.vocab);
    LADDER_CHECK(probe.fingerprint == info.fingerprint,
                 "numerics fingerprint mismatch: the file says {:016x}, this machine computes {:016x}. The model gives "
                 "other frequencies here than where the file was made (another libm's exp, BLAS, thread count or "
                 "backend), so decoding would produce garbage; decompress with the binary, thread count and backend "
                 "that compressed it",
                 info.fingerprint, probe.fingerprint);

    ArithDecoder dec(file.subspan(kCompressedHeaderBytes));
    std::vector<std::int32_t> tokens;
    // The count comes from the file; reserve no more than a sane amount before the tokens prove it.
    tokens.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(info.tokens, 1u << 20)));
    if (info.tokens > 0) {
        const std::uint32_t first = dec.target(info.vocab);
        dec.consume(first, 1, info.vocab);
        tokens.push_back(static_cast<std::int32_t>(first));
        model.start_generation(be);
        for (std::uint64_t i = 1; i < info.tokens; ++i) {
            const std::vector<float> logits = next_checked(model, be, tokens.back(), info.vocab, i - 1);
            const std::vector<std::uint32_t> freqs = quantize_distribution(logits, info.total);
            const std::uint32_t t = dec.target(info.total);
            std::uint32_t cum = 0;
            std::size_t s = 0;
            while (cum + freqs[s] <= t) cum += freqs[s++];   // ends below V: the freqs sum to total > t
            dec.consume(cum, freqs[s], info.total);
            tokens.push_back(static_cast<std::int32_t>(s));
        }
    }
    const std::uint64_t checksum = token_checksum(tokens);
    LADDER_CHECK(checksum == info.token_checksum,
                 "compressed file is corrupt: the decoded tokens' checksum {:016x} differs from the file's {:016x} "
                 "(a damaged payload, or a model that computes differently on a context the fingerprint does not "
                 "probe)",
                 checksum, info.token_checksum);
    return tokens;
}

void verify_text(const CompressedInfo& info, std::string_view text) {
    LADDER_CHECK(text.size() == info.header.original_bytes,
                 "the decoded text is {} bytes, the compressed file says the original was {}", text.size(),
                 info.header.original_bytes);
    const std::uint64_t checksum = fnv1a64(text);
    LADDER_CHECK(checksum == info.header.text_checksum,
                 "the decoded text's checksum {:016x} differs from the original's {:016x}", checksum,
                 info.header.text_checksum);
}

IdealBits ideal_bits(LanguageModel& model, const Backend& be, std::span<const std::int32_t> tokens,
                     std::uint32_t total) {
    const std::uint32_t vocab = model_vocab(model, be);
    check_total(vocab, total);
    check_tokens(tokens, vocab);
    IdealBits bits = start_bits(vocab, total, tokens.size());
    if (tokens.empty()) return bits;
    model.start_generation(be);
    for (std::size_t i = 1; i < tokens.size(); ++i) {
        const std::vector<float> logits = next_checked(model, be, tokens[i - 1], vocab, i - 1);
        add_bits(bits, logits, quantize_distribution(logits, total), tokens[i]);
    }
    return bits;
}

}  // namespace ladder::ch08
