// fast_math_test.cpp: exp_nonpositive and tanh_fast against the exact values (double), in ulps
// of the float result, over a stride through every float of their ranges: the bounds the
// registry's tolerances for softmax_xent and tanh assume of expf and tanhf (2 ulp).
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

#include <catch2/catch.hpp>

#include "kernels/fast_math.hpp"

using namespace ladder;

namespace {
// |got - exact| in units of the last place of the float nearest to exact.
double ulps(float got, double exact) {
    const double ulp = std::ldexp(1.0, std::ilogb(static_cast<float>(exact)) - 23);
    return std::fabs(static_cast<double>(got) - exact) / ulp;
}
}  // namespace

TEST_CASE("fast_math: exp_nonpositive is within 1 ulp on [-87.3, 0] and 0 below", "[kernels][fast_math]") {
    double worst = 0;
    float at = 0;
    std::size_t checked = 0;
    // Every 17th float from -0 down to -87.3 (the normal results): about 6e7 values.
    for (std::uint32_t b = std::bit_cast<std::uint32_t>(-0.0f);; b += 17) {
        const float x = std::bit_cast<float>(b);
        if (!(x >= -87.3f)) break;
        const double e = std::exp(static_cast<double>(x));
        if (e < std::numeric_limits<float>::min()) continue;   // subnormal results: 0 is within 2^-126 of them
        const double u = ulps(exp_nonpositive(x), e);
        if (u > worst) worst = u, at = x;
        ++checked;
    }
    INFO("worst " << worst << " ulp at x = " << at << " over " << checked << " values");
    REQUIRE(checked > 50000000);
    REQUIRE(worst <= 1.0);
    REQUIRE(exp_nonpositive(0.0f) == 1.0f);
    REQUIRE(exp_nonpositive(-90.0f) == 0.0f);
    REQUIRE(exp_nonpositive(-std::numeric_limits<float>::infinity()) == 0.0f);
    REQUIRE(std::isnan(exp_nonpositive(std::numeric_limits<float>::quiet_NaN())));
}

TEST_CASE("fast_math: tanh_fast is within 2 ulp everywhere and odd, and saturates", "[kernels][fast_math]") {
    double worst = 0;
    float at = 0;
    std::size_t asymmetric = 0;
    for (std::uint32_t b = 0x00800000u; b < 0x7f800000u; b += 29) {   // every 29th positive normal float
        const float x = std::bit_cast<float>(b);
        const double u = ulps(tanh_fast(x), std::tanh(static_cast<double>(x)));
        if (u > worst) worst = u, at = x;
        asymmetric += tanh_fast(-x) != -tanh_fast(x);
    }
    INFO("worst " << worst << " ulp at x = " << at);
    REQUIRE(asymmetric == 0);
    REQUIRE(worst <= 2.0);
    REQUIRE(tanh_fast(0.0f) == 0.0f);
    REQUIRE(tanh_fast(std::numeric_limits<float>::infinity()) == 1.0f);
    REQUIRE(tanh_fast(-std::numeric_limits<float>::infinity()) == -1.0f);
    REQUIRE(std::isnan(tanh_fast(std::numeric_limits<float>::quiet_NaN())));
}
