// Solution to exercise 3.6: one thread per point, the first strictly nearest centroid.
#include "core/kernel.hpp"
#include "exercises/ch03_word2vec/exercises.hpp"

namespace ladder::LADDER_GPU_NS::ex03 {

static __global__ void kmeans_assign_ex_kernel(std::int32_t* assign, float* dist, const float* x, const float* centroids,
                                               KmeansDims d) {
    const std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i >= d.N) return;
    float best_d = 0.0f;
    std::int32_t best = 0;
    for (std::size_t c = 0; c < d.C; ++c) {
        float d2 = 0.0f;
        for (std::size_t j = 0; j < d.D; ++j) {
            const float diff = x[i * d.D + j] - centroids[c * d.D + j];
            d2 += diff * diff;
        }
        if (c == 0 || d2 < best_d) {
            best_d = d2;
            best = static_cast<std::int32_t>(c);
        }
    }
    assign[i] = best;
    dist[i] = best_d;
}

void kmeans_assign_kernel(std::int32_t* assign, float* dist, const float* x, const float* centroids, const KmeansDims& d) {
    if (d.N == 0) return;
    launch(kmeans_assign_ex_kernel, dim3(ceil_div(d.N, 128)), dim3(128), 0, 0, assign, dist, x, centroids, d);
}

}  // namespace ladder::LADDER_GPU_NS::ex03
