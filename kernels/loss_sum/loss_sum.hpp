// loss_sum.hpp: the sum of R per-row losses (nats) into one value, out (1) = sum_i losses[i]: the
// reduction that turns a validation batch's per-token losses into its total (divided by the token
// count, the mean loss; summed over batches, the split's). Introduced in ch08.
#pragma once

#include <cstddef>

#include "core/backend.hpp"
#include "core/tensor.hpp"

namespace ladder {

// ---- CPU (loss_sum_cpu.cpp) ----
// The reference, T = float or double: the losses in index order, accumulated in double whatever T
// is, rounded to T once at the end. So the reference is the truth up to that one rounding: a float
// sum in index order would carry up to gamma_R of error itself (2% of the total at R = 300001 in
// the worst case), and the bound would have to allow it on top of the GPU's.
template <class T>
void loss_sum_cpu(T* out, const T* losses, std::size_t R);

// ---- GPU (loss_sum.cu) ----
// v1 one block: each thread sums every 256th loss, then a shared-memory tree
// v2 two passes: each of up to 1024 blocks reduces its contiguous slice (threads, then the tree)
//    into partials[b]; then v1's kernel, one block, sums the partials
// Both are deterministic: fixed trees, no atomics, the same bits every run.
inline constexpr int loss_sum_gpu_versions = 2;
inline constexpr int loss_sum_gpu_default = 2;
inline constexpr unsigned loss_sum_threads = 256;      // threads per block, both versions
inline constexpr unsigned loss_sum_max_blocks = 1024;  // v2's first-pass grid (and its partials)
#define LADDER_LOSS_SUM_GPU_API void loss_sum(int version, float* out, const float* losses, std::size_t R);
namespace simt { LADDER_LOSS_SUM_GPU_API }
namespace cuda { LADDER_LOSS_SUM_GPU_API }
#undef LADDER_LOSS_SUM_GPU_API

// The most additions any GPU version puts one loss through on its way to out: the depth d of the
// error bound gamma_d sum |x| (Higham 4.2: a sum in any tree, each term through at most d
// roundings). A thread's running sum counts every element it takes (0 + x included), the tree
// log2(256) = 8 levels.
//   v1: ceil(R / 256) + 8
//   v2: ceil(slice / 256) + 8, then the second pass's ceil(G / 256) + 8, with G blocks of
//       slice = ceil(R / G) losses each, G = min(ceil(R / 256), 1024)
constexpr std::size_t loss_sum_rounding_depth(std::size_t R) {
    const std::size_t T = loss_sum_threads, tree = 8;
    const std::size_t blocks = (R + T - 1) / T;
    const std::size_t G = blocks < loss_sum_max_blocks ? blocks : loss_sum_max_blocks;
    const std::size_t v1 = blocks + tree;
    const std::size_t slice = G == 0 ? 0 : (R + G - 1) / G;
    const std::size_t v2 = (slice + T - 1) / T + tree + (G + T - 1) / T + tree;
    return v1 > v2 ? v1 : v2;
}

// ---- on Tensors ----
// out: one value (numel 1); losses: any shape, its R = numel values summed (R = 0 gives 0).
void loss_sum(const Backend& be, Tensor& out, const Tensor& losses);

}  // namespace ladder
