// kv_cache.hpp: what generation with a KV cache needs from attention. The keys and values of
// the positions already seen are kept, per layer, in caches (BH,Tmax,hs); a new token's key and
// value are appended, and its query attends to the cache instead of recomputing the window.
//   kv_cache_append:   cache_k[bh][pos + t] = k[bh][t], cache_v likewise, t < n  (a copy)
//   attention_cached:  query t of n, at position pos + t, sees the cached keys s <= pos + t:
//                      out[bh][t] = sum_s softmax_s(scale q_t . k_s) v_s
// With pos = 0 and n = Tmax this is causal attention over the window (attention_fused's out).
// Prefill is n = the prompt's length at pos 0; each step after is n = 1 at pos = the tokens so far.
// Introduced in ch07.
#pragma once

#include <cstddef>

#include "core/backend.hpp"
#include "core/tensor.hpp"

namespace ladder {

// ---- CPU (kv_cache_cpu.cpp) ----
// References, T = float or double. BH = B*NH heads; q, k, v, out (BH,n,hs); caches (BH,Tmax,hs).
template <class T>
void kv_cache_append_cpu(T* cache_k, T* cache_v, const T* k, const T* v, std::size_t BH, std::size_t n,
                         std::size_t Tmax, std::size_t hs, std::size_t pos);
// One query row at a time: its scores over the keys it sees, the max subtracted, the softmax,
// the weighted sum of the values.
template <class T>
void attention_cached_cpu(T* out, const T* q, const T* cache_k, const T* cache_v, std::size_t BH, std::size_t n,
                          std::size_t Tmax, std::size_t hs, std::size_t pos, T scale);

// ---- GPU (kv_cache.cu) ----
// append:    v1 a thread per copied element
// attention: v1 a thread per query row, the online softmax over the keys in global memory;
//            v2 a warp per query row: the lanes split the keys, each keeps its own (max, sum,
//            weighted sum), and the warp merges the 32 states with shuffles (decoding has one
//            query per head: v1 would run BH threads, v2 runs 32 BH)
inline constexpr std::size_t attention_cached_max_head_size = 128;
inline constexpr int kv_cache_append_gpu_versions = 1;
inline constexpr int kv_cache_append_gpu_default = 1;
inline constexpr int attention_cached_gpu_versions = 2;
inline constexpr int attention_cached_gpu_default = 2;
#define LADDER_KV_CACHE_GPU_API                                                                                        \
    void kv_cache_append(int version, float* cache_k, float* cache_v, const float* k, const float* v,                 \
                         std::size_t BH, std::size_t n, std::size_t Tmax, std::size_t hs, std::size_t pos);            \
    void attention_cached(int version, float* out, const float* q, const float* cache_k, const float* cache_v,        \
                          std::size_t BH, std::size_t n, std::size_t Tmax, std::size_t hs, std::size_t pos,            \
                          float scale);
namespace simt { LADDER_KV_CACHE_GPU_API }
namespace cuda { LADDER_KV_CACHE_GPU_API }
#undef LADDER_KV_CACHE_GPU_API

// ---- on Tensors ----
// k, v (B,NH,n,hs) into cache_k, cache_v (B,NH,Tmax,hs) at rows [pos, pos + n): pos + n <= Tmax.
void kv_cache_append(const Backend& be, Tensor& cache_k, Tensor& cache_v, const Tensor& k, const Tensor& v,
                     std::size_t pos);
// q, out (B,NH,n,hs): the n queries at positions pos.. against cache_k, cache_v (B,NH,Tmax,hs).
void attention_cached(const Backend& be, Tensor& out, const Tensor& q, const Tensor& cache_k, const Tensor& cache_v,
                      std::size_t pos, float scale);

}  // namespace ladder
