// Exercise 5.3: the backward of tanh on the GPU. dinp, out, dout (n) are device pointers.
//   forward: out[i] = tanh(inp[i])  =>  dinp[i] += (1 - out[i]^2) * dout[i]
// Introduced in ch05 (the MLP's backward).
#include "core/kernel.hpp"
#include "exercises/ch05_neural_lm/exercises.hpp"

namespace ladder::LADDER_GPU_NS::ex05 {

// Hint: one thread per element: i = blockIdx.x * blockDim.x + threadIdx.x (in std::size_t),
// nothing to do past n. The forward saved `out`, so you never need tanh here. dinp is a
// gradient buffer: ADD to it (another layer may already have written its share).
static __global__ void tanh_backward_ex_kernel(float* dinp, const float* out, const float* dout, std::size_t n) {
    // TODO(ex5.3): compute i, return when i >= n, then dinp[i] += ...
}

void tanh_backward_kernel(float* dinp, const float* out, const float* dout, std::size_t n) {
    // TODO(ex5.3): if (n == 0) return; then
    // launch(tanh_backward_ex_kernel, dim3(ceil_div(n, 256)), dim3(256), 0, 0, dinp, out, dout, n);
    // and delete the throw below.
    throw NotImplemented("exercise 5.3: tanh_backward_kernel (exercises/ch05_neural_lm/tanh_backward_kernel.cu)");
}

}  // namespace ladder::LADDER_GPU_NS::ex05
