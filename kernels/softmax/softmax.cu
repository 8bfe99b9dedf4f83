// softmax.cu: the row softmax on the GPU, forward v1..v4 (naive -> online), backward v1..v3,
// and the causal mask v1. inp, out, dout, dinp (R,C); scores (BH,T,T). Introduced in ch06
// (attention); the same file runs on the emulator.
//
// forward  v1  one thread per row, three passes over the row: max,    (baseline: R threads, and a
//              sum of exp, write                                       warp's 32 loads hit 32 rows)
// forward  v2  one block per row (32..256 threads, a power of two);   (C-way parallel per row, each
//              each thread takes every blockDim-th entry, the max and  pass coalesced: consecutive
//              the sum reduced by a tree in shared memory              threads read consecutive entries)
// forward  v3  one warp per row (8 rows per block), the reductions by  (no shared memory and no
//              __shfl_xor_sync butterflies                             __syncthreads: a warp steps together)
// forward  v4  v3 with the online softmax: one pass keeps each lane's  (two reads of the row instead
//              running (max, sum), the sum rescaled by exp(old max -   of three; the pass attention
//              new max) when the max grows; the lanes' pairs merged    kernels fuse into (ch10))
//              by shuffles; then one pass writes
// backward v1  one thread per row: d = sum_c dout_c out_c, then write  (baseline)
// backward v2  one block per row, d by a shared-memory tree            (C-way parallel, coalesced)
// backward v3  one warp per row, d by a shuffle butterfly              (no shared memory, no barrier)
// mask     v1  one thread per element: block (x over s) x t x bh;      (elementwise, coalesced along a
//              threads above the diagonal (s > t) write -inf           row; nothing else to share)
//
// Every reduction is in a fixed order (no atomics): the result does not depend on thread timing.
// A row must hold a value that is not -inf; -inf entries get exactly 0 (exp(-inf - max) = 0),
// and the online merge never computes -inf - (-inf) (online_softmax_merge in softmax.hpp).
#include <climits>

#include "core/kernel.hpp"
#include "kernels/softmax/softmax.hpp"
#include "kernels/warp_reduce.hpp"

