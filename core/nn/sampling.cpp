// core/nn/sampling.cpp: sample_token (argmax at temperature 0, else a softmax draw in double).
#include "core/nn/sampling.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "core/error.hpp"

namespace ladder {

std::int32_t sample_token(std::span<const float> logits, float temperature, Rng& rng) {
    LADDER_CHECK(!logits.empty(), "sample_token: the logits are empty");
    LADDER_CHECK(std::isfinite(temperature) && temperature >= 0,
                 "sample_token: temperature {} must be finite and >= 0", temperature);
    std::size_t best = 0;
    for (std::size_t i = 0; i < logits.size(); ++i) {
        LADDER_CHECK(!std::isnan(logits[i]), "sample_token: logit {} is NaN", i);
        LADDER_CHECK(logits[i] != INFINITY, "sample_token: logit {} is +inf", i);
        if (logits[i] > logits[best]) best = i;   // strict: the first of ties
    }
    LADDER_CHECK(logits[best] != -INFINITY, "sample_token: all {} logits are -inf (nothing can be drawn)", logits.size());
    if (temperature == 0) return static_cast<std::int32_t>(best);
    // [book:sample-token]
    // p_i = exp((l_i - max) / temperature) / sum: the max term is exp(0) = 1, so sum >= 1.
    const double max = logits[best], t = temperature;
    std::vector<double> p(logits.size());
    double sum = 0;
    for (std::size_t i = 0; i < logits.size(); ++i) sum += p[i] = std::exp((logits[i] - max) / t);
    const double u = static_cast<double>(rng.uniform()) * sum;   // [0, sum)
    double cdf = 0;
    for (std::size_t i = 0; i < p.size(); ++i) {
        cdf += p[i];
        if (u < cdf) return static_cast<std::int32_t>(i);
    }
    // [/book]
    // Rounding left u at or past the last running sum: the last id that can be drawn.
    std::size_t last = p.size() - 1;
    while (p[last] == 0) --last;
    return static_cast<std::int32_t>(last);
}

void SamplingConfig::check() const {
    LADDER_CHECK(std::isfinite(temperature) && temperature >= 0,
                 "sampling: temperature {} must be finite and >= 0 (0 is greedy)", temperature);
    LADDER_CHECK(top_k >= 0, "sampling: top-k {} must be >= 0 (0 keeps every token)", top_k);
    LADDER_CHECK(top_p > 0 && top_p <= 1, "sampling: top-p {} must be in (0, 1] (1 keeps every token)", top_p);
}

namespace {

// The ids from the largest logit down, ties by id.
std::vector<std::size_t> by_logit(std::span<const float> logits) {
    std::vector<std::size_t> order(logits.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return logits[a] > logits[b]; });
    return order;
}

}  // namespace

void top_k_filter(std::span<float> logits, std::size_t k) {
    if (k == 0 || k >= logits.size()) return;
    const std::vector<std::size_t> order = by_logit(logits);
    for (std::size_t r = k; r < order.size(); ++r) logits[order[r]] = -INFINITY;
}

// [book:top-p]
void top_p_filter(std::span<float> logits, float p, float temperature) {
    LADDER_CHECK(p > 0 && p <= 1, "top_p_filter: p = {} must be in (0, 1]", p);
    LADDER_CHECK(temperature > 0, "top_p_filter: temperature {} must be > 0", temperature);
    if (p == 1 || logits.empty()) return;
    const std::vector<std::size_t> order = by_logit(logits);
    const double max = logits[order[0]], t = temperature;
    std::vector<double> q(order.size());
    double sum = 0;
    for (std::size_t r = 0; r < order.size(); ++r) sum += q[r] = std::exp((logits[order[r]] - max) / t);
    // Walk down from the most likely token until the kept mass reaches p; drop the rest.
    double kept = 0;
    std::size_t r = 0;
    while (r < order.size() && kept < p * sum) kept += q[r++];
    for (; r < order.size(); ++r) logits[order[r]] = -INFINITY;
}
// [/book]

std::int32_t sample_token(std::span<const float> logits, const SamplingConfig& s, Rng& rng) {
    s.check();
    if (s.temperature == 0 || (s.top_k == 0 && s.top_p == 1)) return sample_token(logits, s.temperature, rng);
    std::vector<float> l(logits.begin(), logits.end());
    for (std::size_t i = 0; i < l.size(); ++i) {   // the filters sort: name a bad logit first
        LADDER_CHECK(!std::isnan(l[i]), "sample_token: logit {} is NaN", i);
        LADDER_CHECK(l[i] != INFINITY, "sample_token: logit {} is +inf", i);
    }
    top_k_filter(l, static_cast<std::size_t>(s.top_k));
    top_p_filter(l, s.top_p, s.temperature);
    return sample_token(l, s.temperature, rng);
}

}  // namespace ladder
