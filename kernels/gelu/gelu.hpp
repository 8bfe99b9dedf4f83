// gelu.hpp: GELU, the activation of GPT-2's MLP, in the tanh approximation GPT-2 was trained with
// (Hendrycks and Gimpel 2016), forward and backward, elementwise over n values.
//   forward:  out[i] = 0.5 x (1 + tanh(k (x + 0.044715 x^3))),  x = inp[i], k = sqrt(2/pi)
//   backward: dinp[i] += gelu'(inp[i]) * dout[i]   (accumulates: dinp is a gradient buffer)
//   gelu'(x) = 0.5 (1 + t) + 0.5 x (1 - t^2) k (1 + 3 * 0.044715 x^2),  t = tanh(k (x + 0.044715 x^3))
// The backward reads the forward's input (llm.c does the same: the output alone does not give x).
// Introduced in ch07.
#pragma once

#include <cstddef>

#include "core/backend.hpp"
#include "core/tensor.hpp"

namespace ladder {

// The approximation's two constants, named once for the CPU, the GPU and the tests.
inline constexpr double gelu_k = 0.7978845608028654;   // sqrt(2 / pi)
inline constexpr double gelu_c = 0.044715;

// ---- CPU (gelu_cpu.cpp) ----
// References, T = float or double (double for the gradient check).
template <class T>
void gelu_forward_cpu(T* out, const T* inp, std::size_t n);
template <class T>
void gelu_backward_cpu(T* dinp, const T* inp, const T* dout, std::size_t n);

// ---- GPU (gelu.cu): v1 one thread per element, v2 a fixed grid striding over the array ----
inline constexpr int gelu_forward_gpu_versions = 2;
inline constexpr int gelu_forward_gpu_default = 2;
inline constexpr int gelu_backward_gpu_versions = 2;
inline constexpr int gelu_backward_gpu_default = 2;
#define LADDER_GELU_GPU_API                                                                                            \
    void gelu_forward(int version, float* out, const float* inp, std::size_t n);                                       \
    void gelu_backward(int version, float* dinp, const float* inp, const float* dout, std::size_t n);
namespace simt { LADDER_GELU_GPU_API }
namespace cuda { LADDER_GELU_GPU_API }
#undef LADDER_GELU_GPU_API

// ---- on Tensors ----
// out = gelu(inp), the same shape.
void gelu_forward(const Backend& be, Tensor& out, const Tensor& inp);
// dinp += gelu'(inp) * dout, all of the same shape.
void gelu_backward(const Backend& be, Tensor& dinp, const Tensor& inp, const Tensor& dout);

}  // namespace ladder
