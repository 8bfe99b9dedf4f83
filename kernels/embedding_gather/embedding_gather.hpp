// embedding_gather.hpp: rows of an embedding table picked by int32 ids, and the backward
// scatter-add. table (V,D), ids (B) -> out (B,D) = table[ids]; table[ids[b]] += scale * rows[b].
// Introduced in ch03 (word2vec looks up and updates rows); ch05's embedding layers reuse it.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/backend.hpp"
#include "core/tensor.hpp"

namespace ladder {

// ---- CPU (embedding_gather_cpu.cpp) ----
// out (B,D) = table (V,D) [ids (B)]. Throws when an id is outside [0, V).
template <class T>
void embedding_gather_cpu(T* out, const T* table, const std::int32_t* ids, std::size_t B, std::size_t V, std::size_t D);
// table (V,D) [ids[b]] += scale * rows (B,D) [b], for b = 0..B-1 in order. Ids may repeat:
// a row that appears n times receives n additions. Ids < 0 are skipped (padding).
template <class T>
void embedding_scatter_add_cpu(T* table, const T* rows, const std::int32_t* ids, std::size_t B, std::size_t V,
                               std::size_t D, T scale);

// ---- GPU (embedding_gather.cu) ----
// gather v1: one thread per output element. scatter_add v1: one thread per element of
// rows, atomicAdd into the table (repeated ids collide; the order of the additions is
// the hardware's).
inline constexpr int embedding_gather_gpu_versions = 1;
inline constexpr int embedding_gather_gpu_default = 1;
inline constexpr int embedding_scatter_add_gpu_versions = 1;
inline constexpr int embedding_scatter_add_gpu_default = 1;
#define LADDER_EMBEDDING_GATHER_GPU_API                                                                                \
    void embedding_gather(int version, float* out, const float* table, const std::int32_t* ids, std::size_t B,         \
                          std::size_t V, std::size_t D);                                                               \
    void embedding_scatter_add(int version, float* table, const float* rows, const std::int32_t* ids, std::size_t B,   \
                               std::size_t V, std::size_t D, float scale);
namespace simt { LADDER_EMBEDDING_GATHER_GPU_API }
namespace cuda { LADDER_EMBEDDING_GATHER_GPU_API }
#undef LADDER_EMBEDDING_GATHER_GPU_API

// ---- on Tensors ----
// out (B,D) = table (V,D) [ids (B, int32)]; table [ids] += scale * rows (B,D).
void embedding_gather(const Backend& be, Tensor& out, const Tensor& table, const Tensor& ids);
void embedding_scatter_add(const Backend& be, Tensor& table, const Tensor& rows, const Tensor& ids, float scale);

}  // namespace ladder
