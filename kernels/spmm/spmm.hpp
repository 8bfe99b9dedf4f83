// spmm.hpp: a sparse (CSR) matrix A (R,K) times a dense matrix, and the transposed product:
//   ta = false:  C (R,N)  = alpha * A B + beta * C       B (K,N)
//   ta = true:   C (K,N) += alpha * A^T B                B (R,N); always accumulates into C
// A is row_ptr (R+1), col (nnz) int32, val (nnz). Introduced in ch02: a classifier's
// logits are X W (documents x words times words x classes) and its SGD step is
// W += -lr X^T dlogits, touching only the rows of W whose words occur in the batch.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/backend.hpp"
#include "core/tensor.hpp"

namespace ladder {

struct SpmmDims {
    std::size_t R = 0, K = 0, N = 0;   // A is (R,K); B and C have N columns
    bool ta = false;                   // use A^T: C (K,N) += alpha A^T B, B (R,N)
    float alpha = 1.0f;
    float beta = 0.0f;                 // ta = false only: 0 -> C is write-only (may hold NaN), 1 -> accumulate
};

// ---- CPU ----
// The reference, T = float or double; sums each output's terms in CSR order.
template <class T>
void spmm_cpu(T* c, const std::int32_t* row_ptr, const std::int32_t* col, const T* val, const T* b, const SpmmDims& d);

// ---- GPU (spmm.cu): v1 one thread per output (or per B element, ta), v2 one warp per row ----
inline constexpr int spmm_gpu_versions = 2;
inline constexpr int spmm_gpu_default = 2;
#define LADDER_SPMM_GPU_API                                                                                            \
    void spmm(int version, float* c, const std::int32_t* row_ptr, const std::int32_t* col, const float* val,           \
              const float* b, const SpmmDims& d);
namespace simt { LADDER_SPMM_GPU_API }
namespace cuda { LADDER_SPMM_GPU_API }
#undef LADDER_SPMM_GPU_API

// ---- on Tensors ----
// A = (row_ptr (R+1), col (nnz), val (nnz)) with K columns. ta = false: c (R,N) = alpha A b + beta c,
// b (K,N). ta = true: c (K,N) += alpha A^T b, b (R,N) (beta must be 1).
void spmm(const Backend& be, Tensor& c, const Tensor& row_ptr, const Tensor& col, const Tensor& val, std::size_t K,
          const Tensor& b, bool ta = false, float alpha = 1.0f, float beta = 0.0f);

}  // namespace ladder
