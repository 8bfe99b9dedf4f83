// kmeans_cpu.cpp: CPU references for the k-means assignment and update steps, in xtensor.
// Shapes in kmeans.hpp. Introduced in ch03.
#include <array>

#include <xtensor/xadapt.hpp>
#include <xtensor/xmath.hpp>
#include <xtensor/xtensor.hpp>
#include <xtensor/xview.hpp>

#include "core/error.hpp"
#include "kernels/kmeans/kmeans.hpp"

namespace ladder {

// [book:kmeans-cpu]
template <class T>
void kmeans_assign_cpu(std::int32_t* assign, T* dist, const T* x, const T* centroids, const KmeansDims& d) {
    LADDER_CHECK(d.C >= 1, "kmeans_assign: no centroids");
    auto X = xt::adapt(x, d.N * d.D, xt::no_ownership(), std::array{d.N, d.D});           // (N,D)
    auto Cm = xt::adapt(centroids, d.C * d.D, xt::no_ownership(), std::array{d.C, d.D});  // (C,D)
    for (std::size_t i = 0; i < d.N; ++i) {
        const xt::xtensor<T, 1> d2 = xt::sum(xt::square(xt::row(X, i) - Cm), {1});       // (C) squared distances
        std::size_t best = 0;
        for (std::size_t c = 1; c < d.C; ++c)
            if (d2(c) < d2(best)) best = c;   // strict: ties keep the smaller index
        assign[i] = static_cast<std::int32_t>(best);
        dist[i] = d2(best);
    }
}

template <class T>
void kmeans_update_cpu(T* centroids, std::int32_t* counts, const T* x, const std::int32_t* assign, const KmeansDims& d) {
    auto X = xt::adapt(x, d.N * d.D, xt::no_ownership(), std::array{d.N, d.D});          // (N,D)
    auto Cm = xt::adapt(centroids, d.C * d.D, xt::no_ownership(), std::array{d.C, d.D});  // (C,D)
    xt::xtensor<T, 2> sums = xt::zeros<T>({d.C, d.D});                                  // (C,D)
    for (std::size_t c = 0; c < d.C; ++c) counts[c] = 0;
    for (std::size_t i = 0; i < d.N; ++i) {
        LADDER_CHECK(assign[i] >= 0 && static_cast<std::size_t>(assign[i]) < d.C,
                     "kmeans_update: assign[{}] = {} outside [0, {})", i, assign[i], d.C);
        xt::row(sums, assign[i]) += xt::row(X, i);
        ++counts[assign[i]];
    }
    for (std::size_t c = 0; c < d.C; ++c)
        if (counts[c] > 0) xt::row(Cm, c) = xt::row(sums, c) / static_cast<T>(counts[c]);
}
// [/book]

template void kmeans_assign_cpu<float>(std::int32_t*, float*, const float*, const float*, const KmeansDims&);
template void kmeans_assign_cpu<double>(std::int32_t*, double*, const double*, const double*, const KmeansDims&);
template void kmeans_update_cpu<float>(float*, std::int32_t*, const float*, const std::int32_t*, const KmeansDims&);
template void kmeans_update_cpu<double>(double*, std::int32_t*, const double*, const std::int32_t*, const KmeansDims&);

}  // namespace ladder
