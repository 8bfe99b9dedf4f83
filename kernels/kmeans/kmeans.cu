// kmeans.cu: Lloyd's k-means steps on the GPU. assign: x (N,D), centroids (C,D) -> assign
// (N), dist (N); update: centroids (C,D), counts (C) from x and assign. Introduced in ch03;
// the same file runs on the emulator.
//
// assign v1  one thread per point, centroids read from global memory            (baseline)
// assign v2  centroids staged in shared memory, a tile at a time, for the block  (each centroid read once per block)
// update v1  one thread per (cluster, dimension), points in index order          (no atomics: deterministic)
#include "core/kernel.hpp"
#if defined(__CUDACC__)
#include <math_constants.h>   // CUDART_NAN_F, CUDART_INF_F (the emulator's shim defines them too)
#endif
#include "kernels/kmeans/kmeans.hpp"

namespace ladder::LADDER_GPU_NS {

// ---- kernels ----

// [book:kmeans-assign-v1]
static __global__ void kmeans_assign_v1_kernel(std::int32_t* assign, float* dist, const float* x, const float* centroids,
                                               KmeansDims d) {
    const std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i >= d.N) return;
    const float* x_i = x + i * d.D;
    float best_d = CUDART_INF_F;
    std::int32_t best = 0;
    for (std::size_t c = 0; c < d.C; ++c) {
        const float* c_c = centroids + c * d.D;
        float d2 = 0.0f;
        for (std::size_t j = 0; j < d.D; ++j) {
            const float diff = x_i[j] - c_c[j];
            d2 += diff * diff;
        }
        if (d2 < best_d || c == 0) {   // strict: ties keep the smaller index
            best_d = d2;
            best = static_cast<std::int32_t>(c);
        }
    }
    assign[i] = best;
    dist[i] = best_d;
}
// [/book]

// [book:kmeans-assign-v2]
// v2: every thread of a block needs every centroid. The block copies a tile of `tile`
// centroids into shared memory together (all threads, even those past N, help and reach
// the barriers), then each thread compares its point with the whole tile.
static __global__ void kmeans_assign_v2_kernel(std::int32_t* assign, float* dist, const float* x, const float* centroids,
                                               KmeansDims d, unsigned tile) {
    LADDER_DYNAMIC_SHARED(float, c_tile);   // (tile, D)
    const std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    const bool active = i < d.N;            // no early return: inactive threads still load and sync
    const float* x_i = x + (active ? i : 0) * d.D;
    float best_d = CUDART_INF_F;
    std::int32_t best = 0;
    for (std::size_t c0 = 0; c0 < d.C; c0 += tile) {
        const std::size_t rows = d.C - c0 < tile ? d.C - c0 : tile;
        for (std::size_t e = threadIdx.x; e < rows * d.D; e += blockDim.x) c_tile[e] = centroids[c0 * d.D + e];
        __syncthreads();
        for (std::size_t r = 0; active && r < rows; ++r) {
            float d2 = 0.0f;
            for (std::size_t j = 0; j < d.D; ++j) {
                const float diff = x_i[j] - c_tile[r * d.D + j];
                d2 += diff * diff;
            }
            if (d2 < best_d || c0 + r == 0) {
                best_d = d2;
                best = static_cast<std::int32_t>(c0 + r);
            }
        }
        __syncthreads();   // done with this tile before the next overwrites it
    }
    if (active) {
        assign[i] = best;
        dist[i] = best_d;
    }
}
// [/book]

// [book:kmeans-update-v1]
// Thread (c, j) sums coordinate j of cluster c's points in index order: the same additions
// in the same order as the reference, so the result is bit-identical. Reads assign N times
// per thread: simple, and fine for the few thousand words the chapter clusters.
static __global__ void kmeans_update_v1_kernel(float* centroids, std::int32_t* counts, const float* x,
                                               const std::int32_t* assign, KmeansDims d) {
    const std::size_t t = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (t >= d.C * d.D) return;
    const std::size_t c = t / d.D, j = t % d.D;
    float sum = 0.0f;
    std::int32_t n = 0;
    for (std::size_t i = 0; i < d.N; ++i) {
        if (assign[i] != static_cast<std::int32_t>(c)) continue;
        sum += x[i * d.D + j];
        ++n;
    }
    if (n > 0) centroids[t] = sum / static_cast<float>(n);   // an empty cluster keeps its centroid
    if (j == 0) counts[c] = n;
}
// [/book]

// ---- launchers ----

void kmeans_assign(int version, std::int32_t* assign, float* dist, const float* x, const float* centroids,
                   const KmeansDims& d) {
    if (d.N == 0) return;
    if (d.C == 0) ::ladder::throw_error(__FILE__, __LINE__, "kmeans_assign: no centroids");
    constexpr unsigned threads = 128;
    switch (version) {
        case 1:
            launch(kmeans_assign_v1_kernel, dim3(ceil_div(d.N, threads)), dim3(threads), 0, 0, assign, dist, x, centroids, d);
            return;
        case 2: {
            // Tiles of up to 32 KiB of centroids, at least one row.
            const std::size_t per_tile = d.D == 0 ? 1 : (8192 / d.D > 0 ? 8192 / d.D : 1);
            const auto tile = static_cast<unsigned>(per_tile < d.C ? per_tile : d.C);
            launch(kmeans_assign_v2_kernel, dim3(ceil_div(d.N, threads)), dim3(threads),
                   (tile * d.D == 0 ? 1 : tile * d.D) * sizeof(float), 0, assign, dist, x, centroids, d, tile);
            return;
        }
        default:
            LADDER_NO_SUCH_VERSION("kmeans_assign", version, kmeans_assign_gpu_versions);
    }
}

void kmeans_update(int version, float* centroids, std::int32_t* counts, const float* x, const std::int32_t* assign,
                   const KmeansDims& d) {
    if (d.C * d.D == 0) return;
    if (version != 1) LADDER_NO_SUCH_VERSION("kmeans_update", version, kmeans_update_gpu_versions);
    constexpr unsigned threads = 128;
    launch(kmeans_update_v1_kernel, dim3(ceil_div(d.C * d.D, threads)), dim3(threads), 0, 0, centroids, counts, x,
           assign, d);
}

}  // namespace ladder::LADDER_GPU_NS
