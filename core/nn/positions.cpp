// positions.cpp: the sinusoidal position table (see positions.hpp). Introduced in ch06.
#include "core/nn/positions.hpp"

#include <cmath>

#include "core/error.hpp"

namespace ladder {

// [book:sinusoidal]
std::vector<float> sinusoidal_positions(std::size_t T, std::size_t C) {
    LADDER_CHECK(C > 0 && C % 2 == 0, "sinusoidal positions: the width C = {} must be even (sin, cos pairs)", C);
    std::vector<float> table(T * C);
    for (std::size_t i = 0; i < C / 2; ++i) {
        // In double: t * frequency reaches T radians, where float's rounding would show in sin.
        const double frequency = std::pow(10000.0, -static_cast<double>(2 * i) / static_cast<double>(C));
        for (std::size_t t = 0; t < T; ++t) {
            const double angle = static_cast<double>(t) * frequency;
            table[t * C + 2 * i] = static_cast<float>(std::sin(angle));
            table[t * C + 2 * i + 1] = static_cast<float>(std::cos(angle));
        }
    }
    return table;
}
// [/book]

}  // namespace ladder
