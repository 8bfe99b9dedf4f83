// Exercise 2.4: count word ids on the GPU, one thread per id, with atomicAdd.
// ids (n) int32, counts (bins) int32; ids outside [0, bins) are skipped. Device pointers.
// Introduced in ch02 (book/ch02_bag_of_words.md, "Counting on a GPU").
#include "core/kernel.hpp"
#include "exercises/ch02_bag_of_words/exercises.hpp"

namespace ladder::LADDER_GPU_NS::ex02 {

// Hint: thread i = blockIdx.x * blockDim.x + threadIdx.x reads ids[i]. Many threads may
// increment the same bin at once ("the"): counts[id]++ would lose some of the increments,
// atomicAdd(&counts[id], 1) does not.
static __global__ void histogram_atomic_kernel(std::int32_t* counts, const std::int32_t* ids, std::size_t n,
                                               std::size_t bins) {
    // TODO(ex2.4): guard i < n, skip ids outside [0, bins), add 1 atomically.
}

void histogram_atomic(std::int32_t* counts, const std::int32_t* ids, std::size_t n, std::size_t bins) {
    // TODO(ex2.4): counts holds garbage (NaN poison) when you get it: zero it first with
    //   LADDER_CUDA_CHECK(cudaMemset(counts, 0, bins * sizeof(std::int32_t)));
    // then, if n > 0, launch ceil_div(n, 256) blocks of 256 threads:
    //   launch(histogram_atomic_kernel, dim3(blocks), dim3(256), 0, 0, counts, ids, n, bins);
    // and delete the throw below.
    throw NotImplemented("exercise 2.4: histogram_atomic (exercises/ch02_bag_of_words/histogram_atomic.cu)");
}

}  // namespace ladder::LADDER_GPU_NS::ex02
