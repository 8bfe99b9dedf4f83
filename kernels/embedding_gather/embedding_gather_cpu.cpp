// embedding_gather_cpu.cpp: the CPU references for embedding_gather and its scatter-add
// backward, xtensor rows. Shapes in embedding_gather.hpp. Introduced in ch03.
#include <array>

#include <xtensor/xadapt.hpp>
#include <xtensor/xview.hpp>

#include "core/error.hpp"
#include "kernels/embedding_gather/embedding_gather.hpp"

namespace ladder {

// [book:gather-cpu]
template <class T>
void embedding_gather_cpu(T* out, const T* table, const std::int32_t* ids, std::size_t B, std::size_t V, std::size_t D) {
    auto W = xt::adapt(table, V * D, xt::no_ownership(), std::array{V, D});   // (V,D)
    auto Y = xt::adapt(out, B * D, xt::no_ownership(), std::array{B, D});     // (B,D)
    for (std::size_t b = 0; b < B; ++b) {
        LADDER_CHECK(ids[b] >= 0 && static_cast<std::size_t>(ids[b]) < V, "embedding_gather: ids[{}] = {} outside [0, {})",
                     b, ids[b], V);
        xt::row(Y, b) = xt::row(W, ids[b]);                                   // (D)
    }
}
// [/book]

// [book:scatter-add-cpu]
template <class T>
void embedding_scatter_add_cpu(T* table, const T* rows, const std::int32_t* ids, std::size_t B, std::size_t V,
                               std::size_t D, T scale) {
    auto W = xt::adapt(table, V * D, xt::no_ownership(), std::array{V, D});   // (V,D)
    auto R = xt::adapt(rows, B * D, xt::no_ownership(), std::array{B, D});    // (B,D)
    for (std::size_t b = 0; b < B; ++b) {
        if (ids[b] < 0) continue;   // padding
        LADDER_CHECK(static_cast<std::size_t>(ids[b]) < V, "embedding_scatter_add: ids[{}] = {} outside [0, {})", b,
                     ids[b], V);
        xt::row(W, ids[b]) += scale * xt::row(R, b);                          // (D)
    }
}
// [/book]

template void embedding_gather_cpu<float>(float*, const float*, const std::int32_t*, std::size_t, std::size_t, std::size_t);
template void embedding_gather_cpu<double>(double*, const double*, const std::int32_t*, std::size_t, std::size_t, std::size_t);
template void embedding_scatter_add_cpu<float>(float*, const float*, const std::int32_t*, std::size_t, std::size_t,
                                               std::size_t, float);
template void embedding_scatter_add_cpu<double>(double*, const double*, const std::int32_t*, std::size_t, std::size_t,
                                                std::size_t, double);

}  // namespace ladder
