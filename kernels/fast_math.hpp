// fast_math.hpp: exp and tanh in float as straight-line arithmetic that the compiler turns into
// vector instructions (glibc's expf and tanhf are calls, one element at a time). The CPU
// references of softmax_xent and tanh use them for T = float (T = double keeps std::exp and
// std::tanh). Accuracy is tested (tests/kernels/fast_math_test.cpp). Introduced in ch05.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>

namespace ladder {

// [book:exp-nonpositive]
// exp(x) for x <= 0 (a softmax's logits minus their max), within 1 ulp of the exact value
// for x >= -87.3, 0 below (where exp(x) < 2^-126, the smallest normal float), NaN for NaN.
//   exp(x) = 2^k exp(r), k = round(x / ln 2), r = x - k ln 2 in [-ln2/2, ln2/2]
// k is rounded by adding 1.5 * 2^23 (the float's last bit is then worth 1), r is computed with
// ln 2 split in two (Cody and Waite: k * 0.693359375 is exact), exp(r) by Cephes's degree-7
// polynomial, and 2^k is built from its exponent bits.
inline float exp_nonpositive(float x) {
    x = x < -88.0f ? -88.0f : x;                                 // -inf too (NaN stays NaN)
    const float t = x * 1.44269504088896341f + 12582912.0f;    // 1.5 * 2^23 + round(x log2 e)
    const float k = t - 12582912.0f;                             // round(x log2 e), exactly
    float r = x - k * 0.693359375f;
    r = r - k * -2.12194440e-4f;                                 // x - k ln 2
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    const float er = p * (r * r) + r + 1.0f;                     // exp(r)
    const std::int32_t ki = std::bit_cast<std::int32_t>(t) - 0x4B400000;          // k as an integer
    const float two_k = std::bit_cast<float>((ki + 127) << 23);                   // 2^k, k in [-126, 0]
    const float keep = x >= -87.3f ? 1.0f : 0.0f;                // a select, not a branch
    return er * two_k * keep;
}
// [/book]

// tanh(x) within 2 ulp (1.5 measured over every third float): for |x| < 0.625 Cephes's odd
// polynomial (no cancellation near 0), above it (1 - e) / (1 + e) with e = exp(-2|x|) <= 0.29,
// the sign restored. Both are computed and one is selected, so the loop has no branch.
inline float tanh_fast(float x) {
    const float a = std::fabs(x);
    const float z = x * x;
    const float small =
        ((((-5.70498872745e-3f * z + 2.06390887954e-2f) * z - 5.37397155531e-2f) * z + 1.33314422036e-1f) * z -
         3.33332819422e-1f) * z * x + x;
    const float e = exp_nonpositive(-2.0f * a);
    const float q = (1.0f - e) / (1.0f + e);
    const float large = x < 0.0f ? -q : q;
    return a < 0.625f ? small : large;
}

}  // namespace ladder
