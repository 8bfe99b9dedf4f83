// histogram.cu: counts (bins) = occurrences of each id in ids (n), versions v1..v2.
// ids (n) int32, ids outside [0, bins) skipped; counts (bins) int32, overwritten.
// Introduced in ch02 (counting words); the same file runs on the SIMT emulator.
//
// v1  one thread per id, atomicAdd on the global counts            (baseline; hot words collide)
// v2  each block counts into a private histogram in shared memory,  (collisions stay on chip; one
//     then adds it to the global one; bins in chunks of 12k          global atomic per bin per block)
#include <cstdint>

#include "core/kernel.hpp"
#include "kernels/histogram/histogram.hpp"

namespace ladder::LADDER_GPU_NS {

// ---- kernels ----

// [book:histogram-v1]
// v1: every thread handles one id. Many threads may increment the same bin at once (the
// word "the"), so the increment must be atomic: a plain ++ would lose counts.
static __global__ void histogram_v1_kernel(std::int32_t* counts, const std::int32_t* ids, std::size_t n,
                                           std::size_t bins) {
    const std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i >= n) return;
    const std::int32_t id = ids[i];
    if (id >= 0 && static_cast<std::size_t>(id) < bins) atomicAdd(&counts[id], 1);
}
// [/book]

// [book:histogram-v2]
// v2: a block first counts into its own copy of (a chunk of) the histogram in shared
// memory, where atomics are cheap and only the block's threads collide; then it adds each
// non-zero bin to the global counts with one atomic. A grid-stride loop lets a few hundred
// blocks cover any n. Vocabularies larger than shared memory are done in chunks of bins.
static __global__ void histogram_v2_kernel(std::int32_t* counts, const std::int32_t* ids, std::size_t n,
                                           std::size_t bins, unsigned chunk) {
    LADDER_DYNAMIC_SHARED(int, local);   // local[b] counts bin b0 + b of this block
    const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
    for (std::size_t b0 = 0; b0 < bins; b0 += chunk) {
        const std::size_t width = bins - b0 < chunk ? bins - b0 : chunk;
        for (std::size_t b = threadIdx.x; b < width; b += blockDim.x) local[b] = 0;
        __syncthreads();   // the private histogram is zero before anyone counts into it
        for (std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride) {
            const std::int32_t id = ids[i];
            if (id >= 0 && static_cast<std::size_t>(id) >= b0 && static_cast<std::size_t>(id) < b0 + width)
                atomicAdd(&local[id - b0], 1);
        }
        __syncthreads();   // every id of this block is counted before the merge reads local
        for (std::size_t b = threadIdx.x; b < width; b += blockDim.x)
            if (local[b] != 0) atomicAdd(&counts[b0 + b], local[b]);
        __syncthreads();   // the merge is done before the next chunk zeroes local
    }
}
// [/book]

// ---- launchers ----

void histogram(int version, std::int32_t* counts, const std::int32_t* ids, std::size_t n, std::size_t bins) {
    if (bins == 0) return;
    // Both versions add into counts, so it starts at zero.
    LADDER_CUDA_CHECK(cudaMemset(counts, 0, bins * sizeof(std::int32_t)));
    if (n == 0) return;
    constexpr unsigned threads = 256;
    switch (version) {
        case 1:
            launch(histogram_v1_kernel, dim3(ceil_div(n, threads)), dim3(threads), 0, 0, counts, ids, n, bins);
            return;
        case 2: {
            // 12k bins = 48 KiB of shared memory, the most a block gets without opting in.
            constexpr std::size_t max_chunk = 12 * 1024;
            const auto chunk = static_cast<unsigned>(bins < max_chunk ? bins : max_chunk);
            // Enough blocks to fill a large GPU (132 SMs x 2), each with >= 8 ids per thread.
            unsigned blocks = ceil_div(n, threads * 8);
            blocks = blocks < 264u ? blocks : 264u;
            launch(histogram_v2_kernel, dim3(blocks), dim3(threads), chunk * sizeof(int), 0, counts, ids, n, bins,
                   chunk);
            return;
        }
        default:
            LADDER_NO_SUCH_VERSION("histogram", version, histogram_gpu_versions);
    }
}

}  // namespace ladder::LADDER_GPU_NS
