// attention.cu: causal attention on the GPU, naive and fused, forward and backward (layouts in
// attention.hpp). Introduced in ch06; the same file runs on the emulator.
//
// naive forward   three kernels over the (BH,T,T) buffer att: scores  (the textbook form: every
//   v1            (a thread per entry, s <= t), a masked softmax in place step is a kernel and
//                 (a warp per row, shuffles), out = att v (a thread per T^2 values go through
//                 output element)                                       global memory twice)
// naive backward  dv = att^T dout (a thread per element of dv); datt    (the same, backwards:
//   v1            (a thread per entry) and the softmax's backward in     dpreatt is a second
//                 place (a warp per row); dq and dk (a thread each)      (BH,T,T) buffer)
// fused forward   a thread per query row, the block's 64 rows sharing   (no (T,T) buffer: the
//   v1            tiles of 32 keys and values in shared memory; each    scores live one at a
//                 thread keeps its row's running max, sum and weighted  time in registers;
//                 sum of values (the online softmax) and writes out and memory O(T hs))
//                 lse = max + log sum
// fused backward  two kernels, no atomics: dq with a thread per query    (att recomputed from
//   v1            row over tiles of keys; dk and dv with a thread per    q, k and lse, twice:
//                 key row over tiles of queries (their lse and           flops for memory)
//                 D_t = dout_t . out_t in shared memory too)
//
// Every sum runs in a fixed order: results do not depend on thread timing. Threads past the
// last row still take part in the tile loads and barriers and write nothing.
#include "core/kernel.hpp"
#include "kernels/attention/attention.hpp"
#include "kernels/warp_reduce.hpp"

namespace ladder::LADDER_GPU_NS {

namespace {
constexpr unsigned kThreads = 256;   // elementwise kernels
constexpr unsigned kWarp = 32;
constexpr unsigned kRows = 64;       // fused kernels: rows (queries or keys) per block, a thread each
constexpr unsigned kTile = 32;       // fused kernels: rows of the other side per shared-memory tile
constexpr std::size_t kMaxHs = attention_max_head_size;
}  // namespace

// ---- naive forward ----

// [book:attention-naive-forward]
// att[bh][t][s] = scale q_t . k_s for s <= t (the entries above the diagonal are left for the
// softmax to zero). One thread per entry of the (BH,T,T) buffer.
static __global__ void scores_kernel(float* att, const float* q, const float* k, std::size_t BH, std::size_t T,
                                     std::size_t hs, float scale) {
    const std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i >= BH * T * T) return;
    const std::size_t s = i % T, t = i / T % T, bh = i / (T * T);
    if (s > t) return;
    const float* q_t = q + (bh * T + t) * hs;
    const float* k_s = k + (bh * T + s) * hs;
    float dot = 0.0f;
    for (std::size_t j = 0; j < hs; ++j) dot += q_t[j] * k_s[j];
    att[i] = scale * dot;
}

// Row (bh, t) of att, in place: the softmax of its first t + 1 entries, zeros after.
// A warp per row: each lane takes every 32nd key, the max and the sum by butterflies.
static __global__ void causal_softmax_kernel(float* att, std::size_t BH, std::size_t T) {
    const std::size_t r = (static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x) / kWarp;
    const unsigned lane = threadIdx.x % kWarp;
    if (r >= BH * T) return;   // whole warps leave together
    const std::size_t t = r % T, n = t + 1;
    float* a = att + r * T;
    float m = -INFINITY;
    for (std::size_t s = lane; s < n; s += kWarp) m = fmaxf(m, a[s]);
    m = warp_max(m);
    float sum = 0.0f;
    for (std::size_t s = lane; s < n; s += kWarp) sum += expf(a[s] - m);
    sum = warp_sum(sum);
    for (std::size_t s = lane; s < T; s += kWarp) a[s] = s < n ? expf(a[s] - m) / sum : 0.0f;
}

