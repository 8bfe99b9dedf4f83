// core/nn/sampling.cpp: sample_token (argmax at temperature 0, else a softmax draw in double).
#include "core/nn/sampling.hpp"

#include <cmath>
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

}  // namespace ladder
