// bigram_count.hpp: the first language model, by counting: P(next | prev) from how often each
// pair occurs in the training tokens, with add-alpha smoothing for the pairs never seen.
// counts (V,V) -> log-probabilities (V,V). Introduced in ch05; its neural twin is models.hpp's.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace ladder::ch05 {

// counts (V,V): counts[prev * V + next] = how often `next` follows `prev` in `tokens`.
std::vector<std::uint32_t> count_bigrams(std::span<const std::int32_t> tokens, std::size_t V);

// [book:bigram-smoothing]
// log P(next | prev) = log (counts[prev, next] + alpha) - log (row total + alpha V), (V,V).
// alpha > 0 gives every pair some probability: an unseen pair would otherwise cost infinite loss.
// [/book]
std::vector<float> bigram_log_probs(std::span<const std::uint32_t> counts, std::size_t V, double alpha);

// The mean cross-entropy (nats per predicted token) of a (V,V) log-probability table on `tokens`.
double bigram_loss(std::span<const float> log_probs, std::size_t V, std::span<const std::int32_t> tokens);

struct CountBigramResult {
    double alpha = 0;                  // the smoothing with the lowest validation loss
    double val_loss = 0;
    std::vector<double> alphas, val_losses;   // the whole sweep
};
// Fits the count model on `train` for each alpha and scores it on `val`.
CountBigramResult fit_count_bigram(std::span<const std::int32_t> train, std::span<const std::int32_t> val,
                                   std::size_t V, const std::vector<double>& alphas);

}  // namespace ladder::ch05