// out[bh][t][j] = sum_{s <= t} att[bh][t][s] v[bh][s][j]: one thread per output element.
static __global__ void weighted_sum_kernel(float* out, const float* att, const float* v, std::size_t BH,
                                           std::size_t T, std::size_t hs) {
    const std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i >= BH * T * hs) return;
    const std::size_t j = i % hs, t = i / hs % T, bh = i / (hs * T);
    const float* a_t = att + (bh * T + t) * T;
    const float* v_h = v + bh * T * hs;
    float acc = 0.0f;
    for (std::size_t s = 0; s <= t; ++s) acc += a_t[s] * v_h[s * hs + j];
    out[i] = acc;
}
// [/book]

// ---- naive backward ----

// [book:attention-naive-backward]
// dpreatt[bh][t][s] = datt_ts = dout_t . v_s for s <= t, 0 above (the softmax's backward
// below turns it into the gradient of the scores, in place).
static __global__ void datt_kernel(float* dpreatt, const float* dout, const float* v, std::size_t BH, std::size_t T,
                                   std::size_t hs) {
    const std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i >= BH * T * T) return;
    const std::size_t s = i % T, t = i / T % T, bh = i / (T * T);
    if (s > t) {
        dpreatt[i] = 0.0f;
        return;
    }
    const float* g_t = dout + (bh * T + t) * hs;
    const float* v_s = v + (bh * T + s) * hs;
    float dot = 0.0f;
    for (std::size_t j = 0; j < hs; ++j) dot += g_t[j] * v_s[j];
    dpreatt[i] = dot;
}

// Row (bh, t), in place: dpreatt_ts = att_ts (datt_ts - sum_s' att_ts' datt_ts'), a warp per row.
static __global__ void softmax_backward_rows_kernel(float* dpreatt, const float* att, std::size_t BH, std::size_t T) {
    const std::size_t r = (static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x) / kWarp;
    const unsigned lane = threadIdx.x % kWarp;
    if (r >= BH * T) return;
    const std::size_t n = r % T + 1;
    float* d = dpreatt + r * T;
    const float* a = att + r * T;
    float rowsum = 0.0f;
    for (std::size_t s = lane; s < n; s += kWarp) rowsum += a[s] * d[s];
    rowsum = warp_sum(rowsum);
    for (std::size_t s = lane; s < n; s += kWarp) d[s] = a[s] * (d[s] - rowsum);
}

// dq[bh][t][j] = scale sum_{s <= t} dpreatt_ts k_sj (queries: a row of dpreatt).
static __global__ void dq_naive_kernel(float* dq, const float* dpreatt, const float* k, std::size_t BH, std::size_t T,
                                       std::size_t hs, float scale) {
    const std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i >= BH * T * hs) return;
    const std::size_t j = i % hs, t = i / hs % T, bh = i / (hs * T);
    const float* d_t = dpreatt + (bh * T + t) * T;
    const float* k_h = k + bh * T * hs;
    float acc = 0.0f;
    for (std::size_t s = 0; s <= t; ++s) acc += d_t[s] * k_h[s * hs + j];
    dq[i] = scale * acc;
}

// Keys: a column of the (T,T) matrices. dk[bh][s][j] = scale sum_{t >= s} dpreatt_ts q_tj and
// dv[bh][s][j] = sum_{t >= s} att_ts dout_tj, one thread per element of both.
static __global__ void dkdv_naive_kernel(float* dk, float* dv, const float* dpreatt, const float* att, const float* q,
                                         const float* dout, std::size_t BH, std::size_t T, std::size_t hs,
                                         float scale) {
    const std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i >= BH * T * hs) return;
    const std::size_t j = i % hs, s = i / hs % T, bh = i / (hs * T);
    const std::size_t base = bh * T * T;
    float acc_k = 0.0f, acc_v = 0.0f;
    for (std::size_t t = s; t < T; ++t) {
        acc_k += dpreatt[base + t * T + s] * q[(bh * T + t) * hs + j];
        acc_v += att[base + t * T + s] * dout[(bh * T + t) * hs + j];
    }
    dk[i] = scale * acc_k;
    dv[i] = acc_v;
}
// [/book]

// ---- fused forward ----

