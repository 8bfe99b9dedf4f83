// Exercise 7.4: nucleus (top-p) filtering (Holtzman et al., 2019). Sampling from the whole
// softmax lets the long tail of unlikely tokens in now and then, and one bad token derails the
// text. Top-p keeps only the nucleus: the fewest most likely tokens whose probabilities add up to
// at least p, and masks the rest (logit -inf, probability 0) before the draw. Unlike top-k the
// number kept adapts: one token when the model is sure, many when it is not.
// logits (V), changed in place; temperature 1 (probabilities = softmax(logits)).
// Introduced in ch07 (core/nn/sampling.hpp's top_p_filter is the reference).
#include "core/error.hpp"
#include "exercises/ch07_gpt/exercises.hpp"

namespace ladder::ex07 {

// Requirements:
//   * p must be in (0, 1]: otherwise throw with LADDER_CHECK(cond, "message {}", p) (a ladder::Error).
//   * p = 1 keeps every token: return at once, logits untouched. (Walking the sum instead drops
//     tokens whose probability underflows to 0: the sum reaches 1 before them.)
//   * order the ids by logit, largest first, ties by the lower id (std::stable_sort of the ids
//     0 .. V-1 with "logits[a] > logits[b]" does exactly that);
//   * the probabilities: q_r = exp(logit - max) for the r-th id of that order (the largest logit
//     is the max, so no exp overflows), S = their sum; compute them in double;
//   * walk down the order adding q_r while the kept sum is < p * S: the first id is always kept,
//     and the walk stops as soon as the kept mass reaches p (>= p keeps no more than needed);
//   * every id after the stop gets -INFINITY; the kept logits keep their exact values.
// Example: logits {2, 5, 5, 1}, p = 0.3 keeps only id 1 (ids 1 and 2 tie at probability 0.48 each;
// the lower id comes first); p = 0.6 keeps ids 1 and 2.
void top_p_filter(float* logits, std::size_t V, float p) {
    // TODO(ex7.4): check p; p = 1; the order; the probabilities; the walk; mask the rest.
    throw NotImplemented("exercise 7.4: top_p_filter (exercises/ch07_gpt/top_p_filter.cpp)");
}

}  // namespace ladder::ex07
