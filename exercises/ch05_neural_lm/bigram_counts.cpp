// Exercise 5.1: the count model. Count how often each token follows each other one, then
// turn the counts (V,V) into log P(next | prev) (V,V) with add-alpha smoothing.
// Introduced in ch05 (the count model, before the neural bigram).
#include "core/error.hpp"
#include "exercises/ch05_neural_lm/exercises.hpp"

namespace ladder::ex05 {

// Hint: tokens [1, 2, 1, 2] hold three pairs: (1,2) twice and (2,1) once. A stream of n tokens
// has n - 1 pairs (none when n < 2). Check every id is in [0, V) (LADDER_CHECK) before counting.
std::vector<std::uint32_t> count_bigrams(std::span<const std::int32_t> tokens, std::size_t V) {
    // TODO(ex5.1): a (V,V) table of zeros, then ++counts[prev * V + next] for each pair.
    throw NotImplemented("exercise 5.1: count_bigrams (exercises/ch05_neural_lm/bigram_counts.cpp)");
}

// log P(next | prev) = log(counts[prev, next] + alpha) - log(row total + alpha V).
// Hint: compute in double and round once to float at the end. A row that was never a
// "prev" (total 0) becomes uniform: every entry -log(V).
std::vector<float> bigram_log_probs(std::span<const std::uint32_t> counts, std::size_t V, double alpha) {
    // TODO(ex5.1): for each row, its total, then every entry of the row.
    throw NotImplemented("exercise 5.1: bigram_log_probs (exercises/ch05_neural_lm/bigram_counts.cpp)");
}

}  // namespace ladder::ex05
