// Exercise 3.6: the k-means assignment step as a CUDA kernel, one thread per point.
// x (N,D), centroids (C,D) -> assign (N): the nearest centroid (squared distance; on a tie
// the smaller index), dist (N): that squared distance. Device pointers.
// Introduced in ch03 (book/ch03_word2vec.md, "Clusters").
#include "core/kernel.hpp"
#include "exercises/ch03_word2vec/exercises.hpp"

namespace ladder::LADDER_GPU_NS::ex03 {

// Hint: start with best = 0 and the distance to centroid 0, then replace it only when a
// later centroid is strictly nearer (that is what makes ties go to the smaller index).
// Sum (x_j - c_j)^2 over j in order.
static __global__ void kmeans_assign_ex_kernel(std::int32_t* assign, float* dist, const float* x, const float* centroids,
                                               KmeansDims d) {
    // TODO(ex3.6): i = this thread's point; return past N; find the nearest centroid.
}

void kmeans_assign_kernel(std::int32_t* assign, float* dist, const float* x, const float* centroids, const KmeansDims& d) {
    // TODO(ex3.6): launch kmeans_assign_ex_kernel with one thread per point, delete the throw.
    throw NotImplemented("exercise 3.6: kmeans_assign_kernel (exercises/ch03_word2vec/kmeans_assign_kernel.cu)");
}

}  // namespace ladder::LADDER_GPU_NS::ex03
