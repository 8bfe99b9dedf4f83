// global_norm.hpp: the square of the global L2 norm, out (1) = sum of x[i]^2 over x (n).
// Gradient clipping scales every gradient by max_norm / ||g|| when the norm of all of them,
// taken as one vector, exceeds max_norm. Introduced in ch05 (the training frame).
#pragma once

#include <cstddef>

#include "core/backend.hpp"
#include "core/tensor.hpp"

namespace ladder {

// ---- CPU (global_norm_cpu.cpp) ----
// The reference, T = float or double; it accumulates in double whatever T is.
template <class T>
void global_norm_sq_cpu(T* out, const T* x, std::size_t n);

// ---- GPU (global_norm.cu) ----
// v1 a thread per element, each block reduces in shared memory, then one atomicAdd per block
//    (the blocks' order decides the rounding: not deterministic)
// v2 deterministic two-pass: a fixed striding grid writes one partial per block, then one
//    block sums the partials in a fixed order (temporary device memory is allocated inside)
inline constexpr int global_norm_sq_gpu_versions = 2;
inline constexpr int global_norm_sq_gpu_default = 2;
inline constexpr unsigned global_norm_threads = 256;      // threads per block, both versions
inline constexpr unsigned global_norm_max_blocks = 1024;  // v2's grid (and its partials)
#define LADDER_GLOBAL_NORM_GPU_API void global_norm_sq(int version, float* out, const float* x, std::size_t n);
namespace simt { LADDER_GLOBAL_NORM_GPU_API }
namespace cuda { LADDER_GLOBAL_NORM_GPU_API }
#undef LADDER_GLOBAL_NORM_GPU_API

// The longest chain of roundings any GPU version puts one square through (the square itself,
// the additions of its thread, of the block's tree, of the blocks): the summation depth d
// of the error bound gamma_d * sum x^2 (all terms >= 0). v1: 1 + 8 + ceil(n / 256) (one
// atomicAdd per block, in a row); v2: 1 + ceil(n / (G 256)) + 8, then the second pass
// 4 + 8 (each of its 256 threads adds at most 1024 / 256 partials).
constexpr std::size_t global_norm_rounding_depth(std::size_t n) {
    const std::size_t T = global_norm_threads, tree = 8;   // log2(256) levels
    const std::size_t blocks_v1 = (n + T - 1) / T;
    const std::size_t grid_v2 = blocks_v1 < global_norm_max_blocks ? blocks_v1 : global_norm_max_blocks;
    const std::size_t v1 = 1 + tree + blocks_v1;
    const std::size_t v2 = 1 + (n + grid_v2 * T - 1) / (grid_v2 * T) + tree + global_norm_max_blocks / T + tree;
    return v1 > v2 ? v1 : v2;
}

// ---- on Tensors ----
// out (1) = sum of x^2 over every element of x (any shape), float32 on the backend's device.
void global_norm_sq(const Backend& be, Tensor& out, const Tensor& x);

}  // namespace ladder