// [book:attention-fused-forward]
// Block (tile of kRows queries, bh); thread r owns query t = blockIdx.x * kRows + r. Its q row,
// the weighted sum acc and the online softmax's (m, l) stay in registers while the block walks
// the keys [0, last query of the block] a shared tile of kTile keys and values at a time.
static __global__ void fused_forward_kernel(float* out, float* lse, const float* q, const float* k, const float* v,
                                            std::size_t T, std::size_t hs, float scale) {
    LADDER_DYNAMIC_SHARED(float, smem);   // k tile (kTile, hs), then v tile (kTile, hs)
    float* k_tile = smem;
    float* v_tile = smem + kTile * hs;
    const std::size_t bh = blockIdx.y, t0 = static_cast<std::size_t>(blockIdx.x) * kRows, t = t0 + threadIdx.x;
    const bool active = t < T;
    const std::size_t last = (t0 + kRows < T ? t0 + kRows : T) - 1;   // the block's last query
    float q_t[kMaxHs], acc[kMaxHs];
    for (std::size_t j = 0; j < hs; ++j) {
        q_t[j] = active ? scale * q[(bh * T + t) * hs + j] : 0.0f;   // scale once, not per key
        acc[j] = 0.0f;
    }
    float m = -INFINITY, l = 0.0f;   // the running max of the scores seen and sum of exp(x - m)
    for (std::size_t s0 = 0; s0 <= last; s0 += kTile) {
        const std::size_t n = (s0 + kTile <= last + 1 ? kTile : last + 1 - s0);   // keys in this tile
        for (std::size_t e = threadIdx.x; e < n * hs; e += blockDim.x) {
            k_tile[e] = k[(bh * T + s0) * hs + e];
            v_tile[e] = v[(bh * T + s0) * hs + e];
        }
        __syncthreads();   // the tile is loaded before anyone reads it
        for (std::size_t c = 0; active && c < n && s0 + c <= t; ++c) {
            float x = 0.0f;
            for (std::size_t j = 0; j < hs; ++j) x += q_t[j] * k_tile[c * hs + j];
            if (x > m) {   // a new max: rescale what was summed so far (exp(-inf) = 0 the first time)
                const float r = expf(m - x);
                l *= r;
                for (std::size_t j = 0; j < hs; ++j) acc[j] *= r;
                m = x;
            }
            const float p = expf(x - m);
            l += p;
            for (std::size_t j = 0; j < hs; ++j) acc[j] += p * v_tile[c * hs + j];
        }
        __syncthreads();   // everyone is done with the tile before the next one overwrites it
    }
    if (!active) return;
    for (std::size_t j = 0; j < hs; ++j) out[(bh * T + t) * hs + j] = acc[j] / l;
    lse[bh * T + t] = m + logf(l);
}
// [/book]

// ---- fused backward ----

// [book:attention-fused-backward]
// dq: thread r owns query t. p_s = exp(scale q_t . k_s - lse_t) recomputes att; with
// D_t = dout_t . out_t, ds = p_s (dout_t . v_s - D_t) and dq_t = scale sum_s ds k_s.
static __global__ void fused_dq_kernel(float* dq, const float* dout, const float* q, const float* k, const float* v,
                                       const float* out, const float* lse, std::size_t T, std::size_t hs,
                                       float scale) {
    LADDER_DYNAMIC_SHARED(float, smem);   // k tile, v tile
    float* k_tile = smem;
    float* v_tile = smem + kTile * hs;
    const std::size_t bh = blockIdx.y, t0 = static_cast<std::size_t>(blockIdx.x) * kRows, t = t0 + threadIdx.x;
    const bool active = t < T;
    const std::size_t last = (t0 + kRows < T ? t0 + kRows : T) - 1;
    float q_t[kMaxHs], g_t[kMaxHs], acc[kMaxHs];
    float D = 0.0f;
    for (std::size_t j = 0; j < hs; ++j) {
        const std::size_t e = (bh * T + t) * hs + j;
        q_t[j] = active ? scale * q[e] : 0.0f;
        g_t[j] = active ? dout[e] : 0.0f;
        D += active ? g_t[j] * out[e] : 0.0f;
        acc[j] = 0.0f;
    }
    const float l = active ? lse[bh * T + t] : 0.0f;
    for (std::size_t s0 = 0; s0 <= last; s0 += kTile) {
        const std::size_t n = (s0 + kTile <= last + 1 ? kTile : last + 1 - s0);
        for (std::size_t e = threadIdx.x; e < n * hs; e += blockDim.x) {
            k_tile[e] = k[(bh * T + s0) * hs + e];
            v_tile[e] = v[(bh * T + s0) * hs + e];
        }
        __syncthreads();
        for (std::size_t c = 0; active && c < n && s0 + c <= t; ++c) {
            float x = 0.0f, dp = 0.0f;
            for (std::size_t j = 0; j < hs; ++j) {
                x += q_t[j] * k_tile[c * hs + j];
                dp += g_t[j] * v_tile[c * hs + j];
            }
            const float ds = expf(x - l) * (dp - D);
            for (std::size_t j = 0; j < hs; ++j) acc[j] += ds * k_tile[c * hs + j];
        }
        __syncthreads();
    }
    if (!active) return;
    for (std::size_t j = 0; j < hs; ++j) dq[(bh * T + t) * hs + j] = scale * acc[j];
}