namespace ladder::LADDER_GPU_NS {

namespace {
constexpr unsigned kThreads = 256;     // v1, v3, v4, the mask: threads per block; v2: the most
constexpr unsigned kWarp = 32;
constexpr unsigned kFullMask = 0xffffffffu;
}  // namespace

// ---- shared pieces ----

// warp_max, warp_sum: kernels/warp_reduce.hpp.

// A block's tree in shared memory (blockDim.x a power of two): s[0] ends up with the max
// (is_max) or the sum of s[0..blockDim.x), which every thread then reads. The barrier before
// the return keeps a later write to s (the next reduction) from racing with those reads.
static __device__ float block_reduce(float* s, float v, bool is_max) {
    const unsigned tid = threadIdx.x;
    s[tid] = v;
    __syncthreads();   // every thread's value is in s before the tree reads it
    for (unsigned half = blockDim.x / 2; half > 0; half /= 2) {
        if (tid < half) s[tid] = is_max ? fmaxf(s[tid], s[tid + half]) : s[tid] + s[tid + half];
        __syncthreads();   // this level is done before the next one reads it
    }
    const float result = s[0];
    __syncthreads();   // every thread has read s[0] before anyone overwrites s
    return result;
}

// ---- forward kernels ----

// [book:softmax-forward-v1]
static __global__ void softmax_forward_v1_kernel(float* out, const float* inp, std::size_t R, std::size_t C) {
    const std::size_t r = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (r >= R) return;
    const float* x_r = inp + r * C;
    float* y_r = out + r * C;
    float m = -INFINITY;
    for (std::size_t c = 0; c < C; ++c) m = fmaxf(m, x_r[c]);
    float s = 0.0f;
    for (std::size_t c = 0; c < C; ++c) s += expf(x_r[c] - m);   // exp(-inf - m) = 0: masked entries add 0
    for (std::size_t c = 0; c < C; ++c) y_r[c] = expf(x_r[c] - m) / s;
}
// [/book]

// [book:softmax-forward-v2]
static __global__ void softmax_forward_v2_kernel(float* out, const float* inp, std::size_t R, std::size_t C) {
    LADDER_DYNAMIC_SHARED(float, smem);   // blockDim.x floats: one partial per thread
    const std::size_t r = blockIdx.x;     // one block per row: no thread leaves early, all meet every barrier
    const float* x_r = inp + r * C;
    float* y_r = out + r * C;
    // A thread past the row's end keeps max -inf and sum 0, which change nothing.
    float m = -INFINITY;
    for (std::size_t c = threadIdx.x; c < C; c += blockDim.x) m = fmaxf(m, x_r[c]);
    m = block_reduce(smem, m, true);
    float s = 0.0f;
    for (std::size_t c = threadIdx.x; c < C; c += blockDim.x) s += expf(x_r[c] - m);
    s = block_reduce(smem, s, false);
    for (std::size_t c = threadIdx.x; c < C; c += blockDim.x) y_r[c] = expf(x_r[c] - m) / s;
}
// [/book]

// [book:softmax-forward-v3]
static __global__ void softmax_forward_v3_kernel(float* out, const float* inp, std::size_t R, std::size_t C) {
    const std::size_t r = (static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x) / kWarp;
    const unsigned lane = threadIdx.x % kWarp;
    if (r >= R) return;   // whole warps leave together: the shuffles below see all 32 lanes
    const float* x_r = inp + r * C;
    float* y_r = out + r * C;
    float m = -INFINITY;
    for (std::size_t c = lane; c < C; c += kWarp) m = fmaxf(m, x_r[c]);
    m = warp_max(m);
    float s = 0.0f;
    for (std::size_t c = lane; c < C; c += kWarp) s += expf(x_r[c] - m);
    s = warp_sum(s);
    for (std::size_t c = lane; c < C; c += kWarp) y_r[c] = expf(x_r[c] - m) / s;
}
// [/book]

// [book:softmax-forward-v4]
static __global__ void softmax_forward_v4_kernel(float* out, const float* inp, std::size_t R, std::size_t C) {
    const std::size_t r = (static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x) / kWarp;
    const unsigned lane = threadIdx.x % kWarp;
    if (r >= R) return;   // whole warps leave together
    const float* x_r = inp + r * C;
    float* y_r = out + r * C;
    // One pass: this lane's (max, sum of exp(x - max)) over every 32nd entry. A lane whose
    // entries are all masked keeps the empty state {-inf, 0}.
    OnlineSoftmax st;
    for (std::size_t c = lane; c < C; c += kWarp) st = online_softmax_add(st, x_r[c]);
    // Merge the lanes' states; the merge is bitwise symmetric, so all 32 lanes end equal.
    for (int offset = kWarp / 2; offset > 0; offset /= 2) {
        const OnlineSoftmax other{__shfl_xor_sync(kFullMask, st.max, offset), __shfl_xor_sync(kFullMask, st.sum, offset)};
        st = online_softmax_merge(st, other);
    }
    for (std::size_t c = lane; c < C; c += kWarp) y_r[c] = expf(x_r[c] - st.max) / st.sum;
}
// [/book]

// ---- backward kernels ----
// forward: y_c = exp(x_c - max) / sum_j exp(x_j - max)  =>  dinp_c = y_c (dout_c - sum_j dout_j y_j)
// dinp is overwritten.

// [book:softmax-backward-v1]
static __global__ void softmax_backward_v1_kernel(float* dinp, const float* out, const float* dout, std::size_t R,
                                                  std::size_t C) {
    const std::size_t r = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (r >= R) return;
    const float* y_r = out + r * C;
    const float* dy_r = dout + r * C;
    float* dx_r = dinp + r * C;
    float d = 0.0f;
    for (std::size_t c = 0; c < C; ++c) d += dy_r[c] * y_r[c];
    for (std::size_t c = 0; c < C; ++c) dx_r[c] = y_r[c] * (dy_r[c] - d);
}
// [/book]

static __global__ void softmax_backward_v2_kernel(float* dinp, const float* out, const float* dout, std::size_t R,
                                                  std::size_t C) {
    LADDER_DYNAMIC_SHARED(float, smem);   // blockDim.x floats
    const std::size_t r = blockIdx.x;
    const float* y_r = out + r * C;
    const float* dy_r = dout + r * C;
    float* dx_r = dinp + r * C;
    float d = 0.0f;
    for (std::size_t c = threadIdx.x; c < C; c += blockDim.x) d += dy_r[c] * y_r[c];
    d = block_reduce(smem, d, false);
    for (std::size_t c = threadIdx.x; c < C; c += blockDim.x) dx_r[c] = y_r[c] * (dy_r[c] - d);
}

static __global__ void softmax_backward_v3_kernel(float* dinp, const float* out, const float* dout, std::size_t R,
                                                  std::size_t C) {
    const std::size_t r = (static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x) / kWarp;
    const unsigned lane = threadIdx.x % kWarp;
    if (r >= R) return;   // whole warps leave together
    const float* y_r = out + r * C;
    const float* dy_r = dout + r * C;
    float* dx_r = dinp + r * C;
    float d = 0.0f;
    for (std::size_t c = lane; c < C; c += kWarp) d += dy_r[c] * y_r[c];
    d = warp_sum(d);
    for (std::size_t c = lane; c < C; c += kWarp) dx_r[c] = y_r[c] * (dy_r[c] - d);
}

// ---- the causal mask ----

// [book:causal-mask-v1]
// Thread x of block (bx, t, bh) is key s = bx * blockDim.x + x of query t in head bh. The
// loops over t and bh only run more than once for grids past 65535 in y or z.
static __global__ void causal_mask_v1_kernel(float* scores, std::size_t BH, std::size_t T) {
    const std::size_t s = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (s >= T) return;
    for (std::size_t bh = blockIdx.z; bh < BH; bh += gridDim.z)
        for (std::size_t t = blockIdx.y; t < T; t += gridDim.y)
            if (s > t) scores[(bh * T + t) * T + s] = -INFINITY;   // key s comes after query t
}
// [/book]

// ---- launchers ----

namespace {
// Block-per-row versions: the smallest power of two >= C, from one warp up to kThreads, so a
// short row does not idle 256 threads.
unsigned row_block_threads(std::size_t C) {
    unsigned t = kWarp;
    while (t < C && t < kThreads) t *= 2;
    return t;
}
// The grid's x dimension is at most 2^31 - 1 blocks.
unsigned blocks_for(std::size_t n, std::size_t per_block, const char* what) {
    const std::size_t blocks = (n + per_block - 1) / per_block;
    if (blocks > static_cast<std::size_t>(INT_MAX))
        throw_error(__FILE__, __LINE__,
                    std::string(what) + ": " + std::to_string(n) + " rows need more than 2^31 - 1 blocks");
    return static_cast<unsigned>(blocks);
}
constexpr unsigned kRowsPerWarpBlock = kThreads / kWarp;   // v3, v4: 8 rows per block
}  // namespace

void softmax_forward(int version, float* out, const float* inp, std::size_t R, std::size_t C) {
    if (version < 1 || version > softmax_forward_gpu_versions)
        LADDER_NO_SUCH_VERSION("softmax_forward", version, softmax_forward_gpu_versions);
    if (R == 0 || C == 0) return;
    switch (version) {
        case 1:
            launch(softmax_forward_v1_kernel, dim3(blocks_for(R, kThreads, "softmax_forward")), dim3(kThreads), 0, 0,
                   out, inp, R, C);
            return;
        case 2: {
            const unsigned threads = row_block_threads(C);
            launch(softmax_forward_v2_kernel, dim3(blocks_for(R, 1, "softmax_forward")), dim3(threads),
                   threads * sizeof(float), 0, out, inp, R, C);
            return;
        }
        case 3:
            launch(softmax_forward_v3_kernel, dim3(blocks_for(R, kRowsPerWarpBlock, "softmax_forward")),
                   dim3(kThreads), 0, 0, out, inp, R, C);
            return;
        case 4:
            launch(softmax_forward_v4_kernel, dim3(blocks_for(R, kRowsPerWarpBlock, "softmax_forward")),
                   dim3(kThreads), 0, 0, out, inp, R, C);
            return;
    }
}

void softmax_backward(int version, float* dinp, const float* out, const float* dout, std::size_t R, std::size_t C) {
    if (version < 1 || version > softmax_backward_gpu_versions)
        LADDER_NO_SUCH_VERSION("softmax_backward", version, softmax_backward_gpu_versions);
    if (R == 0 || C == 0) return;
    switch (version) {
        case 1:
            launch(softmax_backward_v1_kernel, dim3(blocks_for(R, kThreads, "softmax_backward")), dim3(kThreads), 0,
                   0, dinp, out, dout, R, C);
            return;
        case 2: {
            const unsigned threads = row_block_threads(C);
            launch(softmax_backward_v2_kernel, dim3(blocks_for(R, 1, "softmax_backward")), dim3(threads),
                   threads * sizeof(float), 0, dinp, out, dout, R, C);
            return;
        }
        case 3:
            launch(softmax_backward_v3_kernel, dim3(blocks_for(R, kRowsPerWarpBlock, "softmax_backward")),
                   dim3(kThreads), 0, 0, dinp, out, dout, R, C);
            return;
    }
}

void causal_mask(int version, float* scores, std::size_t BH, std::size_t T) {
    if (version != 1) LADDER_NO_SUCH_VERSION("causal_mask", version, causal_mask_gpu_versions);
    if (BH == 0 || T < 2) return;   // T = 1: a single key, never after its query
    constexpr std::size_t kMaxGridYZ = 65535;
    const dim3 grid(blocks_for(T, kThreads, "causal_mask"), static_cast<unsigned>(T < kMaxGridYZ ? T : kMaxGridYZ),
                    static_cast<unsigned>(BH < kMaxGridYZ ? BH : kMaxGridYZ));
    launch(causal_mask_v1_kernel, grid, dim3(kThreads), 0, 0, scores, BH, T);
}

}  // namespace ladder::LADDER_GPU_NS
