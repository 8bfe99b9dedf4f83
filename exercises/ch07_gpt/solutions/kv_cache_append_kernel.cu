// Solution to exercise 7.5: one thread per appended element, k and v together.
#include "core/kernel.hpp"
#include "exercises/ch07_gpt/exercises.hpp"

namespace ladder::LADDER_GPU_NS::ex07 {

static __global__ void kv_cache_append_ex_kernel(float* cache_k, float* cache_v, const float* k, const float* v,
                                                 std::size_t BH, std::size_t n, std::size_t Tmax, std::size_t hs,
                                                 std::size_t pos) {
    const std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i >= BH * n * hs) return;
    // i = (bh * n + t) * hs + j
    const std::size_t j = i % hs, t = (i / hs) % n, bh = i / (n * hs);
    const std::size_t dst = (bh * Tmax + pos + t) * hs + j;
    cache_k[dst] = k[i];
    cache_v[dst] = v[i];
}

void kv_cache_append_kernel(float* cache_k, float* cache_v, const float* k, const float* v, std::size_t BH,
                            std::size_t n, std::size_t Tmax, std::size_t hs, std::size_t pos) {
    const std::size_t total = BH * n * hs;
    if (total == 0) return;
    launch(kv_cache_append_ex_kernel, dim3(ceil_div(total, 256)), dim3(256), 0, 0, cache_k, cache_v, k, v, BH, n,
           Tmax, hs, pos);
}

}  // namespace ladder::LADDER_GPU_NS::ex07
