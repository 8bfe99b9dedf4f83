// layernorm.hpp: layer normalisation over the last dimension, R rows of C values, forward and
// backward, as GPT-2 uses it before attention, before the MLP and at the end (eps = 1e-5).
//   forward:  mean_r = sum_c x_rc / C,  rstd_r = 1 / sqrt(sum_c (x_rc - mean_r)^2 / C + eps)
//             out_rc = (x_rc - mean_r) rstd_r weight_c + bias_c;  mean and rstd (R) are saved
//   backward: with n_rc = (x_rc - mean_r) rstd_r and a_rc = dout_rc weight_c,
//             dinp_rc    += rstd_r (a_rc - mean_c' a_rc' - n_rc mean_c' a_rc' n_rc')
//             dweight_c  += sum_r dout_rc n_rc,   dbias_c += sum_r dout_rc
// Every gradient accumulates (they are gradient buffers: dinp is the residual stream's). The
// variance is the biased one (divided by C), as PyTorch's and GPT-2's. Introduced in ch07.
//
// residual_layernorm: the residual add that ends a sublayer and the layernorm that starts the
// next, in one pass over the row:  sum = a + b (the new residual stream; sum may be a or b
// itself), out, mean, rstd = layernorm(sum). Its gradient needs no op of its own: layernorm_backward
// with inp = sum accumulates into the residual stream's gradient, which flows unchanged to a and b.
#pragma once

#include <cstddef>

#include "core/backend.hpp"
#include "core/tensor.hpp"

namespace ladder {

inline constexpr float layernorm_eps = 1e-5f;

// ---- CPU (layernorm_cpu.cpp) ----
// References, T = float or double (double for the gradient check). Two passes for the variance
// (the mean first, then the squares of the deviations): no cancellation of E[x^2] - E[x]^2.
template <class T>
void layernorm_forward_cpu(T* out, T* mean, T* rstd, const T* inp, const T* weight, const T* bias, std::size_t R,
                           std::size_t C, T eps);
template <class T>
void residual_layernorm_forward_cpu(T* sum, T* out, T* mean, T* rstd, const T* a, const T* b, const T* weight,
                                    const T* bias, std::size_t R, std::size_t C, T eps);
template <class T>
void layernorm_backward_cpu(T* dinp, T* dweight, T* dbias, const T* dout, const T* inp, const T* weight,
                            const T* mean, const T* rstd, std::size_t R, std::size_t C);

// ---- GPU (layernorm.cu) ----
// forward:  v1 one thread per row, v2 one warp per row (shuffle reductions)
// backward: v1 one thread per row for dinp, v2 one warp per row; both then one thread per column
//           for dweight and dbias, summing over the rows in order (no atomics: deterministic)
inline constexpr int layernorm_forward_gpu_versions = 2;
inline constexpr int layernorm_forward_gpu_default = 2;
inline constexpr int layernorm_backward_gpu_versions = 2;
inline constexpr int layernorm_backward_gpu_default = 2;
// residual_layernorm: v1 unfused (an add kernel, then layernorm forward v2: the baseline the
// fusion is measured against), v2 fused (a warp per row adds, writes sum and normalises it)
inline constexpr int residual_layernorm_gpu_versions = 2;
inline constexpr int residual_layernorm_gpu_default = 2;
#define LADDER_LAYERNORM_GPU_API                                                                                       \
    void layernorm_forward(int version, float* out, float* mean, float* rstd, const float* inp, const float* weight,  \
                           const float* bias, std::size_t R, std::size_t C, float eps);                                \
    void layernorm_backward(int version, float* dinp, float* dweight, float* dbias, const float* dout,                \
                            const float* inp, const float* weight, const float* mean, const float* rstd,             \
                            std::size_t R, std::size_t C);                                                  \
    void residual_layernorm_forward(int version, float* sum, float* out, float* mean, float* rstd, const float* a,    \
                                    const float* b, const float* weight, const float* bias, std::size_t R,           \
                                    std::size_t C, float eps);
namespace simt { LADDER_LAYERNORM_GPU_API }
namespace cuda { LADDER_LAYERNORM_GPU_API }
#undef LADDER_LAYERNORM_GPU_API

// ---- on Tensors ----
// inp, out (..., C); weight, bias (C); mean, rstd (...): the leading dims flattened to R rows.
void layernorm_forward(const Backend& be, Tensor& out, Tensor& mean, Tensor& rstd, const Tensor& inp,
                       const Tensor& weight, const Tensor& bias, float eps = layernorm_eps);
// a, b, sum (..., C) alike (sum may be a or b: in place); out like them; the rest as above.
void residual_layernorm_forward(const Backend& be, Tensor& sum, Tensor& out, Tensor& mean, Tensor& rstd,
                                const Tensor& a, const Tensor& b, const Tensor& weight, const Tensor& bias,
                                float eps = layernorm_eps);
void layernorm_backward(const Backend& be, Tensor& dinp, Tensor& dweight, Tensor& dbias, const Tensor& dout,
                        const Tensor& inp, const Tensor& weight, const Tensor& mean, const Tensor& rstd);

}  // namespace ladder
