// Solution to exercise 8.1: out = the ranks' gradients summed in rank order, divided by N once.
#include "core/kernel.hpp"
#include "exercises/ch08_pretraining/exercises.hpp"

namespace ladder::LADDER_GPU_NS::ex08 {

static __global__ void grad_average_ex_kernel(float* out, const float* in, std::size_t N, std::size_t n) {
    const std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i >= n) return;
    float s = in[i];  // rank 0
    for (std::size_t r = 1; r < N; ++r) s += in[r * n + i];
    out[i] = s / static_cast<float>(N);
}

void grad_average_kernel(float* out, const float* in, std::size_t N, std::size_t n) {
    if (n == 0) return;
    launch(grad_average_ex_kernel, dim3(ceil_div(n, 256)), dim3(256), 0, 0, out, in, N, n);
}

}  // namespace ladder::LADDER_GPU_NS::ex08
