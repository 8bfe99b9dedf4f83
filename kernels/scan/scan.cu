// scan.cu: exclusive prefix sum of int32 on the GPU, versions v1..v3.
// in (n) -> out (n), out[i] = in[0] + ... + in[i-1]. Introduced in ch04: BPE's merge step
// (bpe_merge) compacts a token array with it.
//
// v1  Hillis-Steele: one element per thread, log2(256) = 8 rounds of "add the element d
//     to your left", double-buffered in shared memory; n log n adds. Blocks write their
//     totals, which are scanned the same way (levels), then added back.      (baseline)
// v2  Blelloch: two elements per thread, an up-sweep (a tree of partial sums) and a
//     down-sweep (pushing prefixes back down): 2n adds, half the threads.  (work-efficient)
// v3  one pass: a warp-shuffle block scan, then each block waits only for the running
//     total of the blocks before it (decoupled look-back, Merrill & Garland 2016), so
//     in and out are read and written once.                    (no second pass over memory)
#include <cstdint>

#include "core/kernel.hpp"
#include "kernels/scan/scan.hpp"

namespace ladder::LADDER_GPU_NS {

namespace {
constexpr unsigned kThreads = 256;
}

// ---- kernels ----

// [book:scan-v1]
// Round d (1, 2, 4, ...): every element adds the one d places to its left. After round d
// each element holds the sum of the 2d elements ending at it. Two buffers, because an
// element must not read a neighbour that this round already changed.
static __global__ void scan_v1_kernel(std::int32_t* out, std::int32_t* block_sums, const std::int32_t* in, std::size_t n) {
    __shared__ std::int32_t buf[2][kThreads];
    const unsigned t = threadIdx.x;
    const std::size_t i = static_cast<std::size_t>(blockIdx.x) * kThreads + t;
    // Shift right by one while loading: an inclusive scan of [0, in0, in1, ...] is the
    // exclusive scan of in.
    buf[0][t] = (t > 0 && i - 1 < n) ? in[i - 1] : 0;
    __syncthreads();
    int src = 0;
    for (unsigned d = 1; d < kThreads; d *= 2) {
        buf[1 - src][t] = buf[src][t] + (t >= d ? buf[src][t - d] : 0);
        src = 1 - src;
        __syncthreads();
    }
    if (i < n) out[i] = buf[src][t];
    if (t == kThreads - 1 && block_sums) {   // this block's total: last prefix + last element
        const std::size_t last = static_cast<std::size_t>(blockIdx.x) * kThreads + t;
        block_sums[blockIdx.x] = buf[src][t] + (last < n ? in[last] : 0);
    }
}
// [/book]

// [book:scan-v2]
// Two elements per thread; the block scans 2 * 256 = 512. Up-sweep: a reduction tree, in
// place: after it, s[2^k (j+1) - 1] holds the sum of its 2^k elements. Down-sweep: clear
// the root, then at each level a node passes its prefix to its left child and prefix +
// left sum to its right child. 2n adds in all, against v1's n log n.
static __global__ void scan_v2_kernel(std::int32_t* out, std::int32_t* block_sums, const std::int32_t* in, std::size_t n) {
    constexpr unsigned m = 2 * kThreads;
    __shared__ std::int32_t s[m];
    const unsigned t = threadIdx.x;
    const std::size_t base = static_cast<std::size_t>(blockIdx.x) * m;
    s[t] = base + t < n ? in[base + t] : 0;
    s[t + kThreads] = base + t + kThreads < n ? in[base + t + kThreads] : 0;
    unsigned offset = 1;
    for (unsigned d = m / 2; d > 0; d /= 2) {        // up-sweep
        __syncthreads();
        if (t < d) {
            const unsigned left = offset * (2 * t + 1) - 1, right = offset * (2 * t + 2) - 1;
            s[right] += s[left];
        }
        offset *= 2;
    }
    __syncthreads();
    if (t == 0) {
        if (block_sums) block_sums[blockIdx.x] = s[m - 1];
        s[m - 1] = 0;
    }
    for (unsigned d = 1; d < m; d *= 2) {            // down-sweep
        offset /= 2;
        __syncthreads();
        if (t < d) {
            const unsigned left = offset * (2 * t + 1) - 1, right = offset * (2 * t + 2) - 1;
            const std::int32_t l = s[left];
            s[left] = s[right];
            s[right] += l;
        }
    }
    __syncthreads();
    if (base + t < n) out[base + t] = s[t];
    if (base + t + kThreads < n) out[base + t + kThreads] = s[t + kThreads];
}
// [/book]

// After the block totals are scanned: add block b's prefix to its elements.
static __global__ void add_block_prefix_kernel(std::int32_t* out, const std::int32_t* prefix, std::size_t n, unsigned per_block) {
    const std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i < n) out[i] += prefix[i / per_block];
}

// [book:scan-v3]
// The status word of each block: flag (bits 32..33) and a 32-bit sum, in one 64-bit word
// written atomically, so a reader never sees a flag without its sum.
//   0: nothing yet   1: this block's own total (aggregate)   2: total of blocks 0..b (prefix)
constexpr unsigned long long kAggregate = 1ULL << 32, kPrefix = 2ULL << 32;

