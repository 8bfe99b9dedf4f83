// Solution to exercise 4.6: Hillis-Steele in one block, two elements per thread.
#include "core/kernel.hpp"
#include "exercises/ch04_tokenization/exercises.hpp"

namespace ladder::LADDER_GPU_NS::ex04 {

static __global__ void scan_block(std::int32_t* out, const std::int32_t* in, std::size_t n) {
    constexpr unsigned m = 512;
    __shared__ std::int32_t s[m];
    for (unsigned k = threadIdx.x; k < m; k += blockDim.x) s[k] = (k > 0 && k - 1 < n) ? in[k - 1] : 0;   // shifted
    __syncthreads();
    for (unsigned d = 1; d < m; d *= 2) {
        std::int32_t add[2] = {0, 0};
        for (unsigned j = 0; j < 2; ++j) {
            const unsigned k = threadIdx.x + j * blockDim.x;
            if (k >= d) add[j] = s[k - d];
        }
        __syncthreads();
        for (unsigned j = 0; j < 2; ++j) s[threadIdx.x + j * blockDim.x] += add[j];
        __syncthreads();
    }
    for (unsigned k = threadIdx.x; k < n; k += blockDim.x) out[k] = s[k];
}

void scan_kernel(std::int32_t* out, const std::int32_t* in, std::size_t n) {
    if (n > 0) launch(scan_block, dim3(1), dim3(256), 0, 0, out, in, n);
}

}  // namespace ladder::LADDER_GPU_NS::ex04
