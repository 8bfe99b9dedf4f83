// Solution to exercise 5.2: the argmax at temperature 0, else one inverse-CDF draw in double.
#include <cmath>

#include "core/error.hpp"
#include "exercises/ch05_neural_lm/exercises.hpp"

namespace ladder::ex05 {

std::int32_t sample_temperature(std::span<const float> logits, float temperature, Rng& rng) {
    LADDER_CHECK(!logits.empty(), "sample_temperature: no logits");
    std::size_t best = 0;
    for (std::size_t i = 1; i < logits.size(); ++i)
        if (logits[i] > logits[best]) best = i;
    if (temperature == 0) return static_cast<std::int32_t>(best);
    const double max = logits[best], t = temperature;
    std::vector<double> p(logits.size());
    double sum = 0;
    for (std::size_t i = 0; i < logits.size(); ++i) sum += p[i] = std::exp((logits[i] - max) / t);
    const double u = static_cast<double>(rng.uniform()) * sum;
    double cdf = 0;
    for (std::size_t i = 0; i < p.size(); ++i) {
        cdf += p[i];
        if (u < cdf) return static_cast<std::int32_t>(i);
    }
    std::size_t last = p.size() - 1;
    while (p[last] == 0) --last;
    return static_cast<std::int32_t>(last);
}

}  // namespace ladder::ex05
