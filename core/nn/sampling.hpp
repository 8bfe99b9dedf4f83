// core/nn/sampling.hpp: the next token drawn from a model's logits at a temperature.
// logits (V) -> one id in [0, V). Introduced in ch05; ch07 adds top-k, top-p and a KV cache.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/rng.hpp"

namespace ladder {

// temperature 0: the argmax (the first of ties). Otherwise p = softmax(logits / temperature),
// computed in double with the max subtracted (exp never overflows), and one inverse-CDF draw:
// u = rng.uniform() * sum, the first id whose running sum exceeds u. A logit of -inf is a token
// that can never be drawn (a mask); NaN or +inf logits, all -inf, an empty span, a negative or
// non-finite temperature are errors (the first bad logit is named by its index).
std::int32_t sample_token(std::span<const float> logits, float temperature, Rng& rng);

// The knobs of generation (ch07). temperature as above; top_k > 0 keeps only the k largest
// logits (0: all); top_p < 1 keeps the nucleus: the fewest most likely tokens whose probability
// (at the temperature) sums to at least p (1: all). check() names a bad value: temperature < 0
// or not finite, top_k < 0, top_p outside (0, 1].
struct SamplingConfig {
    float temperature = 1.0f;
    int top_k = 0;
    float top_p = 1.0f;
    void check() const;
};

// The filters, in the order sample_token applies them: each sets the logits it drops to -inf.
// Ties at the cut are broken by index (the lower id stays), so exactly k survive.
void top_k_filter(std::span<float> logits, std::size_t k);
// The probabilities come from logits / temperature (temperature > 0); the most likely token
// always survives.
void top_p_filter(std::span<float> logits, float p, float temperature);

// temperature 0 is the argmax whatever top_k and top_p; otherwise the filters, then the draw.
std::int32_t sample_token(std::span<const float> logits, const SamplingConfig& s, Rng& rng);

}  // namespace ladder
