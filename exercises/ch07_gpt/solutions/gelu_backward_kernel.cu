// Solution to exercise 7.2: dinp += gelu'(inp) dout, one thread per element.
#include "core/kernel.hpp"
#include "exercises/ch07_gpt/exercises.hpp"
#include "kernels/gelu/gelu.hpp"

namespace ladder::LADDER_GPU_NS::ex07 {

constexpr float kK = static_cast<float>(gelu_k), kC = static_cast<float>(gelu_c);

static __global__ void gelu_backward_ex_kernel(float* dinp, const float* inp, const float* dout, std::size_t n) {
    const std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i >= n) return;
    // forward: out = 0.5 x (1 + t), t = tanh(k (x + c x^3))
    const float x = inp[i];
    const float t = tanhf(kK * (x + kC * x * x * x));
    const float slope = 0.5f * (1.0f + t) + 0.5f * x * (1.0f - t * t) * kK * (1.0f + 3.0f * kC * x * x);
    dinp[i] += slope * dout[i];
}

void gelu_backward_kernel(float* dinp, const float* inp, const float* dout, std::size_t n) {
    if (n == 0) return;
    launch(gelu_backward_ex_kernel, dim3(ceil_div(n, 256)), dim3(256), 0, 0, dinp, inp, dout, n);
}

}  // namespace ladder::LADDER_GPU_NS::ex07
