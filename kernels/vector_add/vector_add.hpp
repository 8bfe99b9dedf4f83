// vector_add.hpp: out[i] = a[i] + b[i] for i < n: the "hello world" of GPU kernels, and
// the residual connection of ch07. Memory-bound: 12 bytes moved per add.
// Introduced in ch01.
#pragma once

#include <cstddef>

#include "core/backend.hpp"
#include "core/tensor.hpp"

namespace ladder {

// ---- CPU ----
template <class T>
void vector_add_cpu(T* out, const T* a, const T* b, std::size_t n);

// ---- GPU (vector_add.cu): v1 one thread per element, v2 grid-stride with float4 ----
inline constexpr int vector_add_gpu_versions = 2;
inline constexpr int vector_add_gpu_default = 2;
#define LADDER_VECTOR_ADD_GPU_API                                                                                      \
    void vector_add(int version, float* out, const float* a, const float* b, std::size_t n);
namespace simt { LADDER_VECTOR_ADD_GPU_API }
namespace cuda { LADDER_VECTOR_ADD_GPU_API }
#undef LADDER_VECTOR_ADD_GPU_API

// ---- on Tensors ----
// out = a + b, all of the same shape, on the backend's device.
void add(const Backend& be, Tensor& out, const Tensor& a, const Tensor& b);

}  // namespace ladder
