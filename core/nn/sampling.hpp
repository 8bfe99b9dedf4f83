// core/nn/sampling.hpp: the next token drawn from a model's logits at a temperature.
// logits (V) -> one id in [0, V). Introduced in ch05; ch07 adds top-k, top-p and a KV cache.
#pragma once

#include <cstdint>
#include <span>

#include "core/rng.hpp"

namespace ladder {

// temperature 0: the argmax (the first of ties). Otherwise p = softmax(logits / temperature),
// computed in double with the max subtracted (exp never overflows), and one inverse-CDF draw:
// u = rng.uniform() * sum, the first id whose running sum exceeds u. A logit of -inf is a token
// that can never be drawn (a mask); NaN or +inf logits, all -inf, an empty span, a negative or
// non-finite temperature are errors (the first bad logit is named by its index).
std::int32_t sample_token(std::span<const float> logits, float temperature, Rng& rng);

}  // namespace ladder
