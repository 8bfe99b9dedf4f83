// kv_cache_cpu.cpp: the KV cache's append and cached attention on the CPU (layouts in
// kv_cache.hpp), T = float or double. Introduced in ch07.
#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels/kv_cache/kv_cache.hpp"

namespace ladder {

template <class T>
void kv_cache_append_cpu(T* cache_k, T* cache_v, const T* k, const T* v, std::size_t BH, std::size_t n,
                         std::size_t Tmax, std::size_t hs, std::size_t pos) {
    for (std::size_t bh = 0; bh < BH; ++bh) {
        std::copy(k + bh * n * hs, k + (bh + 1) * n * hs, cache_k + (bh * Tmax + pos) * hs);
        std::copy(v + bh * n * hs, v + (bh + 1) * n * hs, cache_v + (bh * Tmax + pos) * hs);
    }
}

// [book:attention-cached-cpu]
template <class T>
void attention_cached_cpu(T* out, const T* q, const T* cache_k, const T* cache_v, std::size_t BH, std::size_t n,
                          std::size_t Tmax, std::size_t hs, std::size_t pos, T scale) {
    std::vector<T> w(pos + n);   // one query's weights over the keys it sees
    for (std::size_t bh = 0; bh < BH; ++bh) {
        const T *k_h = cache_k + bh * Tmax * hs, *v_h = cache_v + bh * Tmax * hs;
        for (std::size_t t = 0; t < n; ++t) {
            const T* q_t = q + (bh * n + t) * hs;
            const std::size_t keys = pos + t + 1;   // causal: the cached positions up to its own
            T m = -INFINITY;
            for (std::size_t s = 0; s < keys; ++s) {
                T dot = 0;
                for (std::size_t j = 0; j < hs; ++j) dot += q_t[j] * k_h[s * hs + j];
                w[s] = scale * dot;
                m = std::max(m, w[s]);
            }
            T sum = 0;
            for (std::size_t s = 0; s < keys; ++s) sum += (w[s] = std::exp(w[s] - m));
            T* o = out + (bh * n + t) * hs;
            std::fill(o, o + hs, T(0));
            for (std::size_t s = 0; s < keys; ++s)
                for (std::size_t j = 0; j < hs; ++j) o[j] += w[s] * v_h[s * hs + j];
            for (std::size_t j = 0; j < hs; ++j) o[j] /= sum;
        }
    }
}
// [/book]

#define LADDER_KV_CACHE_INSTANTIATE(T)                                                                                 \
    template void kv_cache_append_cpu<T>(T*, T*, const T*, const T*, std::size_t, std::size_t, std::size_t,          \
                                         std::size_t, std::size_t);                                                    \
    template void attention_cached_cpu<T>(T*, const T*, const T*, const T*, std::size_t, std::size_t, std::size_t,   \
                                          std::size_t, std::size_t, T);
LADDER_KV_CACHE_INSTANTIATE(float)
LADDER_KV_CACHE_INSTANTIATE(double)
#undef LADDER_KV_CACHE_INSTANTIATE

}  // namespace ladder
