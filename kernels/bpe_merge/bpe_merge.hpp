// bpe_merge.hpp: apply one BPE merge to a token array: every (left, right), taken left
// to right without overlap, becomes `result`. tokens (n) -> out (n): the m merged tokens,
// then -1 up to n; out_len (1) = m. Introduced in ch04.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/backend.hpp"
#include "core/tensor.hpp"

namespace ladder {

struct MergeRule {
    std::int32_t left = 0, right = 0, result = 0;
};

// ---- CPU ----
// bpe_merge([a b a b b], (a, b) -> Z) -> [Z Z b];  ([a a a], (a, a) -> Z) -> [Z a]
void bpe_merge_cpu(std::int32_t* out, std::int32_t* out_len, const std::int32_t* tokens, std::size_t n, MergeRule rule);

// ---- GPU (bpe_merge.cu) ----
// Three steps: mark where a merge starts and which positions survive, exclusive scan of
// the survivors (their new positions), scatter. v1 scans with scan v2 (blocks combined
// in levels), v2 with scan v3 (one pass, decoupled look-back).
inline constexpr int bpe_merge_gpu_versions = 2;
inline constexpr int bpe_merge_gpu_default = 2;
#define LADDER_BPE_MERGE_GPU_API                                                                                       \
    void bpe_merge(int version, std::int32_t* out, std::int32_t* out_len, const std::int32_t* tokens, std::size_t n,   \
                   MergeRule rule);
namespace simt { LADDER_BPE_MERGE_GPU_API }
namespace cuda { LADDER_BPE_MERGE_GPU_API }
#undef LADDER_BPE_MERGE_GPU_API

// ---- on Tensors ----
// out (n) int32: tokens (n) int32 with `rule` applied, then -1; out_len (1) int32 = m.
void bpe_merge(const Backend& be, Tensor& out, Tensor& out_len, const Tensor& tokens, MergeRule rule);

}  // namespace ladder
