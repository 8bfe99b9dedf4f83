// Exercise 2.5: the privatised histogram. Each block counts into its own histogram in
// shared memory, then adds it to the global counts. ids (n), counts (bins <= 4096) int32.
// Introduced in ch02 (book/ch02_bag_of_words.md, "Counting on a GPU").
#include "core/kernel.hpp"
#include "exercises/ch02_bag_of_words/exercises.hpp"

namespace ladder::LADDER_GPU_NS::ex02 {

constexpr int kBins = static_cast<int>(ex02_shared_max_bins);

// Code plan (every thread of the block runs all of it):
//   1. __shared__ int local[kBins]; zero local[0..bins) with a loop strided by blockDim.x.
//   2. __syncthreads(): nobody counts before the histogram is zero.
//   3. Grid-stride loop over ids (i = blockIdx.x * blockDim.x + threadIdx.x; i < n;
//      i += gridDim.x * blockDim.x): atomicAdd(&local[id], 1) for ids in [0, bins).
//   4. __syncthreads(): every id of the block is counted before the merge.
//   5. Loop over bins strided by blockDim.x: if local[b] != 0, atomicAdd(&counts[b], local[b]).
// Try it with LADDER_SIMT_SCHEDULE=reverse and one barrier removed, to see what it protects.
static __global__ void histogram_shared_kernel(std::int32_t* counts, const std::int32_t* ids, std::size_t n,
                                               std::size_t bins) {
    // TODO(ex2.5): the five steps above.
}

void histogram_shared(std::int32_t* counts, const std::int32_t* ids, std::size_t n, std::size_t bins) {
    // TODO(ex2.5): zero counts (cudaMemset, as in exercise 2.4); if n > 0, launch a fixed
    // number of blocks (e.g. min(ceil_div(n, 256 * 8), 64)) of 256 threads:
    //   launch(histogram_shared_kernel, dim3(blocks), dim3(256), 0, 0, counts, ids, n, bins);
    // and delete the throw below. (bins <= ex02_shared_max_bins: the test never asks for more.)
    throw NotImplemented("exercise 2.5: histogram_shared (exercises/ch02_bag_of_words/histogram_shared.cu)");
}

}  // namespace ladder::LADDER_GPU_NS::ex02
