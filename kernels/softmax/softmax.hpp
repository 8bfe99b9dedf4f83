// softmax.hpp: the softmax over the last dimension, R rows of C values, forward and backward,
// and the causal mask that turns attention scores into a language model's.
//   forward:  out[r][c] = exp(inp[r][c] - max_r) / sum_c' exp(inp[r][c'] - max_r)
//   backward: dinp[r][c] = out[r][c] (dout[r][c] - sum_c' dout[r][c'] out[r][c'])   (overwrites)
//   mask:     scores (BH,T,T): scores[bh][t][s] = -inf for s > t (in place; the diagonal and
//             below are kept), so a query never sees a later key.
// A row may hold -inf (masked entries: their probability is exactly 0) but must hold at least
// one finite value (the CPU throws naming the row; a GPU version writes NaN); +inf and NaN are
// not scores. Introduced in ch06 (attention); ch07's GPT-2 reuses it.
#pragma once

#include <cstddef>
#include <math.h>   // expf and INFINITY, in host and device code alike

#include "core/backend.hpp"
#include "core/tensor.hpp"

#ifndef LADDER_HOST_DEVICE
#if defined(__CUDACC__)
#define LADDER_HOST_DEVICE __host__ __device__   // callable from kernels and from the CPU
#else
#define LADDER_HOST_DEVICE
#endif
#endif

namespace ladder {

// ---- the online softmax (Milakov and Gimelshein 2018), shared by forward v4 and the tests ----
// The state of a set of values x_j: their max and sum_j exp(x_j - max). The empty set is
// {-inf, 0}; a value x alone is {x, 1}. Two states merge into the state of the union: the
// side with the smaller max is rescaled by exp(its max - the larger max) <= 1, so nothing
// overflows, and an exact result is independent of the order the values came in.
struct OnlineSoftmax {
    float max = -INFINITY;
    float sum = 0.0f;
};
// The side with the smaller max, `lo`, is the one rescaled. A side whose max is -inf (empty,
// or a masked value) adds nothing: returned before exp(-inf - (-inf)) = exp(NaN) is computed.
// Bitwise symmetric, merge(a, b) == merge(b, a) (on a tie both orders compute hi.sum + lo.sum
// * 1, exact or one rounding either way, FMA or not): the lanes of a shuffle butterfly,
// which merge the same pair in opposite orders, end with the same bits.
LADDER_HOST_DEVICE inline OnlineSoftmax online_softmax_merge(OnlineSoftmax a, OnlineSoftmax b) {
    const bool a_hi = a.max >= b.max;
    const OnlineSoftmax hi = a_hi ? a : b, lo = a_hi ? b : a;
    if (lo.max == -INFINITY) return hi;
    return OnlineSoftmax{hi.max, hi.sum + lo.sum * expf(lo.max - hi.max)};
}
// One more value: merge with {x, 1}. When x raises the max the old sum is rescaled by
// exp(old max - x); otherwise exp(x - max) is added. One exp per value either way.
LADDER_HOST_DEVICE inline OnlineSoftmax online_softmax_add(OnlineSoftmax st, float x) {
    return online_softmax_merge(st, OnlineSoftmax{x, 1.0f});
}

// ---- CPU (softmax_cpu.cpp) ----
// References, T = float or double (double for the gradient check). The forward skips a row's
// trailing run of -inf (a causal row's masked keys: zeros, no exp); the backward overwrites dinp.
template <class T>
void softmax_forward_cpu(T* out, const T* inp, std::size_t R, std::size_t C);
template <class T>
void softmax_backward_cpu(T* dinp, const T* out, const T* dout, std::size_t R, std::size_t C);
template <class T>
void causal_mask_cpu(T* scores, std::size_t BH, std::size_t T_);

// ---- GPU (softmax.cu) ----
// forward:  v1 one thread per row (three passes), v2 a block per row with a shared-memory tree
//           reduction, v3 a warp per row with shuffles, v4 online softmax (max and sum in one pass)
// backward: v1 one thread per row, v2 a block per row (shared memory), v3 a warp per row (shuffles)
// mask:     v1 one thread per element
inline constexpr int softmax_forward_gpu_versions = 4;
inline constexpr int softmax_forward_gpu_default = 4;
inline constexpr int softmax_backward_gpu_versions = 3;
inline constexpr int softmax_backward_gpu_default = 3;
inline constexpr int causal_mask_gpu_versions = 1;
inline constexpr int causal_mask_gpu_default = 1;
#define LADDER_SOFTMAX_GPU_API                                                                                         \
    void softmax_forward(int version, float* out, const float* inp, std::size_t R, std::size_t C);                    \
    void softmax_backward(int version, float* dinp, const float* out, const float* dout, std::size_t R,               \
                          std::size_t C);                                                                              \
    void causal_mask(int version, float* scores, std::size_t BH, std::size_t T);
namespace simt { LADDER_SOFTMAX_GPU_API }
namespace cuda { LADDER_SOFTMAX_GPU_API }
#undef LADDER_SOFTMAX_GPU_API

// ---- on Tensors ----
// out = softmax(inp) over the last dimension (rank >= 1, the same shape).
void softmax_forward(const Backend& be, Tensor& out, const Tensor& inp);
// dinp = out * (dout - rowsum(dout * out)), all of the same shape (overwrites dinp).
void softmax_backward(const Backend& be, Tensor& dinp, const Tensor& out, const Tensor& dout);
// scores (..., T, T), the leading dims flattened to BH: -inf above the diagonal, in place.
void causal_mask(const Backend& be, Tensor& scores);

}  // namespace ladder
