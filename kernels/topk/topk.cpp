// topk.cpp: the Tensor-level topk: checks shapes, dtypes and devices, then dispatches.
// Introduced in ch02.
#include "kernels/topk/topk.hpp"

#include "core/error.hpp"
#include "core/gpu_dispatch.hpp"

namespace ladder {

void topk(const Backend& be, Tensor& values, Tensor& indices, const Tensor& x, std::size_t k) {
    LADDER_CHECK(x.rank() == 2, "topk: x must be (rows, cols), got {}", x.shape().str());
    const std::size_t rows = x.dim(0), cols = x.dim(1);
    LADDER_CHECK(k <= cols, "topk: k = {} is larger than the row length {}", k, cols);
    LADDER_CHECK(indices.dtype() == DType::i32, "topk: indices must be int32");
    LADDER_CHECK(values.numel() == rows * k && indices.numel() == rows * k,
                 "topk: values {} and indices {} must be ({}, {})", values.shape().str(), indices.shape().str(), rows, k);
    for (const Tensor* t : std::initializer_list<const Tensor*>{&values, &indices, &x})
        LADDER_CHECK(t->device() == be.device(), "topk: {} is on {} but the backend is {}", t->str(),
                     device_name(t->device()), be.name());
    if (be.device() == Device::cpu) {
        topk_cpu(values.data(), indices.data_i32(), x.data(), rows, cols, k);
    } else {
        LADDER_CHECK(k <= topk_gpu_max_k, "topk: k = {} on {}: the GPU versions take k <= {}", k, be.name(),
                     topk_gpu_max_k);
        LADDER_GPU_CALL(be.device(), topk, be.version("topk", topk_gpu_default), values.data(), indices.data_i32(),
                        x.data(), rows, cols, k);
    }
}

}  // namespace ladder
