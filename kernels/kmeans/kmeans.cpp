// kmeans.cpp: the Tensor-level k-means steps: check shapes and devices, then run the CPU
// reference or a GPU version. Introduced in ch03.
#include "kernels/kmeans/kmeans.hpp"

#include <initializer_list>

#include "core/error.hpp"
#include "core/gpu_dispatch.hpp"

namespace ladder {

void kmeans_assign(const Backend& be, Tensor& assign, Tensor& dist, const Tensor& x, const Tensor& centroids) {
    LADDER_CHECK(x.rank() == 2 && centroids.rank() == 2 && centroids.dim(1) == x.dim(1) &&
                     assign.shape() == Shape{x.dim(0)} && assign.dtype() == DType::i32 && dist.shape() == Shape{x.dim(0)},
                 "kmeans_assign: x {}, centroids {}, assign {}, dist {}: expected (N,D), (C,D), (N) int32, (N)",
                 x.shape().str(), centroids.shape().str(), assign.shape().str(), dist.shape().str());
    for (const Tensor* t : std::initializer_list<const Tensor*>{&assign, &dist, &x, &centroids})
        LADDER_CHECK(t->device() == be.device(), "kmeans_assign: a tensor is on {} but the backend is {}",
                     device_name(t->device()), be.name());
    const KmeansDims d{x.dim(0), centroids.dim(0), x.dim(1)};
    if (be.device() == Device::cpu) {
        kmeans_assign_cpu(assign.data_i32(), dist.data(), x.data(), centroids.data(), d);
    } else {
        LADDER_GPU_CALL(be.device(), kmeans_assign, be.version("kmeans_assign", kmeans_assign_gpu_default),
                        assign.data_i32(), dist.data(), x.data(), centroids.data(), d);
    }
}

void kmeans_update(const Backend& be, Tensor& centroids, Tensor& counts, const Tensor& x, const Tensor& assign) {
    LADDER_CHECK(x.rank() == 2 && centroids.rank() == 2 && centroids.dim(1) == x.dim(1) &&
                     assign.shape() == Shape{x.dim(0)} && assign.dtype() == DType::i32 &&
                     counts.shape() == Shape{centroids.dim(0)} && counts.dtype() == DType::i32,
                 "kmeans_update: centroids {}, counts {}, x {}, assign {}: expected (C,D), (C) int32, (N,D), (N) int32",
                 centroids.shape().str(), counts.shape().str(), x.shape().str(), assign.shape().str());
    for (const Tensor* t : std::initializer_list<const Tensor*>{&centroids, &counts, &x, &assign})
        LADDER_CHECK(t->device() == be.device(), "kmeans_update: a tensor is on {} but the backend is {}",
                     device_name(t->device()), be.name());
    const KmeansDims d{x.dim(0), centroids.dim(0), x.dim(1)};
    if (be.device() == Device::cpu) {
        kmeans_update_cpu(centroids.data(), counts.data_i32(), x.data(), assign.data_i32(), d);
    } else {
        LADDER_GPU_CALL(be.device(), kmeans_update, be.version("kmeans_update", kmeans_update_gpu_default),
                        centroids.data(), counts.data_i32(), x.data(), assign.data_i32(), d);
    }
}

}  // namespace ladder
