// Solution to exercise 2.4: one thread per id, global atomics.
#include "core/kernel.hpp"
#include "exercises/ch02_bag_of_words/exercises.hpp"

namespace ladder::LADDER_GPU_NS::ex02 {

static __global__ void histogram_atomic_kernel(std::int32_t* counts, const std::int32_t* ids, std::size_t n,
                                               std::size_t bins) {
    const std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i >= n) return;
    const std::int32_t id = ids[i];
    if (id >= 0 && static_cast<std::size_t>(id) < bins) atomicAdd(&counts[id], 1);
}

void histogram_atomic(std::int32_t* counts, const std::int32_t* ids, std::size_t n, std::size_t bins) {
    if (bins == 0) return;
    LADDER_CUDA_CHECK(cudaMemset(counts, 0, bins * sizeof(std::int32_t)));
    if (n == 0) return;
    launch(histogram_atomic_kernel, dim3(ceil_div(n, 256)), dim3(256), 0, 0, counts, ids, n, bins);
}

}  // namespace ladder::LADDER_GPU_NS::ex02
