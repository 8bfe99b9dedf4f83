// Exercise 7.2: GELU's backward pass on the GPU. GPT-2's MLP uses the tanh approximation
//   forward:  gelu(x) = 0.5 x (1 + t),   t = tanh(k (x + c x^3)),   k = sqrt(2/pi), c = 0.044715
// and its backward multiplies the upstream gradient by the slope, accumulating:
//   dinp[i] += gelu'(inp[i]) * dout[i]                             (dinp is a gradient buffer)
// inp, dout, dinp (n) are device pointers. Introduced in ch07 (the gelu op, kernels/gelu, is the
// reference: its v1 is this kernel).
#include "core/kernel.hpp"
#include "exercises/ch07_gpt/exercises.hpp"
#include "kernels/gelu/gelu.hpp"

namespace ladder::LADDER_GPU_NS::ex07 {

// The two constants in float, from kernels/gelu/gelu.hpp (gelu_k = sqrt(2/pi), gelu_c = 0.044715).
constexpr float kK = static_cast<float>(gelu_k), kC = static_cast<float>(gelu_c);

// Derive the slope yourself before you code it: gelu is a product, 0.5 x times (1 + t(x)), so
//   gelu'(x) = 0.5 (1 + t) + 0.5 x t'(x),
// and t = tanh(a(x)) gives t' = (1 - t^2) a'(x) (tanh' = 1 - tanh^2), with a(x) = k (x + c x^3).
// What is a'(x)? (Besides the gelu op's reference, the test compares your slope with central
// differences of the forward computed in double: a dropped factor shows up there too.)
// Requirements:
//   * one thread per element: i = blockIdx.x * blockDim.x + threadIdx.x (std::size_t), nothing to
//     do past n;
//   * compute t once with tanhf, in float; ADD to dinp[i] (the test starts dinp with values, so
//     an assignment fails).
static __global__ void gelu_backward_ex_kernel(float* dinp, const float* inp, const float* dout, std::size_t n) {
    // TODO(ex7.2): i, the bounds check, t, the slope, dinp[i] += slope * dout[i].
}

void gelu_backward_kernel(float* dinp, const float* inp, const float* dout, std::size_t n) {
    // TODO(ex7.2): if (n == 0) return; then
    // launch(gelu_backward_ex_kernel, dim3(ceil_div(n, 256)), dim3(256), 0, 0, dinp, inp, dout, n);
    // and delete the throw below.
    throw NotImplemented("exercise 7.2: gelu_backward_kernel (exercises/ch07_gpt/gelu_backward_kernel.cu)");
}

}  // namespace ladder::LADDER_GPU_NS::ex07