// dk, dv: thread r owns key s = blockIdx.x * kRows + r and walks the queries t >= s0 (the
// block's first key) a tile at a time: q and dout rows, and each query's lse and D_t (computed
// once per tile by the first kTile threads), in shared memory.
//   dv_s = sum_{t >= s} p_ts dout_t,  dk_s = scale sum_{t >= s} p_ts (dout_t . v_s - D_t) q_t
static __global__ void fused_dkdv_kernel(float* dk, float* dv, const float* dout, const float* q, const float* k,
                                         const float* v, const float* out, const float* lse, std::size_t T,
                                         std::size_t hs, float scale) {
    LADDER_DYNAMIC_SHARED(float, smem);   // q tile, dout tile (kTile, hs) each; lse, D (kTile) each
    float* q_tile = smem;
    float* g_tile = smem + kTile * hs;
    float* l_tile = smem + 2 * kTile * hs;
    float* D_tile = l_tile + kTile;
    const std::size_t bh = blockIdx.y, s_first = static_cast<std::size_t>(blockIdx.x) * kRows,
                      s = s_first + threadIdx.x;
    const bool active = s < T;
    float k_s[kMaxHs], v_s[kMaxHs], acc_k[kMaxHs], acc_v[kMaxHs];
    for (std::size_t j = 0; j < hs; ++j) {
        const std::size_t e = (bh * T + s) * hs + j;
        k_s[j] = active ? scale * k[e] : 0.0f;
        v_s[j] = active ? v[e] : 0.0f;
        acc_k[j] = acc_v[j] = 0.0f;
    }
    for (std::size_t t0 = s_first; t0 < T; t0 += kTile) {
        const std::size_t n = (t0 + kTile <= T ? kTile : T - t0);   // queries in this tile
        for (std::size_t e = threadIdx.x; e < n * hs; e += blockDim.x) {
            q_tile[e] = q[(bh * T + t0) * hs + e];
            g_tile[e] = dout[(bh * T + t0) * hs + e];
        }
        if (threadIdx.x < n) {
            const std::size_t row = (bh * T + t0 + threadIdx.x) * hs;
            float D = 0.0f;
            for (std::size_t j = 0; j < hs; ++j) D += dout[row + j] * out[row + j];
            D_tile[threadIdx.x] = D;
            l_tile[threadIdx.x] = lse[bh * T + t0 + threadIdx.x];
        }
        __syncthreads();
        for (std::size_t c = 0; active && c < n; ++c) {
            if (t0 + c < s) continue;   // query before the key: masked
            float x = 0.0f, dp = 0.0f;
            for (std::size_t j = 0; j < hs; ++j) {
                x += q_tile[c * hs + j] * k_s[j];
                dp += g_tile[c * hs + j] * v_s[j];
            }
            const float p = expf(x - l_tile[c]);
            const float ds = p * (dp - D_tile[c]);
            for (std::size_t j = 0; j < hs; ++j) {
                acc_v[j] += p * g_tile[c * hs + j];
                acc_k[j] += ds * q_tile[c * hs + j];
            }
        }
        __syncthreads();
    }
    if (!active) return;
    for (std::size_t j = 0; j < hs; ++j) {
        dk[(bh * T + s) * hs + j] = scale * acc_k[j];
        dv[(bh * T + s) * hs + j] = acc_v[j];
    }
}
// [/book]

// ---- launchers ----

