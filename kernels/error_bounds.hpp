// error_bounds.hpp: the floating-point error bounds the registry entries derive their
// tolerances from, named once: unit roundoff, gamma_n, and the bound of a dot product.
// Introduced in ch01 (matmul); every op whose outputs are sums uses them.
#pragma once

#include <cmath>
#include <cstddef>
#include <vector>

namespace ladder {

// fp32's unit roundoff: a correctly rounded operation has relative error <= u.
inline constexpr double kFp32Unit = 0x1.0p-24;

// gamma_n = n u / (1 - n u): n roundings in a row (a sum or a product of n + 1 terms, in
// any order, with or without FMA) have relative error <= gamma_n (Higham, Accuracy and
// Stability of Numerical Algorithms, 3.1 and 4.2).
constexpr double gamma_n(double n, double u = kFp32Unit) { return n * u / (1 - n * u); }

// Two implementations of alpha * (sum of n products) + beta * c_old, each within
// gamma_{n+2} (|alpha| S + |beta c_old|) of the exact value (S = sum of |products|; +2
// for the alpha and beta roundings), differ by at most twice that. With
// |beta c_old| <= |c_new| + |alpha| S this reads, per element:
//   2 gamma_{n+2} (2 |alpha| S + |beta| |c_new|)
// `abs_sums` holds S per element and is overwritten with the bound. The tiny floor keeps
// the bound positive where S = 0 (both sides then give exact zeros).
inline void dot_product_bounds(std::vector<double>& abs_sums, std::size_t n, float alpha, float beta,
                               const float* c_new) {
    const double g = gamma_n(static_cast<double>(n + 2));
    for (std::size_t i = 0; i < abs_sums.size(); ++i)
        abs_sums[i] = 2 * g * (2 * std::fabs(alpha) * abs_sums[i] + std::fabs(beta) * std::fabs(c_new[i])) + 1e-30;
}

}  // namespace ladder
