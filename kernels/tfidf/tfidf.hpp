// tfidf.hpp: TF-IDF weighting of a sparse (CSR) count matrix, then every row scaled to unit
// length. row_ptr (R+1), col (nnz) int32, counts (nnz), idf (V) -> out (nnz):
//   w[j] = counts[j] * idf[col[j]];  out[j] = w[j] / sqrt(sum of w^2 over j's row)  (0 if the row is 0)
// Introduced in ch02 (bag of words): after it, a dot product of two rows is their cosine.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/backend.hpp"
#include "core/tensor.hpp"

namespace ladder {

// ---- CPU ----
// The reference (T = float or double). out may not alias counts.
template <class T>
void tfidf_cpu(T* out, const std::int32_t* row_ptr, const std::int32_t* col, const T* counts, const T* idf,
               std::size_t rows);

// ---- GPU (tfidf.cu): v1 one thread per row, v2 one warp per row ----
inline constexpr int tfidf_gpu_versions = 2;
inline constexpr int tfidf_gpu_default = 2;
#define LADDER_TFIDF_GPU_API                                                                                           \
    void tfidf(int version, float* out, const std::int32_t* row_ptr, const std::int32_t* col, const float* counts,     \
               const float* idf, std::size_t rows);
namespace simt { LADDER_TFIDF_GPU_API }
namespace cuda { LADDER_TFIDF_GPU_API }
#undef LADDER_TFIDF_GPU_API

// ---- on Tensors ----
// out (nnz) = unit-length rows of counts (nnz) * idf[col]; row_ptr (R+1), col (nnz) int32, idf (V).
void tfidf(const Backend& be, Tensor& out, const Tensor& row_ptr, const Tensor& col, const Tensor& counts,
           const Tensor& idf);

}  // namespace ladder
