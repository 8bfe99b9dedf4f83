// Solution to exercise 6.6: the table pair by pair, angles in double.
#include <cmath>

#include "core/error.hpp"
#include "exercises/ch06_attention/exercises.hpp"

namespace ladder::ex06 {

std::vector<float> sinusoidal_positions(std::size_t T, std::size_t C) {
    LADDER_CHECK(C > 0 && C % 2 == 0, "sinusoidal_positions: C = {} must be even (sin, cos pairs)", C);
    std::vector<float> P(T * C);
    for (std::size_t i = 0; i < C / 2; ++i) {
        const double frequency = std::pow(10000.0, -static_cast<double>(2 * i) / static_cast<double>(C));
        for (std::size_t t = 0; t < T; ++t) {
            const double angle = static_cast<double>(t) * frequency;
            P[t * C + 2 * i] = static_cast<float>(std::sin(angle));
            P[t * C + 2 * i + 1] = static_cast<float>(std::cos(angle));
        }
    }
    return P;
}

}  // namespace ladder::ex06
