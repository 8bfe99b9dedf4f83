// Exercise 7.5: appending to the KV cache on the GPU. While generating, each layer keeps the keys
// and values of every position seen so far in caches (BH,Tmax,hs), BH = B * NH heads. A chunk of
// n new positions (n = the prompt's length at the first step, then 1 per token) arrives as
// k, v (BH,n,hs) and is copied into rows pos .. pos + n - 1 of every head:
//   cache_k[bh][pos + t][i] = k[bh][t][i],   cache_v likewise,   t < n, i < hs
// Every other row of the caches stays as it was (it holds earlier tokens, or nothing yet).
// Device pointers; pos + n <= Tmax. Introduced in ch07 (the kv_cache op, kernels/kv_cache, is the
// reference: its append v1 is this kernel).
#include "core/kernel.hpp"
#include "exercises/ch07_gpt/exercises.hpp"

namespace ladder::LADDER_GPU_NS::ex07 {

// Hint: one thread per element of k (and the same element of v), BH * n * hs of them (std::size_t):
// i = blockIdx.x * blockDim.x + threadIdx.x, nothing to do past the end. Split i the way k is laid
// out, i = (bh * n + t) * hs + j: j = i % hs, t = (i / hs) % n, bh = i / (n * hs). The destination
// row is pos + t of head bh in a cache of Tmax rows: (bh * Tmax + pos + t) * hs + j. Copy both k
// and v there. Consecutive threads read and write consecutive floats (coalesced).
static __global__ void kv_cache_append_ex_kernel(float* cache_k, float* cache_v, const float* k, const float* v,
                                                 std::size_t BH, std::size_t n, std::size_t Tmax, std::size_t hs,
                                                 std::size_t pos) {
    // TODO(ex7.5): i, return past BH * n * hs, split it, copy one float of k and one of v.
}

void kv_cache_append_kernel(float* cache_k, float* cache_v, const float* k, const float* v, std::size_t BH,
                            std::size_t n, std::size_t Tmax, std::size_t hs, std::size_t pos) {
    // TODO(ex7.5): total = BH * n * hs; if (total == 0) return; then
    // launch(kv_cache_append_ex_kernel, dim3(ceil_div(total, 256)), dim3(256), 0, 0,
    //        cache_k, cache_v, k, v, BH, n, Tmax, hs, pos);
    // and delete the throw below.
    throw NotImplemented("exercise 7.5: kv_cache_append_kernel (exercises/ch07_gpt/kv_cache_append_kernel.cu)");
}

}  // namespace ladder::LADDER_GPU_NS::ex07
