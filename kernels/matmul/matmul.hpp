// matmul.hpp: C (M,N) = alpha * op(A) op(B) + beta * C, row-major, op = identity or transpose.
// A is (M,K), or (K,M) when ta; B is (K,N), or (N,K) when tb. The three forms a linear
// layer needs: forward C = X W^T (tb), backward dX = dY W (nn), dW += dY^T X (ta, beta 1).
// Introduced in ch01; every model from ch05 on multiplies through it.
#pragma once

#include <cstddef>

#include "core/backend.hpp"
#include "core/tensor.hpp"

namespace ladder {

struct MatmulDims {
    std::size_t M = 0, N = 0, K = 0;
    bool ta = false;      // A is stored (K,M): use its transpose
    bool tb = false;      // B is stored (N,K): use its transpose
    float alpha = 1.0f;
    float beta = 0.0f;    // 0: C is write-only (may hold NaN); 1: accumulate into C
};

// ---- CPU ----
// The reference: xtensor adaptors and xt::blas::gemm (OpenBLAS sgemm/dgemm). T is float
// or double (double for finite-difference checks).
template <class T>
void matmul_cpu(T* c, const T* a, const T* b, const MatmulDims& d);
// The textbook triple loop (i, j, k): one dot product per output. Slow on purpose.
void matmul_cpu_loops(float* c, const float* a, const float* b, const MatmulDims& d);
// cblas_sgemm called directly, the peer our reference path is measured against.
void matmul_cpu_cblas(float* c, const float* a, const float* b, const MatmulDims& d);

// ---- GPU (kernels/matmul/matmul.cu), the same source on the emulator and on CUDA ----
// v1 naive, v2 shared-memory tiles, v3 4x4 register tiles, v4 8x8 register tiles (matmul.cu).
inline constexpr int matmul_gpu_versions = 4;
inline constexpr int matmul_gpu_default = 4;
#define LADDER_MATMUL_GPU_API                                                                                          \
    void matmul(int version, float* c, const float* a, const float* b, const MatmulDims& d);
namespace simt { LADDER_MATMUL_GPU_API }
namespace cuda { LADDER_MATMUL_GPU_API }
#undef LADDER_MATMUL_GPU_API

#if LADDER_WITH_CUDA
// cuBLAS sgemm on device pointers: the peer v1..v3 are measured against on a GPU.
void matmul_cublas(float* c, const float* a, const float* b, const MatmulDims& d);
#endif

// ---- on Tensors ----
// c = alpha * op(a) op(b) + beta * c on the backend's device (GPU: the backend's chosen
// version of "matmul", default v4). Checks shapes and devices.
void matmul(const Backend& be, Tensor& c, const Tensor& a, const Tensor& b, bool ta = false, bool tb = false,
            float alpha = 1.0f, float beta = 0.0f);

}  // namespace ladder