static __global__ void scan_v3_kernel(std::int32_t* out, const std::int32_t* in, std::size_t n,
                                      unsigned long long* status, unsigned* ticket) {
    __shared__ std::int32_t warp_sums[kThreads / 32];
    __shared__ std::int32_t block_prefix;
    __shared__ unsigned block;
    const unsigned t = threadIdx.x, lane = t % 32, warp = t / 32;
    // Blocks take their index in the order they start, so every block it waits for
    // has started (is running or done): the look-back cannot wait on a block that
    // never gets a processor.
    if (t == 0) block = atomicAdd(ticket, 1u);
    __syncthreads();
    const std::size_t i = static_cast<std::size_t>(block) * kThreads + t;
    const std::int32_t x = i < n ? in[i] : 0;
    // Inclusive scan within each warp with shuffles: 5 steps, no shared memory.
    std::int32_t v = x;
    for (unsigned d = 1; d < 32; d *= 2) {
        const std::int32_t left = __shfl_up_sync(0xffffffffu, v, d);
        if (lane >= d) v += left;
    }
    if (lane == 31) warp_sums[warp] = v;
    __syncthreads();
    if (warp == 0) {                         // scan the 8 warp totals
        std::int32_t w = lane < kThreads / 32 ? warp_sums[lane] : 0;
        for (unsigned d = 1; d < 32; d *= 2) {
            const std::int32_t left = __shfl_up_sync(0xffffffffu, w, d);
            if (lane >= d) w += left;
        }
        if (lane < kThreads / 32) warp_sums[lane] = w;   // inclusive
    }
    __syncthreads();
    const std::int32_t in_block = v - x + (warp > 0 ? warp_sums[warp - 1] : 0);   // exclusive within the block
    if (t == 0) {
        const std::int32_t aggregate = warp_sums[kThreads / 32 - 1];
        if (block == 0) {
            atomicExch(&status[0], kPrefix | static_cast<std::uint32_t>(aggregate));
            block_prefix = 0;
        } else {
            atomicExch(&status[block], kAggregate | static_cast<std::uint32_t>(aggregate));
            // Look back: add aggregates until a block that knows its full prefix.
            std::int32_t prefix = 0;
            for (long j = static_cast<long>(block) - 1; j >= 0;) {
                const unsigned long long s = atomicAdd(&status[j], 0ULL);   // an atomic read
                if ((s >> 32) == 0) continue;                               // not there yet: wait
                prefix += static_cast<std::int32_t>(static_cast<std::uint32_t>(s & 0xFFFFFFFFu));
                if ((s >> 32) == 2) break;
                --j;
            }
            atomicExch(&status[block], kPrefix | static_cast<std::uint32_t>(prefix + aggregate));
            block_prefix = prefix;
        }
    }
    __syncthreads();
    if (i < n) out[i] = block_prefix + in_block;
}
// [/book]

// ---- launchers ----

namespace {

// v1 and v2: scan each block, scan the block totals (recursively), add them back.
void scan_levels(int version, std::int32_t* out, const std::int32_t* in, std::size_t n) {
    const unsigned per_block = version == 1 ? kThreads : 2 * kThreads;
    const unsigned blocks = ceil_div(n, per_block);
    auto* kernel = version == 1 ? scan_v1_kernel : scan_v2_kernel;
    if (blocks == 1) {
        launch(kernel, dim3(1), dim3(kThreads), 0, 0, out, static_cast<std::int32_t*>(nullptr), in, n);
        return;
    }
    std::int32_t *sums = nullptr, *prefix = nullptr;
    LADDER_CUDA_CHECK(cudaMalloc(&sums, blocks * sizeof(std::int32_t)));
    LADDER_CUDA_CHECK(cudaMalloc(&prefix, blocks * sizeof(std::int32_t)));
    launch(kernel, dim3(blocks), dim3(kThreads), 0, 0, out, sums, in, n);
    scan_levels(version, prefix, sums, blocks);
    launch(add_block_prefix_kernel, dim3(ceil_div(n, kThreads)), dim3(kThreads), 0, 0, out,
           static_cast<const std::int32_t*>(prefix), n, per_block);
    LADDER_CUDA_CHECK(cudaFree(sums));
    LADDER_CUDA_CHECK(cudaFree(prefix));
}

void scan_one_pass(std::int32_t* out, const std::int32_t* in, std::size_t n) {
    const unsigned blocks = ceil_div(n, kThreads);
    unsigned long long* status = nullptr;
    unsigned* ticket = nullptr;
    LADDER_CUDA_CHECK(cudaMalloc(&status, blocks * sizeof(unsigned long long)));
    LADDER_CUDA_CHECK(cudaMalloc(&ticket, sizeof(unsigned)));
    LADDER_CUDA_CHECK(cudaMemset(status, 0, blocks * sizeof(unsigned long long)));
    LADDER_CUDA_CHECK(cudaMemset(ticket, 0, sizeof(unsigned)));
    launch(scan_v3_kernel, dim3(blocks), dim3(kThreads), 0, 0, out, in, n, status, ticket);
    LADDER_CUDA_CHECK(cudaFree(status));
    LADDER_CUDA_CHECK(cudaFree(ticket));
}

}  // namespace

void scan_exclusive(int version, std::int32_t* out, const std::int32_t* in, std::size_t n) {
    if (n == 0) return;
    switch (version) {
        case 1:
        case 2: return scan_levels(version, out, in, n);
        case 3: return scan_one_pass(out, in, n);
        default: LADDER_NO_SUCH_VERSION("scan", version, scan_gpu_versions);
    }
}

}  // namespace ladder::LADDER_GPU_NS
