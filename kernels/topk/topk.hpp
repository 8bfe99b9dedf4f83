// topk.hpp: per row of x (rows, cols), the k largest values in descending order and their
// column indices; ties go to the smaller index. values (rows, k), indices (rows, k) int32.
// Introduced in ch02 (search: the best documents for a query; the most telling words);
// ch03 finds nearest neighbours with it and ch07 samples with top-k.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/backend.hpp"
#include "core/tensor.hpp"

namespace ladder {

// ---- CPU ----
// The reference, T = float or double; any k <= cols. x must hold no NaN.
template <class T>
void topk_cpu(T* values, std::int32_t* indices, const T* x, std::size_t rows, std::size_t cols, std::size_t k);

// ---- GPU (topk.cu): v1 one thread per row, v2 one warp per row ----
// Each thread keeps a sorted list of k candidates in registers/local memory, so the GPU
// versions take k <= topk_gpu_max_k (they throw ladder::Error for larger k).
inline constexpr std::size_t topk_gpu_max_k = 64;
inline constexpr int topk_gpu_versions = 2;
inline constexpr int topk_gpu_default = 2;
#define LADDER_TOPK_GPU_API                                                                                            \
    void topk(int version, float* values, std::int32_t* indices, const float* x, std::size_t rows, std::size_t cols,   \
              std::size_t k);
namespace simt { LADDER_TOPK_GPU_API }
namespace cuda { LADDER_TOPK_GPU_API }
#undef LADDER_TOPK_GPU_API

// ---- on Tensors ----
// values (rows, k), indices (rows, k) int32 = top k of each row of x (rows, cols); k <= cols.
void topk(const Backend& be, Tensor& values, Tensor& indices, const Tensor& x, std::size_t k);

}  // namespace ladder
