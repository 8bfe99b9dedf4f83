// cosine_topk_cpu.cpp: the CPU reference for cosine_topk: all V similarities of a query
// with xtensor, then a stable partial sort. Shapes in cosine_topk.hpp. Introduced in ch03.
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

#include <xtensor/xadapt.hpp>
#include <xtensor/xmath.hpp>
#include <xtensor/xtensor.hpp>
#include <xtensor/xview.hpp>

#include "core/error.hpp"
#include "kernels/cosine_topk/cosine_topk.hpp"

namespace ladder {

// [book:cosine-topk-cpu]
template <class T>
void cosine_topk_cpu(std::int32_t* top_ids, T* top_sims, const T* queries, const T* table, const T* table_inv_norm,
                     const std::int32_t* exclude, const TopkDims& d) {
    LADDER_CHECK(d.k >= 1 && d.k <= cosine_topk_max_k, "cosine_topk: k = {} must be in 1..{}", d.k, cosine_topk_max_k);
    auto Q = xt::adapt(queries, d.M * d.D, xt::no_ownership(), std::array{d.M, d.D});   // (M,D)
    auto E = xt::adapt(table, d.V * d.D, xt::no_ownership(), std::array{d.V, d.D});     // (V,D)
    auto inv = xt::adapt(table_inv_norm, d.V, xt::no_ownership(), std::array{d.V});     // (V)
    std::vector<std::int32_t> order(d.V);
    for (std::size_t m = 0; m < d.M; ++m) {
        auto q = xt::row(Q, m);                                                          // (D)
        const T qq = xt::sum(q * q)();
        const T q_inv = qq > 0 ? T(1) / std::sqrt(qq) : T(0);
        const xt::xtensor<T, 1> sims = xt::sum(E * q, {1}) * q_inv * inv;                // (V)
        // Candidates: every row not excluded, best first; equal sims keep the smaller id.
        std::iota(order.begin(), order.end(), 0);
        auto end = std::remove_if(order.begin(), order.end(), [&](std::int32_t v) {
            for (std::size_t x = 0; x < d.X; ++x)
                if (exclude[m * d.X + x] == v) return true;
            return false;
        });
        const std::size_t n = std::min<std::size_t>(d.k, static_cast<std::size_t>(end - order.begin()));
        std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(n), end, [&](std::int32_t a, std::int32_t b) {
            return sims(a) > sims(b) || (sims(a) == sims(b) && a < b);
        });
        for (std::size_t i = 0; i < d.k; ++i) {
            top_ids[m * d.k + i] = i < n ? order[i] : -1;
            top_sims[m * d.k + i] = i < n ? sims(order[i]) : -std::numeric_limits<T>::infinity();
        }
    }
}
// [/book]

template void cosine_topk_cpu<float>(std::int32_t*, float*, const float*, const float*, const float*,
                                     const std::int32_t*, const TopkDims&);
template void cosine_topk_cpu<double>(std::int32_t*, double*, const double*, const double*, const double*,
                                      const std::int32_t*, const TopkDims&);

}  // namespace ladder
