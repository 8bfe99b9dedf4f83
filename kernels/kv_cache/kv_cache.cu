// kv_cache.cu: the KV cache on the GPU (layouts in kv_cache.hpp): the append v1 and the cached
// attention v1..v2. Introduced in ch07; the same file runs on the emulator.
//
// append    v1  a thread per copied element                           (coalesced both sides)
// attention v1  a thread per query row: the online softmax over the    (baseline; decoding has
//               keys it sees, read from global memory                   n = 1: only BH threads)
// attention v2  a warp per query row: lane i takes the keys i, i + 32,  (32x the threads; the
//               ... with its own online softmax state (m, l, acc); the  merge costs 5 (hs + 2)
//               warp merges the 32 states by shuffle butterflies         shuffles per row)
#include "core/kernel.hpp"
#include "kernels/kv_cache/kv_cache.hpp"
#include "kernels/warp_reduce.hpp"

namespace ladder::LADDER_GPU_NS {

namespace {
constexpr unsigned kThreads = 256;
constexpr unsigned kWarp = 32;
constexpr std::size_t kMaxHs = attention_cached_max_head_size;
}  // namespace

// [book:kv-cache-append]
static __global__ void kv_cache_append_v1_kernel(float* cache_k, float* cache_v, const float* k, const float* v,
                                                 std::size_t BH, std::size_t n, std::size_t Tmax, std::size_t hs,
                                                 std::size_t pos) {
    const std::size_t e = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (e >= BH * n * hs) return;
    const std::size_t bh = e / (n * hs), within = e % (n * hs);   // within = t hs + j
    const std::size_t dst = (bh * Tmax + pos) * hs + within;
    cache_k[dst] = k[e];
    cache_v[dst] = v[e];
}
// [/book]

// One key of the online softmax: the state (m, l, acc) of the keys so far takes a score x and its
// value row; a new max rescales what was summed (exp(-inf) = 0 the first time).
static __device__ inline void online_add(float x, const float* v_row, std::size_t hs, float& m, float& l,
                                         float* acc) {
    if (x > m) {
        const float r = expf(m - x);
        l *= r;
        for (std::size_t j = 0; j < hs; ++j) acc[j] *= r;
        m = x;
    }
    const float p = expf(x - m);
    l += p;
    for (std::size_t j = 0; j < hs; ++j) acc[j] += p * v_row[j];
}

// [book:attention-cached-v1]
static __global__ void attention_cached_v1_kernel(float* out, const float* q, const float* cache_k,
                                                  const float* cache_v, std::size_t BH, std::size_t n,
                                                  std::size_t Tmax, std::size_t hs, std::size_t pos, float scale) {
    const std::size_t row = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;   // bh n + t
    if (row >= BH * n) return;
    const std::size_t bh = row / n, keys = pos + row % n + 1;
    const float *k_h = cache_k + bh * Tmax * hs, *v_h = cache_v + bh * Tmax * hs;
    float q_t[kMaxHs], acc[kMaxHs];
    for (std::size_t j = 0; j < hs; ++j) {
        q_t[j] = scale * q[row * hs + j];
        acc[j] = 0.0f;
    }
    float m = -INFINITY, l = 0.0f;
    for (std::size_t s = 0; s < keys; ++s) {
        float x = 0.0f;
        for (std::size_t j = 0; j < hs; ++j) x += q_t[j] * k_h[s * hs + j];
        online_add(x, v_h + s * hs, hs, m, l, acc);
    }
    for (std::size_t j = 0; j < hs; ++j) out[row * hs + j] = acc[j] / l;
}
// [/book]

// [book:attention-cached-v2]
static __global__ void attention_cached_v2_kernel(float* out, const float* q, const float* cache_k,
                                                  const float* cache_v, std::size_t BH, std::size_t n,
                                                  std::size_t Tmax, std::size_t hs, std::size_t pos, float scale) {
    const std::size_t row = (static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x) / kWarp;
    const unsigned lane = threadIdx.x % kWarp;
    if (row >= BH * n) return;   // whole warps leave together: the shuffles see all 32 lanes
    const std::size_t bh = row / n, keys = pos + row % n + 1;
    const float *k_h = cache_k + bh * Tmax * hs, *v_h = cache_v + bh * Tmax * hs;
    float q_t[kMaxHs], acc[kMaxHs];
    for (std::size_t j = 0; j < hs; ++j) {
        q_t[j] = scale * q[row * hs + j];
        acc[j] = 0.0f;
    }
    float m = -INFINITY, l = 0.0f;   // this lane's state over its keys (none: m = -inf, l = 0)
    for (std::size_t s = lane; s < keys; s += kWarp) {
        float x = 0.0f;
        for (std::size_t j = 0; j < hs; ++j) x += q_t[j] * k_h[s * hs + j];
        online_add(x, v_h + s * hs, hs, m, l, acc);
    }
    // Merge two states (m, l, acc) and (m', l', acc'): M = max(m, m'), each rescaled by
    // exp(m - M). A lane with no keys has m = -inf: its factor is 0, never exp(-inf + inf).
    for (int offset = 16; offset > 0; offset /= 2) {
        const float m_o = __shfl_xor_sync(0xffffffffu, m, offset);
        const float l_o = __shfl_xor_sync(0xffffffffu, l, offset);
        const float M = fmaxf(m, m_o);
        const float r = m == -INFINITY ? 0.0f : expf(m - M);
        const float r_o = m_o == -INFINITY ? 0.0f : expf(m_o - M);
        for (std::size_t j = 0; j < hs; ++j) {
            const float a_o = __shfl_xor_sync(0xffffffffu, acc[j], offset);
            acc[j] = acc[j] * r + a_o * r_o;
        }
        l = l * r + l_o * r_o;
        m = M;
    }
    for (std::size_t j = lane; j < hs; j += kWarp) out[row * hs + j] = acc[j] / l;   // every lane holds the row
}
// [/book]

void kv_cache_append(int version, float* cache_k, float* cache_v, const float* k, const float* v, std::size_t BH,
                     std::size_t n, std::size_t Tmax, std::size_t hs, std::size_t pos) {
    if (version < 1 || version > kv_cache_append_gpu_versions)
        LADDER_NO_SUCH_VERSION("kv_cache_append", version, kv_cache_append_gpu_versions);
    const std::size_t total = BH * n * hs;
    if (total == 0) return;
    launch(kv_cache_append_v1_kernel, dim3(ceil_div(total, kThreads)), dim3(kThreads), 0, 0, cache_k, cache_v, k, v,
           BH, n, Tmax, hs, pos);
}

void attention_cached(int version, float* out, const float* q, const float* cache_k, const float* cache_v,
                      std::size_t BH, std::size_t n, std::size_t Tmax, std::size_t hs, std::size_t pos, float scale) {
    if (version < 1 || version > attention_cached_gpu_versions)
        LADDER_NO_SUCH_VERSION("attention_cached", version, attention_cached_gpu_versions);
    const std::size_t rows = BH * n;
    if (rows == 0) return;
    if (version == 1)
        launch(attention_cached_v1_kernel, dim3(ceil_div(rows, kThreads)), dim3(kThreads), 0, 0, out, q, cache_k,
               cache_v, BH, n, Tmax, hs, pos, scale);
    else
        launch(attention_cached_v2_kernel, dim3(ceil_div(rows * kWarp, kThreads)), dim3(kThreads), 0, 0, out, q,
               cache_k, cache_v, BH, n, Tmax, hs, pos, scale);
}

}  // namespace ladder::LADDER_GPU_NS
