// tanh.hpp: the tanh activation, forward and backward, elementwise over n values.
//   forward:  out[i] = tanh(inp[i])
//   backward: dinp[i] += (1 - out[i]^2) * dout[i]   (accumulates: dinp is a gradient buffer)
// The backward reads the forward's output, not its input. Introduced in ch05 (the MLP's hidden layer).
#pragma once

#include <cstddef>

#include "core/backend.hpp"
#include "core/tensor.hpp"

namespace ladder {

// ---- CPU (tanh_cpu.cpp) ----
// References, T = float or double (double for the gradient check).
template <class T>
void tanh_forward_cpu(T* out, const T* inp, std::size_t n);
template <class T>
void tanh_backward_cpu(T* dinp, const T* out, const T* dout, std::size_t n);

// ---- GPU (tanh.cu): v1 one thread per element, v2 a fixed grid striding over the array ----
inline constexpr int tanh_forward_gpu_versions = 2;
inline constexpr int tanh_forward_gpu_default = 2;
inline constexpr int tanh_backward_gpu_versions = 2;
inline constexpr int tanh_backward_gpu_default = 2;
#define LADDER_TANH_GPU_API                                                                                            \
    void tanh_forward(int version, float* out, const float* inp, std::size_t n);                                       \
    void tanh_backward(int version, float* dinp, const float* out, const float* dout, std::size_t n);
namespace simt { LADDER_TANH_GPU_API }
namespace cuda { LADDER_TANH_GPU_API }
#undef LADDER_TANH_GPU_API

// ---- on Tensors ----
// out = tanh(inp), the same shape.
void tanh_forward(const Backend& be, Tensor& out, const Tensor& inp);
// dinp += (1 - out^2) * dout, all of the same shape.
void tanh_backward(const Backend& be, Tensor& dinp, const Tensor& out, const Tensor& dout);

}  // namespace ladder
