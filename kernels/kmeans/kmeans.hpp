// kmeans.hpp: the two steps of Lloyd's k-means. assign: x (N,D), centroids (C,D) ->
// assign (N) int32 (nearest centroid, ties to the smaller index), dist (N) (its squared
// distance). update: centroids (C,D) <- mean of the points assigned to each (an empty
// cluster keeps its centroid), counts (C) int32. Introduced in ch03 (clusters of word vectors).
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/backend.hpp"
#include "core/tensor.hpp"

namespace ladder {

struct KmeansDims {
    std::size_t N = 0;   // points
    std::size_t C = 0;   // clusters
    std::size_t D = 0;   // dimensions
};

template <class T>
void kmeans_assign_cpu(std::int32_t* assign, T* dist, const T* x, const T* centroids, const KmeansDims& d);
// Sums the points of each cluster in index order, then divides by the count.
template <class T>
void kmeans_update_cpu(T* centroids, std::int32_t* counts, const T* x, const std::int32_t* assign, const KmeansDims& d);

// ---- GPU (kmeans.cu) ----
// assign v1: one thread per point; v2: the same, centroids staged in shared memory tiles.
// update v1: one thread per (cluster, dimension), points in index order (no atomics).
inline constexpr int kmeans_assign_gpu_versions = 2;
inline constexpr int kmeans_assign_gpu_default = 2;
inline constexpr int kmeans_update_gpu_versions = 1;
inline constexpr int kmeans_update_gpu_default = 1;
#define LADDER_KMEANS_GPU_API                                                                                          \
    void kmeans_assign(int version, std::int32_t* assign, float* dist, const float* x, const float* centroids,         \
                       const KmeansDims& d);                                                                           \
    void kmeans_update(int version, float* centroids, std::int32_t* counts, const float* x,                            \
                       const std::int32_t* assign, const KmeansDims& d);
namespace simt { LADDER_KMEANS_GPU_API }
namespace cuda { LADDER_KMEANS_GPU_API }
#undef LADDER_KMEANS_GPU_API

// ---- on Tensors ----
void kmeans_assign(const Backend& be, Tensor& assign, Tensor& dist, const Tensor& x, const Tensor& centroids);
void kmeans_update(const Backend& be, Tensor& centroids, Tensor& counts, const Tensor& x, const Tensor& assign);

}  // namespace ladder
