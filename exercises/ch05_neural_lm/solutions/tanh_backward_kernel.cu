// Solution to exercise 5.3: one thread per element, accumulating into dinp.
#include "core/kernel.hpp"
#include "exercises/ch05_neural_lm/exercises.hpp"

namespace ladder::LADDER_GPU_NS::ex05 {

// forward: out[i] = tanh(inp[i])  =>  dinp[i] += (1 - out[i]^2) * dout[i]
static __global__ void tanh_backward_ex_kernel(float* dinp, const float* out, const float* dout, std::size_t n) {
    const std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i >= n) return;
    dinp[i] += (1.0f - out[i] * out[i]) * dout[i];
}

void tanh_backward_kernel(float* dinp, const float* out, const float* dout, std::size_t n) {
    if (n == 0) return;
    launch(tanh_backward_ex_kernel, dim3(ceil_div(n, 256)), dim3(256), 0, 0, dinp, out, dout, n);
}

}  // namespace ladder::LADDER_GPU_NS::ex05
