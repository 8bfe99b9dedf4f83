// Solution to exercise 1.2: one thread per element.
#include "core/kernel.hpp"
#include "exercises/ch01_kernels/exercises.hpp"

namespace ladder::LADDER_GPU_NS::ex01 {

static __global__ void vector_add_ex_kernel(float* out, const float* a, const float* b, std::size_t n) {
    const std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i < n) out[i] = a[i] + b[i];
}

void vector_add_kernel(float* out, const float* a, const float* b, std::size_t n) {
    if (n == 0) return;
    constexpr unsigned threads = 256;
    launch(vector_add_ex_kernel, dim3(ceil_div(n, threads)), dim3(threads), 0, 0, out, a, b, n);
}

}  // namespace ladder::LADDER_GPU_NS::ex01
