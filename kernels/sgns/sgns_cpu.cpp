// sgns_cpu.cpp: the CPU reference for the SGNS forward and backward, in xtensor; a template
// on T (float for the equivalence tests, double for finite differences). Shapes in sgns.hpp.
// Introduced in ch03.
#include <array>
#include <cmath>

#include <xtensor/xadapt.hpp>
#include <xtensor/xmath.hpp>
#include <xtensor/xnoalias.hpp>
#include <xtensor/xtensor.hpp>
#include <xtensor/xview.hpp>

#include "core/error.hpp"
#include "kernels/sgns/sgns.hpp"

namespace ladder {

// [book:sgns-cpu]
template <class T>
void sgns_cpu(T* loss, T* d_in, T* d_out, const T* w_in, const T* w_out, const std::int32_t* in_ids,
              const std::int32_t* out_ids, const SgnsDims& d) {
    const std::size_t B = d.B, K1 = d.K1, V = d.V, D = d.D;
    auto Win = xt::adapt(w_in, V * D, xt::no_ownership(), std::array{V, D});         // (V,D)
    auto Wout = xt::adapt(w_out, V * D, xt::no_ownership(), std::array{V, D});       // (V,D)
    auto L = xt::adapt(loss, B, xt::no_ownership(), std::array{B});                  // (B)
    auto dU = xt::adapt(d_in, B * D, xt::no_ownership(), std::array{B, D});          // (B,D)
    auto dV = xt::adapt(d_out, B * K1 * D, xt::no_ownership(), std::array{B, K1, D}); // (B,K1,D)
    xt::xtensor<T, 2> v({K1, D});                                                    // (K1,D)
    for (std::size_t b = 0; b < B; ++b) {
        LADDER_CHECK(in_ids[b] >= 0 && static_cast<std::size_t>(in_ids[b]) < V, "sgns: in_ids[{}] = {} outside [0, {})",
                     b, in_ids[b], V);
        auto u = xt::row(Win, in_ids[b]);                                            // (D)
        for (std::size_t k = 0; k < K1; ++k) {
            const std::int32_t id = out_ids[b * K1 + k];
            LADDER_CHECK(id >= 0 && static_cast<std::size_t>(id) < V, "sgns: out_ids[{}][{}] = {} outside [0, {})", b, k,
                         id, V);
            xt::row(v, k) = xt::row(Wout, id);
        }
        const xt::xtensor<T, 1> s = xt::sum(v * u, {1});                             // (K1) s_k = u . v_k
        xt::xtensor<T, 1> y = xt::zeros<T>({K1});                                    // (K1) labels
        y(0) = 1;
        const xt::xtensor<T, 1> sig = 1 / (1 + xt::exp(-s));                         // (K1)
        const xt::xtensor<T, 1> g = sig - y;                                         // (K1) d loss / d s
        // -log sigmoid(x) = softplus(-x) = max(-x, 0) + log1p(exp(-|x|)): no overflow.
        const xt::xtensor<T, 1> z = xt::where(xt::equal(y, T(1)), -s, s);            // (K1)
        L(b) = xt::sum(xt::maximum(z, T(0)) + xt::log1p(xt::exp(-xt::abs(z))))();
        xt::row(dU, b) = xt::sum(xt::view(g, xt::all(), xt::newaxis()) * v, {0});   // (D) sum_k g_k v_k
        xt::view(dV, b) = xt::view(g, xt::all(), xt::newaxis()) * u;                 // (K1,D) g_k u
    }
}
// [/book]

template void sgns_cpu<float>(float*, float*, float*, const float*, const float*, const std::int32_t*,
                              const std::int32_t*, const SgnsDims&);
template void sgns_cpu<double>(double*, double*, double*, const double*, const double*, const std::int32_t*,
                               const std::int32_t*, const SgnsDims&);

}  // namespace ladder
