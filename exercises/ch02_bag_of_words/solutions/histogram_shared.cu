// Solution to exercise 2.5: a private shared-memory histogram per block.
#include "core/kernel.hpp"
#include "exercises/ch02_bag_of_words/exercises.hpp"

namespace ladder::LADDER_GPU_NS::ex02 {

constexpr int kBins = static_cast<int>(ex02_shared_max_bins);

static __global__ void histogram_shared_kernel(std::int32_t* counts, const std::int32_t* ids, std::size_t n,
                                               std::size_t bins) {
    __shared__ int local[kBins];
    for (std::size_t b = threadIdx.x; b < bins; b += blockDim.x) local[b] = 0;
    __syncthreads();
    const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
    for (std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride) {
        const std::int32_t id = ids[i];
        if (id >= 0 && static_cast<std::size_t>(id) < bins) atomicAdd(&local[id], 1);
    }
    __syncthreads();
    for (std::size_t b = threadIdx.x; b < bins; b += blockDim.x)
        if (local[b] != 0) atomicAdd(&counts[b], local[b]);
}

void histogram_shared(std::int32_t* counts, const std::int32_t* ids, std::size_t n, std::size_t bins) {
    if (bins == 0) return;
    LADDER_CUDA_CHECK(cudaMemset(counts, 0, bins * sizeof(std::int32_t)));
    if (n == 0) return;
    unsigned blocks = ceil_div(n, 256 * 8);
    blocks = blocks < 64u ? blocks : 64u;
    launch(histogram_shared_kernel, dim3(blocks), dim3(256), 0, 0, counts, ids, n, bins);
}

}  // namespace ladder::LADDER_GPU_NS::ex02
