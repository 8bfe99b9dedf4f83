// sgns.hpp: skip-gram with negative sampling, forward and backward for a batch of B pairs.
// w_in (V,D), w_out (V,D), in_ids (B), out_ids (B,K1) with column 0 the positive (label 1)
// and columns 1..K1-1 the negatives (label 0) -> loss (B), d_in (B,D), d_out (B,K1,D).
// Introduced in ch03 (word2vec); every output is overwritten, nothing accumulates.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/backend.hpp"
#include "core/tensor.hpp"

namespace ladder {

struct SgnsDims {
    std::size_t B = 0;    // pairs in the batch
    std::size_t K1 = 0;   // 1 + negatives per pair
    std::size_t V = 0;    // rows of w_in and w_out
    std::size_t D = 0;    // embedding size
};

// For pair b, with u = w_in[in_ids[b]] and v_k = w_out[out_ids[b][k]], s_k = u . v_k:
//   loss[b]     = -log sigmoid(s_0) - sum_{k>=1} log sigmoid(-s_k)
//   g_k         = sigmoid(s_k) - [k == 0]          (= d loss / d s_k)
//   d_in[b]     = sum_k g_k v_k                    (= d loss / d u)
//   d_out[b][k] = g_k u                            (= d loss / d v_k)
// The reference is a template so finite-difference checks can run in double.
template <class T>
void sgns_cpu(T* loss, T* d_in, T* d_out, const T* w_in, const T* w_out, const std::int32_t* in_ids,
              const std::int32_t* out_ids, const SgnsDims& d);

// ---- GPU (sgns.cu): v1 one thread per pair, v2 one warp per pair ----
inline constexpr int sgns_gpu_versions = 2;
inline constexpr int sgns_gpu_default = 2;
// On the emulator v1 runs fastest: there a warp shuffle costs a fiber switch per lane.
inline constexpr int sgns_simt_fastest = 1;
inline constexpr std::size_t sgns_max_k1 = 32;   // negatives + 1, at most
#define LADDER_SGNS_GPU_API                                                                                            \
    void sgns(int version, float* loss, float* d_in, float* d_out, const float* w_in, const float* w_out,              \
              const std::int32_t* in_ids, const std::int32_t* out_ids, const SgnsDims& d);
namespace simt { LADDER_SGNS_GPU_API }
namespace cuda { LADDER_SGNS_GPU_API }
#undef LADDER_SGNS_GPU_API

// ---- on Tensors ----
// loss (B), d_in (B,D), d_out (B,K1,D) from w_in (V,D), w_out (V,D), in_ids (B), out_ids (B,K1).
void sgns(const Backend& be, Tensor& loss, Tensor& d_in, Tensor& d_out, const Tensor& w_in, const Tensor& w_out,
          const Tensor& in_ids, const Tensor& out_ids);

}  // namespace ladder
