// compressor.hpp: chapter 8's claim made concrete, a language model is a compressor. The model
// gives the next token's logits, quantize_distribution turns them into integer frequencies, and
// the arithmetic coder (arith_coder.hpp) spends about -log2 p(token) bits on each token, so the
// file is as small as the model's cross-entropy says. Decoding runs the same model on the tokens
// decoded so far, which is why the file names the checkpoint it was made with and carries a
// fingerprint of the model's numerics: the decoder must compute the very same frequencies, bit for
// bit, or it decodes garbage. The container's header lets it refuse such a file up front.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/backend.hpp"
#include "core/nn/train.hpp"

namespace ladder::ch08 {

// [book:quantize-distribution]
// The frequency total the compressor uses: 2^24. Why this value: the quantisation costs at most
// log2(T / (T - V)) bits per token (below), 0.0043 bits at GPT-2's V = 50304 and 2.6e-5 at V = 300,
// under a tenth of a percent of the 3-5 bits a trained model spends per token, so a larger total
// buys nothing measurable. A smaller one would: at 2^16 the same V would not even fit (every
// token needs a frequency >= 1). And 2^24 keeps every frequency and cumulative count exactly
// representable as a float, so an implementation in float (a GPU kernel) could match this one.
inline constexpr std::uint32_t kFrequencyTotal = 1u << 24;

// Integer frequencies (V of them, each >= 1, summing to `total`) from a model's logits (V floats):
// p = softmax(logits) in double, f_i = 1 + floor(p_i * (total - V)), and what the floors leave
// over goes to the most probable token (the first one on a tie). Throws for an empty or
// non-finite logit vector or V > total.
//
// The bound: f_i > p_i * (total - V), so -log2(f_i / total) < -log2 p_i + log2(total / (total - V))
// for every token, whatever p is: quantisation_bound_bits_per_token.
//
// Determinism: the max, the exps and their sum run in index order in double, with no threads,
// so the same logits give the same frequencies on every run of the same binary. The logits
// themselves are the same when the same binary runs the same checkpoint with the same thread
// count on the cpu backend (the reductions then happen in the same order). What this does not
// guarantee: another libc's exp may round differently in the last bit, another BLAS or thread
// count or the GPU may sum the logits in a different order, and either can move a floor by one.
// That is why the container stores a fingerprint of the frequencies (numerics_fingerprint).
std::vector<std::uint32_t> quantize_distribution(std::span<const float> logits,
                                                 std::uint32_t total = kFrequencyTotal);

// log2(total / (total - vocab)): the most one token's quantised code length exceeds -log2 p.
double quantisation_bound_bits_per_token(std::uint32_t vocab, std::uint32_t total = kFrequencyTotal);
// [/book]

// 32 bytes naming the checkpoint (e.g. the sha256 of its file, which core/ does not compute: the
// caller gives the bytes). Printed and parsed as 64 hex digits, sha256sum's form.
using ModelHash = std::array<std::uint8_t, 32>;
std::string to_hex(const ModelHash& hash);
ModelHash model_hash_from_hex(std::string_view hex);   // throws unless 64 hex digits

// FNV-1a, 64 bits: the checksum of the text and of the tokens (not cryptographic: it catches
// corruption, not tampering).
std::uint64_t fnv1a64(std::span<const std::uint8_t> bytes);
std::uint64_t fnv1a64(std::string_view bytes);

// What the caller says about the tokens it compresses.
struct CompressHeader {
    ModelHash model_hash{};            // the checkpoint the tokens are coded with
    std::uint64_t original_bytes = 0;  // the text's length in bytes
    std::uint64_t text_checksum = 0;   // fnv1a64 of the text
};

// [book:compressed-format]
// The file (every field little-endian):
//   offset  size  field
//        0     8  magic "LDRCOMPR"
//        8     4  version (1)
//       12     4  vocab size V
//       16     4  frequency total T
//       20     4  reserved (0)
//       24    32  model hash
//       56     8  token count N
//       64     8  original byte count
//       72     8  text checksum (fnv1a64 of the text, the caller's)
//       80     8  token checksum (fnv1a64 of the ids as uint32)
//       88     8  numerics fingerprint
//       96     8  payload length P
//      104     P  the arithmetic coder's payload
// The first token is coded uniformly (1 of V: it has no context), each later one with the
// quantised distribution the model gives after the tokens before it.
// [/book]
inline constexpr std::size_t kCompressedHeaderBytes = 104;

// A file's header as read back.
struct CompressedInfo {
    CompressHeader header;
    std::uint32_t vocab = 0;
    std::uint32_t total = 0;
    std::uint64_t tokens = 0;
    std::uint64_t token_checksum = 0;
    std::uint64_t fingerprint = 0;
    std::uint64_t payload_bytes = 0;
};

// The model's vocabulary size and a hash of the quantised frequency tables it gives on a fixed
// probe sequence (8 tokens, fixed by V). Two machines that agree on it very likely agree on every
// context; one that computes differently almost surely disagrees on some frequency of the probe.
struct NumericsProbe {
    std::uint32_t vocab = 0;
    std::uint64_t fingerprint = 0;
};
NumericsProbe numerics_fingerprint(LanguageModel& model, const Backend& be, std::uint32_t total = kFrequencyTotal);

// What the tokens should cost under the model, for comparing with the file: `exact` sums
// -log2 p of each token under the double softmax of the logits (the model's cross-entropy in
// bits, summed), `quantised` sums -log2(f / T) of the frequencies actually coded. The first token
// costs log2 V in both. The bounds:
//   quantised <= exact + tokens * quantisation_bound_bits_per_token(V, T)
//   payload bits <= payload_bound_bits(quantised, tokens, T) = quantised + tokens * 1.1e-11 + 9
// (the first token's total is V <= T, whose excess is smaller still).
struct IdealBits {
    double exact = 0;
    double quantised = 0;
    std::size_t tokens = 0;
    std::uint32_t vocab = 0;
    std::uint32_t total = 0;
};

// Codes `tokens` (each in [0, V), V the length of the model's logits) with the model and
// returns the whole file. Restarts the model's generation state. When `ideal` is given it gets
// what ideal_bits returns for the tokens, from the same pass over the model (no second one).
std::vector<std::uint8_t> compress_tokens(LanguageModel& model, const Backend& be,
                                          std::span<const std::int32_t> tokens, const CompressHeader& h,
                                          std::uint32_t total = kFrequencyTotal, IdealBits* ideal = nullptr);

// Parses and checks a file's header: throws a ladder::Error for a file shorter than the header,
// a wrong magic, an unknown version, a bad V or T, and a payload shorter (truncated) or longer
// than the length it states.
CompressedInfo read_compressed_header(std::span<const std::uint8_t> file);

// Decodes a file with `model`, whose checkpoint hash is `model_hash`. Throws a ladder::Error
// before decoding for everything read_compressed_header refuses, a file made with another model
// ("made with another model: file says X, this checkpoint is Y"), another vocabulary size, or a
// fingerprint this machine does not reproduce; and after decoding when the tokens' checksum
// differs from the file's (a corrupt payload).
std::vector<std::int32_t> decompress_tokens(LanguageModel& model, const Backend& be,
                                            std::span<const std::uint8_t> file, const ModelHash& model_hash);

// Checks the text the caller decoded the tokens to against the file's byte count and checksum.
void verify_text(const CompressedInfo& info, std::string_view text);

// The tokens' ideal cost (IdealBits above) from a pass of the model of its own.
IdealBits ideal_bits(LanguageModel& model, const Backend& be, std::span<const std::int32_t> tokens,
                     std::uint32_t total = kFrequencyTotal);

}  // namespace ladder::ch08
