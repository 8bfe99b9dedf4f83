// bigram_count.cpp: counting bigrams, smoothing, and the count model's loss. See bigram_count.hpp.
// Introduced in ch05.
#include "chapters/ch05_neural_lm/bigram_count.hpp"

#include <cmath>

#include "core/error.hpp"

namespace ladder::ch05 {

std::vector<std::uint32_t> count_bigrams(std::span<const std::int32_t> tokens, std::size_t V) {
    std::vector<std::uint32_t> counts(V * V, 0);
    for (std::size_t i = 0; i + 1 < tokens.size(); ++i) {
        const std::int32_t a = tokens[i], b = tokens[i + 1];
        LADDER_CHECK(a >= 0 && b >= 0 && static_cast<std::size_t>(a) < V && static_cast<std::size_t>(b) < V,
                     "count_bigrams: token {} or {} at position {} is outside [0, {})", a, b, i, V);
        ++counts[static_cast<std::size_t>(a) * V + static_cast<std::size_t>(b)];
    }
    return counts;
}

std::vector<float> bigram_log_probs(std::span<const std::uint32_t> counts, std::size_t V, double alpha) {
    LADDER_CHECK(counts.size() == V * V, "bigram_log_probs: {} counts for V = {} (need V^2)", counts.size(), V);
    LADDER_CHECK(alpha > 0, "bigram_log_probs: alpha = {} must be positive", alpha);
    std::vector<float> lp(V * V);
    for (std::size_t a = 0; a < V; ++a) {
        double total = 0;
        for (std::size_t b = 0; b < V; ++b) total += counts[a * V + b];
        const double log_norm = std::log(total + alpha * static_cast<double>(V));
        for (std::size_t b = 0; b < V; ++b)
            lp[a * V + b] = static_cast<float>(std::log(counts[a * V + b] + alpha) - log_norm);
    }
    return lp;
}

double bigram_loss(std::span<const float> log_probs, std::size_t V, std::span<const std::int32_t> tokens) {
    LADDER_CHECK(tokens.size() >= 2, "bigram_loss: {} tokens hold no pair", tokens.size());
    LADDER_CHECK(log_probs.size() == V * V, "bigram_loss: a table of {} for V = {}", log_probs.size(), V);
    double sum = 0;
    for (std::size_t i = 0; i + 1 < tokens.size(); ++i) {
        const std::int32_t a = tokens[i], b = tokens[i + 1];
        LADDER_CHECK(a >= 0 && b >= 0 && static_cast<std::size_t>(a) < V && static_cast<std::size_t>(b) < V,
                     "bigram_loss: token {} or {} at position {} is outside [0, {})", a, b, i, V);
        sum -= log_probs[static_cast<std::size_t>(a) * V + static_cast<std::size_t>(b)];
    }
    return sum / static_cast<double>(tokens.size() - 1);
}

CountBigramResult fit_count_bigram(std::span<const std::int32_t> train, std::span<const std::int32_t> val,
                                   std::size_t V, const std::vector<double>& alphas) {
    LADDER_CHECK(!alphas.empty(), "fit_count_bigram: no alpha to try");
    const std::vector<std::uint32_t> counts = count_bigrams(train, V);
    CountBigramResult r;
    for (const double alpha : alphas) {
        const double loss = bigram_loss(bigram_log_probs(counts, V, alpha), V, val);
        r.alphas.push_back(alpha);
        r.val_losses.push_back(loss);
        if (r.val_losses.size() == 1 || loss < r.val_loss) {
            r.val_loss = loss;
            r.alpha = alpha;
        }
    }
    return r;
}

}  // namespace ladder::ch05
