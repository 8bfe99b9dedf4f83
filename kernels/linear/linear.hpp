// linear.hpp: the fully connected layer, forward and backward, on rows of N = prod(leading dims).
//   forward:  out (N,OC) = inp (N,C) weight (OC,C)^T + bias (OC)
//   backward: dinp (N,C) += dout weight;  dweight (OC,C) += dout^T inp;  dbias (OC) += sum_n dout[n]
// The matmuls go through kernels/matmul; the bias add and the bias gradient are this op's. Introduced in ch05.
#pragma once

#include <cstddef>

#include "core/backend.hpp"
#include "core/tensor.hpp"

namespace ladder {

// ---- CPU (linear_cpu.cpp) ----
// References, T = float or double (double for the gradient check). bias, dinp and dbias may
// be nullptr: no bias in the forward; that gradient skipped in the backward. Every gradient
// accumulates (+=) into its buffer; out is overwritten.
template <class T>
void linear_forward_cpu(T* out, const T* inp, const T* weight, const T* bias, std::size_t N, std::size_t C,
                        std::size_t OC);
template <class T>
void linear_backward_cpu(T* dinp, T* dweight, T* dbias, const T* dout, const T* inp, const T* weight, std::size_t N,
                         std::size_t C, std::size_t OC);

// ---- GPU (linear.cu) ----
// The version picks the bias kernel; the matmuls inside use matmul_gpu_default.
// forward:  v1 one thread per element of out, v2 a thread per column striding over rows (bias in a register)
// backward: v1 one thread per column looping over N, v2 a block per 32 columns reducing over N in shared memory
inline constexpr int linear_forward_gpu_versions = 2;
inline constexpr int linear_forward_gpu_default = 2;
inline constexpr int linear_backward_gpu_versions = 2;
inline constexpr int linear_backward_gpu_default = 2;
#define LADDER_LINEAR_GPU_API                                                                                          \
    void linear_forward(int version, float* out, const float* inp, const float* weight, const float* bias,            \
                        std::size_t N, std::size_t C, std::size_t OC);                                                 \
    void linear_backward(int version, float* dinp, float* dweight, float* dbias, const float* dout, const float* inp, \
                         const float* weight, std::size_t N, std::size_t C, std::size_t OC);
namespace simt { LADDER_LINEAR_GPU_API }
namespace cuda { LADDER_LINEAR_GPU_API }
#undef LADDER_LINEAR_GPU_API

// ---- on Tensors ----
// inp (...,C), weight (OC,C), bias (OC) or nullptr -> out (...,OC) = inp weight^T + bias. inp and
// out have rank >= 2 and the same leading dims, which flatten to N (models pass (B,T,C) and views).
void linear_forward(const Backend& be, Tensor& out, const Tensor& inp, const Tensor& weight, const Tensor* bias);
// Every gradient ACCUMULATES (+=) like a gradient buffer; dinp and dbias may be nullptr (skipped):
//   dinp (...,C) += dout (...,OC) weight (OC,C);  dweight (OC,C) += dout^T inp;  dbias (OC) += sum_n dout[n]
void linear_backward(const Backend& be, Tensor* dinp, Tensor& dweight, Tensor* dbias, const Tensor& dout,
                     const Tensor& inp, const Tensor& weight);

}  // namespace ladder
