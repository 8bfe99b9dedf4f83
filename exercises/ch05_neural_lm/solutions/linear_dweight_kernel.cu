// Solution to exercise 5.4: one thread per weight, the sum over rows in a register.
#include "core/kernel.hpp"
#include "exercises/ch05_neural_lm/exercises.hpp"

namespace ladder::LADDER_GPU_NS::ex05 {

// forward: out[n][o] = sum_c inp[n][c] weight[o][c] + bias[o]  =>  dweight[o][c] += sum_n dout[n][o] inp[n][c]
static __global__ void linear_dweight_ex_kernel(float* dweight, const float* dout, const float* inp, std::size_t N,
                                                std::size_t C, std::size_t OC) {
    const std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i >= OC * C) return;
    const std::size_t o = i / C, c = i % C;
    float sum = 0.0f;
    for (std::size_t n = 0; n < N; ++n) {
        const float* dout_n = dout + n * OC;
        const float* inp_n = inp + n * C;
        sum += dout_n[o] * inp_n[c];
    }
    dweight[i] += sum;
}

void linear_dweight_kernel(float* dweight, const float* dout, const float* inp, std::size_t N, std::size_t C,
                           std::size_t OC) {
    if (OC * C == 0) return;
    launch(linear_dweight_ex_kernel, dim3(ceil_div(OC * C, 256)), dim3(256), 0, 0, dweight, dout, inp, N, C, OC);
}

}  // namespace ladder::LADDER_GPU_NS::ex05
