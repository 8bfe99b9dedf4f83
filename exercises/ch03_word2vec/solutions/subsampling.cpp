// Solution to exercise 3.2.
#include <algorithm>
#include <cmath>

#include "exercises/ch03_word2vec/exercises.hpp"

namespace ladder::ex03 {

double keep_probability(std::uint64_t count, std::uint64_t total, double sample) {
    if (sample <= 0) return 1.0;
    const double f = static_cast<double>(count) / static_cast<double>(total);
    return std::min(1.0, (std::sqrt(f / sample) + 1) * sample / f);
}

}  // namespace ladder::ex03
