// Exercise 5.2: generation. Draw the next token from a model's logits (V) at a temperature:
// p = softmax(logits / temperature), one uniform u in [0, 1), the inverse CDF.
// Introduced in ch05 (generation, as core/nn/sampling.hpp); ch07 adds top-k and top-p.
#include "core/error.hpp"
#include "exercises/ch05_neural_lm/exercises.hpp"

namespace ladder::ex05 {

// Requirements (the test draws from two Rngs of the same seed, yours and the reference's,
// and needs the same id every time):
//   - temperature 0: return the argmax, the FIRST index of the largest logit, and draw
//     nothing from rng (a draw would shift every later sample).
//   - otherwise draw exactly one rng.uniform() per call.
//   - a logit of -inf can never be drawn (a masked token).
// Code plan (in double):
//   1. max = the largest logit; p_i = exp((logit_i - max) / temperature); sum = sum of p_i
//      (subtracting the max keeps exp from overflowing; the max's term is 1, so sum >= 1).
//   2. u = rng.uniform() * sum.
//   3. walk i = 0, 1, ... adding p_i to a running sum; return the first i with u < running sum.
//   4. if rounding leaves u past the end, return the last i with p_i > 0.
std::int32_t sample_temperature(std::span<const float> logits, float temperature, Rng& rng) {
    // TODO(ex5.2): the argmax at temperature 0, else steps 1-4 above.
    throw NotImplemented("exercise 5.2: sample_temperature (exercises/ch05_neural_lm/sample_temperature.cpp)");
}

}  // namespace ladder::ex05