static void check_version(const char* op, int version, int count) {
    if (version < 1 || version > count) LADDER_NO_SUCH_VERSION(op, version, count);
}

static void check_fused(const char* op, std::size_t hs) {
    if (hs > kMaxHs)
        ::ladder::throw_error(__FILE__, __LINE__,
                              std::string(op) + ": head size " + std::to_string(hs) +
                                  " is larger than the fused kernels' " + std::to_string(kMaxHs) +
                                  " (a row lives in registers)");
}

static dim3 row_blocks(std::size_t BH, std::size_t T) {
    if (BH > 65535)   // gridDim.y's limit
        ::ladder::throw_error(__FILE__, __LINE__,
                              "attention: " + std::to_string(BH) + " heads (B*NH) exceed the fused kernels' 65535");
    return dim3(ceil_div(T, kRows), static_cast<unsigned>(BH));
}

void attention_forward(int version, float* out, float* att, const float* q, const float* k, const float* v,
                       std::size_t BH, std::size_t T, std::size_t hs, float scale) {
    check_version("attention_forward", version, attention_forward_gpu_versions);
    if (BH * T == 0) return;
    launch(scores_kernel, dim3(ceil_div(BH * T * T, kThreads)), dim3(kThreads), 0, 0, att, q, k, BH, T, hs, scale);
    launch(causal_softmax_kernel, dim3(ceil_div(BH * T * kWarp, kThreads)), dim3(kThreads), 0, 0, att, BH, T);
    launch(weighted_sum_kernel, dim3(ceil_div(BH * T * hs, kThreads)), dim3(kThreads), 0, 0, out, att, v, BH, T, hs);
}

void attention_backward(int version, float* dq, float* dk, float* dv, float* dpreatt, const float* dout,
                        const float* q, const float* k, const float* v, const float* att, std::size_t BH,
                        std::size_t T, std::size_t hs, float scale) {
    check_version("attention_backward", version, attention_backward_gpu_versions);
    if (BH * T == 0) return;
    launch(datt_kernel, dim3(ceil_div(BH * T * T, kThreads)), dim3(kThreads), 0, 0, dpreatt, dout, v, BH, T, hs);
    launch(softmax_backward_rows_kernel, dim3(ceil_div(BH * T * kWarp, kThreads)), dim3(kThreads), 0, 0, dpreatt,
           att, BH, T);
    launch(dq_naive_kernel, dim3(ceil_div(BH * T * hs, kThreads)), dim3(kThreads), 0, 0, dq, dpreatt, k, BH, T, hs,
           scale);
    launch(dkdv_naive_kernel, dim3(ceil_div(BH * T * hs, kThreads)), dim3(kThreads), 0, 0, dk, dv, dpreatt, att, q,
           dout, BH, T, hs, scale);
}

void attention_fused_forward(int version, float* out, float* lse, const float* q, const float* k, const float* v,
                             std::size_t BH, std::size_t T, std::size_t hs, float scale) {
    check_version("attention_fused_forward", version, attention_fused_forward_gpu_versions);
    check_fused("attention_fused_forward", hs);
    if (BH * T == 0) return;
    launch(fused_forward_kernel, row_blocks(BH, T), dim3(kRows), 2 * kTile * hs * sizeof(float), 0, out, lse, q, k, v,
           T, hs, scale);
}

void attention_fused_backward(int version, float* dq, float* dk, float* dv, const float* dout, const float* q,
                              const float* k, const float* v, const float* out, const float* lse, std::size_t BH,
                              std::size_t T, std::size_t hs, float scale) {
    check_version("attention_fused_backward", version, attention_fused_backward_gpu_versions);
    check_fused("attention_fused_backward", hs);
    if (BH * T == 0) return;
    launch(fused_dq_kernel, row_blocks(BH, T), dim3(kRows), 2 * kTile * hs * sizeof(float), 0, dq, dout, q, k, v, out,
           lse, T, hs, scale);
    launch(fused_dkdv_kernel, row_blocks(BH, T), dim3(kRows), (2 * kTile * hs + 2 * kTile) * sizeof(float), 0, dk, dv,
           dout, q, k, v, out, lse, T, hs, scale);
}

}  // namespace ladder::LADDER_GPU_NS
