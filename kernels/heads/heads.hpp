// heads.hpp: the permutes between a layer's rows and attention's heads. C = NH * hs.
//   split_qkv:   qkv (B,T,3C) = (B,T,3,NH,hs) -> q, k, v (B,NH,T,hs) each
//                q[b][h][t][i] = qkv[b][t][0*C + h*hs + i], k: 1*C, v: 2*C
//   merge_heads: inp (B,NH,T,hs) -> out (B,T,C),  out[b][t][h*hs + i] = inp[b][h][t][i]
// A permutation's gradient is the inverse permutation, so each backward is the other way round:
//   split_qkv_backward:   dq, dk, dv (B,NH,T,hs) -> dqkv (B,T,3C)
//   merge_heads_backward: dout (B,T,C) -> dinp (B,NH,T,hs)
//   split_qkv_bias: split_qkv of qkv + bias, bias (3C) added to each row on the way (ch07): GPT-2's
//                   c_attn bias joins the permute instead of a pass of its own over (B,T,3C). Its
//                   gradient is split_qkv_backward's, then the bias's column sum over the B*T rows
//                   (linear_backward's dbias), both checked on their own.
// Every output is OVERWRITTEN (each element is written exactly once). Introduced in ch06;
// ch07's GPT-2 (one c_attn weight for q, k and v) reuses them.
#pragma once

#include <cstddef>

#include "core/backend.hpp"
#include "core/tensor.hpp"

namespace ladder {

// ---- CPU (heads_cpu.cpp) ----
// References, T = float or double (double for the gradient check).
template <class T>
void split_qkv_cpu(T* q, T* k, T* v, const T* qkv, std::size_t B, std::size_t T_, std::size_t NH, std::size_t hs);
template <class T>
void split_qkv_bias_cpu(T* q, T* k, T* v, const T* qkv, const T* bias, std::size_t B, std::size_t T_, std::size_t NH,
                        std::size_t hs);
template <class T>
void split_qkv_backward_cpu(T* dqkv, const T* dq, const T* dk, const T* dv, std::size_t B, std::size_t T_,
                            std::size_t NH, std::size_t hs);
template <class T>
void merge_heads_cpu(T* out, const T* inp, std::size_t B, std::size_t T_, std::size_t NH, std::size_t hs);
template <class T>
void merge_heads_backward_cpu(T* dinp, const T* dout, std::size_t B, std::size_t T_, std::size_t NH, std::size_t hs);

// ---- GPU (heads.cu) ----
// v1 one thread per element of the output, its index split with 64-bit divisions (baseline);
// v2 a block per row (b,t) and per tensor of heads, its threads striding over the row's C
// values: the 64-bit offsets are the block's, a thread only splits its column by hs, and a
// warp's reads and writes stay within one hs-long run in both layouts (heads.cu says more).
inline constexpr int heads_gpu_versions = 2;
inline constexpr int heads_gpu_default = 2;
#define LADDER_HEADS_GPU_API                                                                                           \
    void split_qkv(int version, float* q, float* k, float* v, const float* qkv, std::size_t B, std::size_t T,         \
                   std::size_t NH, std::size_t hs);                                                                    \
    void split_qkv_bias(int version, float* q, float* k, float* v, const float* qkv, const float* bias,               \
                        std::size_t B, std::size_t T, std::size_t NH, std::size_t hs);                                 \
    void split_qkv_backward(int version, float* dqkv, const float* dq, const float* dk, const float* dv,              \
                            std::size_t B, std::size_t T, std::size_t NH, std::size_t hs);                             \
    void merge_heads(int version, float* out, const float* inp, std::size_t B, std::size_t T, std::size_t NH,          \
                     std::size_t hs);                                                                                  \
    void merge_heads_backward(int version, float* dinp, const float* dout, std::size_t B, std::size_t T,              \
                              std::size_t NH, std::size_t hs);
namespace simt { LADDER_HEADS_GPU_API }
namespace cuda { LADDER_HEADS_GPU_API }
#undef LADDER_HEADS_GPU_API

// ---- on Tensors ----
// qkv (B,T,3C) -> q, k, v (B,NH,T,hs); NH must divide C (an error names both).
void split_qkv(const Backend& be, Tensor& q, Tensor& k, Tensor& v, const Tensor& qkv, std::size_t NH);
// The same with bias (3C) added: q, k, v = split_qkv(qkv + bias).
void split_qkv_bias(const Backend& be, Tensor& q, Tensor& k, Tensor& v, const Tensor& qkv, const Tensor& bias,
                    std::size_t NH);
void split_qkv_backward(const Backend& be, Tensor& dqkv, const Tensor& dq, const Tensor& dk, const Tensor& dv);
// inp (B,NH,T,hs) -> out (B,T,NH*hs).
void merge_heads(const Backend& be, Tensor& out, const Tensor& inp);
void merge_heads_backward(const Backend& be, Tensor& dinp, const Tensor& dout);

}  // namespace ladder
