// cosine_topk.cu: cosine similarity of each query against every table row, fused with a
// per-query top-k, versions v1..v2. queries (M,D), table (V,D), table_inv_norm (V), exclude
// (M,X) -> top_ids (M,k), top_sims (M,k). Introduced in ch03; the same file runs on the emulator.
//
// v1  one thread per query: scans all V rows, keeps its k best in a sorted list    (baseline; M threads only)
// v2  one block per query: 128 threads scan strided rows, each keeps a k-list;     (128x the threads per query,
//     thread 0 merges the 128 lists                                               the query read from shared memory)
#include "core/kernel.hpp"
#if defined(__CUDACC__)
#include <math_constants.h>   // CUDART_NAN_F, CUDART_INF_F (the emulator's shim defines them too)
#endif
#include "kernels/cosine_topk/cosine_topk.hpp"

namespace ladder::LADDER_GPU_NS {

// ---- kernels ----

// a beats b: a larger sim, or the same sim and a smaller id (the order the reference uses).
__device__ __forceinline__ bool beats(float sa, std::int32_t ia, float sb, std::int32_t ib) {
    return sa > sb || (sa == sb && ia < ib);
}

// Inserts (s, id) into the sorted list (sims, ids) of length *n (capacity k): shift the
// worse entries down one place, drop the last when full.
__device__ __forceinline__ void insert(float* sims, std::int32_t* ids, int* n, int k, float s, std::int32_t id) {
    if (*n == k && !beats(s, id, sims[k - 1], ids[k - 1])) return;
    int i = *n < k ? (*n)++ : k - 1;
    while (i > 0 && beats(s, id, sims[i - 1], ids[i - 1])) {
        sims[i] = sims[i - 1];
        ids[i] = ids[i - 1];
        --i;
    }
    sims[i] = s;
    ids[i] = id;
}

__device__ __forceinline__ bool excluded(const std::int32_t* exclude_m, std::size_t X, std::int32_t v) {
    for (std::size_t x = 0; x < X; ++x)
        if (exclude_m[x] == v) return true;
    return false;
}

__device__ __forceinline__ void write_list(std::int32_t* top_ids, float* top_sims, const float* sims,
                                           const std::int32_t* ids, int n, std::size_t k) {
    for (std::size_t i = 0; i < k; ++i) {
        top_ids[i] = static_cast<int>(i) < n ? ids[i] : -1;
        top_sims[i] = static_cast<int>(i) < n ? sims[i] : -CUDART_INF_F;
    }
}

// [book:cosine-topk-v1]
static __global__ void cosine_topk_v1_kernel(std::int32_t* top_ids, float* top_sims, const float* queries,
                                             const float* table, const float* table_inv_norm,
                                             const std::int32_t* exclude, TopkDims d) {
    const std::size_t m = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (m >= d.M) return;
    const float* q = queries + m * d.D;
    float qq = 0.0f;
    for (std::size_t j = 0; j < d.D; ++j) qq += q[j] * q[j];
    const float q_inv = qq > 0.0f ? 1.0f / sqrtf(qq) : 0.0f;
    float sims[cosine_topk_max_k];
    std::int32_t ids[cosine_topk_max_k];
    int n = 0;
    for (std::size_t v = 0; v < d.V; ++v) {
        if (excluded(exclude + m * d.X, d.X, static_cast<std::int32_t>(v))) continue;
        const float* e = table + v * d.D;
        float dot = 0.0f;
        for (std::size_t j = 0; j < d.D; ++j) dot += q[j] * e[j];
        insert(sims, ids, &n, static_cast<int>(d.k), dot * q_inv * table_inv_norm[v], static_cast<std::int32_t>(v));
    }
    write_list(top_ids + m * d.k, top_sims + m * d.k, sims, ids, n, d.k);
}
// [/book]

// [book:cosine-topk-v2]
// v2: block m handles query m. The query is copied to shared memory once (every row's dot
// product reads it), |q| is summed by thread 0, then thread t scans rows t, t + 128, ...
// into its own sorted k-list. The 128 lists go to shared memory and thread 0 merges them:
// k rounds, each taking the best head among 128 lists (k * 128 comparisons, small next to
// the V * D multiply-adds of the scan).
constexpr unsigned kTopkThreads = 128;

static __global__ void cosine_topk_v2_kernel(std::int32_t* top_ids, float* top_sims, const float* queries,
                                             const float* table, const float* table_inv_norm,
                                             const std::int32_t* exclude, TopkDims d) {
    LADDER_DYNAMIC_SHARED(float, q);                                   // (D) the query
    __shared__ float list_sims[kTopkThreads][cosine_topk_max_k];
    __shared__ std::int32_t list_ids[kTopkThreads][cosine_topk_max_k];
    __shared__ int list_n[kTopkThreads];
    __shared__ float q_inv;
    const std::size_t m = blockIdx.x;
    const unsigned t = threadIdx.x;
    for (std::size_t j = t; j < d.D; j += kTopkThreads) q[j] = queries[m * d.D + j];
    __syncthreads();
    if (t == 0) {
        float qq = 0.0f;
        for (std::size_t j = 0; j < d.D; ++j) qq += q[j] * q[j];
        q_inv = qq > 0.0f ? 1.0f / sqrtf(qq) : 0.0f;
    }
    __syncthreads();
    float* sims = list_sims[t];
    std::int32_t* ids = list_ids[t];
    int n = 0;
    for (std::size_t v = t; v < d.V; v += kTopkThreads) {
        if (excluded(exclude + m * d.X, d.X, static_cast<std::int32_t>(v))) continue;
        const float* e = table + v * d.D;
        float dot = 0.0f;
        for (std::size_t j = 0; j < d.D; ++j) dot += q[j] * e[j];
        insert(sims, ids, &n, static_cast<int>(d.k), dot * q_inv * table_inv_norm[v], static_cast<std::int32_t>(v));
    }
    list_n[t] = n;
    __syncthreads();   // every list is complete before thread 0 reads them
    if (t != 0) return;
    int head[kTopkThreads] = {};
    float out_s[cosine_topk_max_k];
    std::int32_t out_i[cosine_topk_max_k];
    int out_n = 0;
    for (std::size_t r = 0; r < d.k; ++r) {
        int best = -1;
        for (unsigned l = 0; l < kTopkThreads; ++l) {
            if (head[l] >= list_n[l]) continue;
            if (best < 0 || beats(list_sims[l][head[l]], list_ids[l][head[l]], list_sims[best][head[best]],
                                  list_ids[best][head[best]]))
                best = static_cast<int>(l);
        }
        if (best < 0) break;   // fewer than k rows in all
        out_s[out_n] = list_sims[best][head[best]];
        out_i[out_n++] = list_ids[best][head[best]];
        ++head[best];
    }
    write_list(top_ids + m * d.k, top_sims + m * d.k, out_s, out_i, out_n, d.k);
}
// [/book]

// ---- launchers ----

void cosine_topk(int version, std::int32_t* top_ids, float* top_sims, const float* queries, const float* table,
                 const float* table_inv_norm, const std::int32_t* exclude, const TopkDims& d) {
    if (d.M == 0) return;
    if (d.k == 0 || d.k > cosine_topk_max_k)
        ::ladder::throw_error(__FILE__, __LINE__, "cosine_topk: k = " + std::to_string(d.k) + " must be in 1.." +
                                                      std::to_string(cosine_topk_max_k));
    switch (version) {
        case 1:
            launch(cosine_topk_v1_kernel, dim3(ceil_div(d.M, 64)), dim3(64), 0, 0, top_ids, top_sims, queries, table,
                   table_inv_norm, exclude, d);
            return;
        case 2:
            launch(cosine_topk_v2_kernel, dim3(static_cast<unsigned>(d.M)), dim3(kTopkThreads),
                   (d.D == 0 ? 1 : d.D) * sizeof(float), 0, top_ids, top_sims, queries, table, table_inv_norm, exclude, d);
            return;
        default:
            LADDER_NO_SUCH_VERSION("cosine_topk", version, cosine_topk_gpu_versions);
    }
}

}  // namespace ladder::LADDER_GPU_NS
