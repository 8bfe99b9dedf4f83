// positions_test.cpp: the sinusoidal table's defining properties, checked from the formula's
// consequences rather than its own arithmetic.
#include <catch2/catch.hpp>

#include <cmath>

#include "core/error.hpp"
#include "core/nn/positions.hpp"

using ladder::sinusoidal_positions;

TEST_CASE("sinusoidal positions: row 0 is (0, 1, 0, 1, ...), the first pair turns one radian per position") {
    const std::size_t T = 50, C = 8;
    const auto P = sinusoidal_positions(T, C);
    REQUIRE(P.size() == T * C);
    for (std::size_t c = 0; c < C; ++c) CHECK(P[c] == (c % 2 == 0 ? 0.0f : 1.0f));
    // Column pair 0 has frequency 1: P[t][0] = sin t. float rounding: half an ulp of a value <= 1.
    for (std::size_t t = 0; t < T; ++t) CHECK(std::fabs(P[t * C] - std::sin(static_cast<double>(t))) <= 6e-8);
}

TEST_CASE("sinusoidal positions: each (sin, cos) pair lies on the unit circle, frequencies fall with the column") {
    const std::size_t T = 300, C = 16;
    const auto P = sinusoidal_positions(T, C);
    for (std::size_t t = 0; t < T; ++t)
        for (std::size_t i = 0; i < C / 2; ++i) {
            const double s = P[t * C + 2 * i], c = P[t * C + 2 * i + 1];
            // two float roundings of values <= 1 (each <= 6e-8), squared and summed: < 3e-7.
            CHECK(std::fabs(s * s + c * c - 1.0) < 3e-7);
        }
    // At t = 1 the angle of pair i is 10000^(-2i/C): it must decrease with i.
    for (std::size_t i = 1; i < C / 2; ++i) CHECK(std::atan2(P[C + 2 * i], P[C + 2 * i + 1]) < std::atan2(P[C + 2 * i - 2], P[C + 2 * i - 1]));
}

TEST_CASE("sinusoidal positions: an odd width is an error that names it") {
    REQUIRE_THROWS_WITH(sinusoidal_positions(4, 7), Catch::Contains("C = 7") && Catch::Contains("even"));
}
