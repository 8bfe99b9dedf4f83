// Solution to exercise 5.1: count the pairs, then smooth each row in double.
#include <cmath>

#include "core/error.hpp"
#include "exercises/ch05_neural_lm/exercises.hpp"

namespace ladder::ex05 {

std::vector<std::uint32_t> count_bigrams(std::span<const std::int32_t> tokens, std::size_t V) {
    std::vector<std::uint32_t> counts(V * V, 0);
    for (std::size_t i = 0; i + 1 < tokens.size(); ++i) {
        const std::int32_t prev = tokens[i], next = tokens[i + 1];
        LADDER_CHECK(prev >= 0 && next >= 0 && static_cast<std::size_t>(prev) < V && static_cast<std::size_t>(next) < V,
                     "count_bigrams: pair ({}, {}) at position {} is outside [0, {})", prev, next, i, V);
        ++counts[static_cast<std::size_t>(prev) * V + static_cast<std::size_t>(next)];
    }
    return counts;
}

std::vector<float> bigram_log_probs(std::span<const std::uint32_t> counts, std::size_t V, double alpha) {
    LADDER_CHECK(counts.size() == V * V, "bigram_log_probs: {} counts for V = {}", counts.size(), V);
    std::vector<float> log_probs(V * V);
    for (std::size_t prev = 0; prev < V; ++prev) {
        const std::uint32_t* row = counts.data() + prev * V;
        float* lp_row = log_probs.data() + prev * V;
        double total = 0;
        for (std::size_t next = 0; next < V; ++next) total += row[next];
        const double log_norm = std::log(total + alpha * static_cast<double>(V));
        for (std::size_t next = 0; next < V; ++next)
            lp_row[next] = static_cast<float>(std::log(row[next] + alpha) - log_norm);
    }
    return log_probs;
}

}  // namespace ladder::ex05
