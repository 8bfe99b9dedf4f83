// attention.hpp: causal scaled dot-product attention over BH = B*NH independent heads, each
// with T queries, keys and values of hs floats, forward and backward, two ways.
//   q, k, v, out (BH,T,hs);  scale = 1/sqrt(hs) in every model (a parameter so chapter 6 can
//   show what it does).
//   att[bh][t][s] = softmax_s<=t(scale q_t . k_s)     (exactly 0 for s > t: the causal mask)
//   out[bh][t]    = sum_s att[bh][t][s] v_s
// The naive path stores att (BH,T,T): memory that grows with T^2. The fused path stores only
// lse[bh][t] = log sum_s<=t exp(scale q_t . k_s) (BH,T) and recomputes att in its backward:
// the idea chapter 10's flash attention builds on.
// Every gradient here is OVERWRITTEN (dq, dk, dv feed split_qkv_backward, which overwrites too).
// Introduced in ch06; ch07's GPT-2 reuses it.
#pragma once

#include <cstddef>

#include "core/backend.hpp"
#include "core/tensor.hpp"

namespace ladder {

// ---- CPU (attention_cpu.cpp) ----
// References, T = float or double (double for the gradient checks).
// Naive forward: out and att.
template <class T>
void attention_forward_cpu(T* out, T* att, const T* q, const T* k, const T* v, std::size_t BH, std::size_t T_,
                           std::size_t hs, T scale);
// Naive backward from the stored att: dq, dk, dv (BH,T,hs) and dpreatt (BH,T,T), the gradient
// of the scaled scores before the softmax (0 above the diagonal).
template <class T>
void attention_backward_cpu(T* dq, T* dk, T* dv, T* dpreatt, const T* dout, const T* q, const T* k, const T* v,
                            const T* att, std::size_t BH, std::size_t T_, std::size_t hs, T scale);
// Fused forward: out and lse (BH,T), no (T,T) buffer.
template <class T>
void attention_fused_forward_cpu(T* out, T* lse, const T* q, const T* k, const T* v, std::size_t BH, std::size_t T_,
                                 std::size_t hs, T scale);
// Fused backward: recomputes att from q, k and lse; reads out for rowsum(dout * out).
template <class T>
void attention_fused_backward_cpu(T* dq, T* dk, T* dv, const T* dout, const T* q, const T* k, const T* v, const T* out,
                                  const T* lse, std::size_t BH, std::size_t T_, std::size_t hs, T scale);

// ---- GPU (attention.cu) ----
// naive: three kernels each way over the (BH,T,T) buffer (scores, masked softmax, weighted sum);
// fused: one thread per query row, keys and values in shared-memory tiles, online softmax.
// hs <= attention_max_head_size on the GPU (the fused kernels keep a row in registers).
inline constexpr std::size_t attention_max_head_size = 128;
inline constexpr int attention_forward_gpu_versions = 1;
inline constexpr int attention_forward_gpu_default = 1;
inline constexpr int attention_backward_gpu_versions = 1;
inline constexpr int attention_backward_gpu_default = 1;
inline constexpr int attention_fused_forward_gpu_versions = 1;
inline constexpr int attention_fused_forward_gpu_default = 1;
inline constexpr int attention_fused_backward_gpu_versions = 1;
inline constexpr int attention_fused_backward_gpu_default = 1;
#define LADDER_ATTENTION_GPU_API                                                                                       \
    void attention_forward(int version, float* out, float* att, const float* q, const float* k, const float* v,       \
                           std::size_t BH, std::size_t T, std::size_t hs, float scale);                                \
    void attention_backward(int version, float* dq, float* dk, float* dv, float* dpreatt, const float* dout,          \
                            const float* q, const float* k, const float* v, const float* att, std::size_t BH,          \
                            std::size_t T, std::size_t hs, float scale);                                               \
    void attention_fused_forward(int version, float* out, float* lse, const float* q, const float* k, const float* v, \
                                 std::size_t BH, std::size_t T, std::size_t hs, float scale);                          \
    void attention_fused_backward(int version, float* dq, float* dk, float* dv, const float* dout, const float* q,    \
                                  const float* k, const float* v, const float* out, const float* lse, std::size_t BH,  \
                                  std::size_t T, std::size_t hs, float scale);
namespace simt { LADDER_ATTENTION_GPU_API }
namespace cuda { LADDER_ATTENTION_GPU_API }
#undef LADDER_ATTENTION_GPU_API

// ---- on Tensors ----
// q, k, v, out (B,NH,T,hs) or (BH,T,hs); att (..., T, T) with the same leading dims; lse (..., T).
void attention_forward(const Backend& be, Tensor& out, Tensor& att, const Tensor& q, const Tensor& k, const Tensor& v,
                       float scale);
void attention_backward(const Backend& be, Tensor& dq, Tensor& dk, Tensor& dv, Tensor& dpreatt, const Tensor& dout,
                        const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& att, float scale);
void attention_fused_forward(const Backend& be, Tensor& out, Tensor& lse, const Tensor& q, const Tensor& k,
                             const Tensor& v, float scale);
void attention_fused_backward(const Backend& be, Tensor& dq, Tensor& dk, Tensor& dv, const Tensor& dout,
                              const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& out, const Tensor& lse,
                              float scale);

}  // namespace ladder
