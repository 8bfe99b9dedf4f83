// cosine_topk.hpp: for each query row, the k rows of a table most similar by cosine, fused
// (similarities are never stored). queries (M,D), table (V,D), table_inv_norm (V), exclude
// (M,X) -> top_ids (M,k) int32, top_sims (M,k), best first. Introduced in ch03 (neighbours,
// analogies); ch11's retrieval searches the same way.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/backend.hpp"
#include "core/tensor.hpp"

namespace ladder {

struct TopkDims {
    std::size_t M = 0;   // queries
    std::size_t V = 0;   // table rows
    std::size_t D = 0;   // vector size
    std::size_t k = 0;   // results per query, 1..cosine_topk_max_k
    std::size_t X = 0;   // excluded ids per query (rows of `exclude`; -1 = none)
};

// sim(m, v) = (q_m . e_v * q_inv) * table_inv_norm[v], q_inv = 1 / |q_m| (0 for a zero
// query). The k best (sim descending; equal sims: the smaller id first) over rows not in
// exclude[m]; when fewer than k rows remain, the rest of the row is id -1, sim -inf.
// table_inv_norm[v] = 1 / |e_v| (0 for a zero row) is the caller's, computed once per table.
template <class T>
void cosine_topk_cpu(std::int32_t* top_ids, T* top_sims, const T* queries, const T* table, const T* table_inv_norm,
                     const std::int32_t* exclude, const TopkDims& d);

// ---- GPU (cosine_topk.cu): v1 one thread per query, v2 one block per query ----
inline constexpr int cosine_topk_gpu_versions = 2;
inline constexpr int cosine_topk_gpu_default = 2;
inline constexpr std::size_t cosine_topk_max_k = 32;
#define LADDER_COSINE_TOPK_GPU_API                                                                                     \
    void cosine_topk(int version, std::int32_t* top_ids, float* top_sims, const float* queries, const float* table,    \
                     const float* table_inv_norm, const std::int32_t* exclude, const TopkDims& d);
namespace simt { LADDER_COSINE_TOPK_GPU_API }
namespace cuda { LADDER_COSINE_TOPK_GPU_API }
#undef LADDER_COSINE_TOPK_GPU_API

// ---- on Tensors ----
// top_ids (M,k) int32, top_sims (M,k) from queries (M,D), table (V,D), inv_norm (V) and
// exclude (M,X) int32 (X may be 0: pass an undefined Tensor).
void cosine_topk(const Backend& be, Tensor& top_ids, Tensor& top_sims, const Tensor& queries, const Tensor& table,
                 const Tensor& inv_norm, const Tensor& exclude);

}  // namespace ladder
