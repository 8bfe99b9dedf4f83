// topk.cu: per-row top-k (values descending, ties to the smaller index), versions v1..v2.
// x (rows, cols) -> values (rows, k), indices (rows, k) int32; k <= topk_gpu_max_k (64).
// Introduced in ch02 (search); the same file runs on the SIMT emulator.
//
// v1  one thread per row: insertion into a sorted list of k          (baseline; one thread reads a whole row)
// v2  one warp per row: each lane keeps the top k of every 32nd       (32 lanes share the scan, reads are
//     column, then k rounds of a warp-wide argmax (5 shuffles) merge   coalesced; the merge costs k * 5 shuffles)
#include <cstdint>

#include "core/kernel.hpp"
#include "kernels/topk/topk.hpp"

namespace ladder::LADDER_GPU_NS {

// ---- kernels ----

constexpr int kMaxK = static_cast<int>(topk_gpu_max_k);

// (value, index) a comes before b: larger value first, then the smaller index.
__device__ __forceinline__ bool before(float va, std::int32_t ia, float vb, std::int32_t ib) {
    return va > vb || (va == vb && ia < ib);
}

// Inserts (v, i) into the sorted list (vals, idx) of `count` entries, capacity k.
__device__ __forceinline__ void insert(float* vals, std::int32_t* idx, int& count, int k, float v, std::int32_t i) {
    if (count == k && !before(v, i, vals[k - 1], idx[k - 1])) return;   // not better than the worst kept
    int pos = count < k ? count++ : k - 1;
    while (pos > 0 && before(v, i, vals[pos - 1], idx[pos - 1])) {       // shift worse entries down
        vals[pos] = vals[pos - 1];
        idx[pos] = idx[pos - 1];
        --pos;
    }
    vals[pos] = v;
    idx[pos] = i;
}

// [book:topk-v1]
static __global__ void topk_v1_kernel(float* values, std::int32_t* indices, const float* x, std::size_t rows,
                                      std::size_t cols, int k) {
    const std::size_t r = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (r >= rows) return;
    float vals[kMaxK];
    std::int32_t idx[kMaxK];
    int count = 0;
    const float* x_r = x + r * cols;
    for (std::size_t c = 0; c < cols; ++c) insert(vals, idx, count, k, x_r[c], static_cast<std::int32_t>(c));
    for (int i = 0; i < k; ++i) {
        values[r * k + i] = vals[i];
        indices[r * k + i] = idx[i];
    }
}
// [/book]

// [book:topk-v2]
// v2: lane l scans columns l, l + 32, ... into its own sorted list. The row's top k is then
// drawn one entry per round: every lane offers the head of its list, a butterfly of
// shuffles finds the best offer (all lanes agree on it), and the lane that made it pops it.
static __global__ void topk_v2_kernel(float* values, std::int32_t* indices, const float* x, std::size_t rows,
                                      std::size_t cols, int k) {
    const std::size_t r = (static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x) / 32;
    const int lane = threadIdx.x % 32;
    if (r >= rows) return;   // whole warps leave together
    float vals[kMaxK];
    std::int32_t idx[kMaxK];
    int count = 0;
    const float* x_r = x + r * cols;
    for (std::size_t c = lane; c < cols; c += 32) insert(vals, idx, count, k, x_r[c], static_cast<std::int32_t>(c));
    int head = 0;   // the next entry of my list to offer
    for (int round = 0; round < k; ++round) {
        int has = head < count;
        float v = has ? vals[head] : 0.0f;
        std::int32_t i = has ? idx[head] : 0;
        for (int offset = 16; offset > 0; offset /= 2) {
            const int o_has = __shfl_xor_sync(0xffffffffu, has, offset);
            const float o_v = __shfl_xor_sync(0xffffffffu, v, offset);
            const std::int32_t o_i = __shfl_xor_sync(0xffffffffu, i, offset);
            if (o_has && (!has || before(o_v, o_i, v, i))) {
                has = o_has;
                v = o_v;
                i = o_i;
            }
        }
        // Every lane now holds the best offer; indices are unique, so one lane owns it.
        if (head < count && idx[head] == i) ++head;
        if (lane == 0) {
            values[r * k + round] = v;
            indices[r * k + round] = i;
        }
    }
}
// [/book]

// ---- launchers ----

void topk(int version, float* values, std::int32_t* indices, const float* x, std::size_t rows, std::size_t cols,
          std::size_t k) {
    if (k > cols || k > topk_gpu_max_k)
        throw_error(__FILE__, __LINE__,
                    "topk: k = " + std::to_string(k) + " must be <= cols (" + std::to_string(cols) +
                        ") and <= topk_gpu_max_k (" + std::to_string(topk_gpu_max_k) + ") on the GPU");
    if (rows == 0 || k == 0) return;
    constexpr unsigned threads = 128;
    const int kk = static_cast<int>(k);
    switch (version) {
        case 1:
            launch(topk_v1_kernel, dim3(ceil_div(rows, threads)), dim3(threads), 0, 0, values, indices, x, rows, cols, kk);
            return;
        case 2:
            launch(topk_v2_kernel, dim3(ceil_div(rows * 32, threads)), dim3(threads), 0, 0, values, indices, x, rows,
                   cols, kk);
            return;
        default:
            LADDER_NO_SUCH_VERSION("topk", version, topk_gpu_versions);
    }
}

}  // namespace ladder::LADDER_GPU_NS
