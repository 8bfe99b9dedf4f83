// Exercise 5.4: the weight gradient of a linear layer on the GPU. dout (N,OC), inp (N,C),
// dweight (OC,C), device pointers. forward: out[n][o] = sum_c inp[n][c] weight[o][c] + bias[o]
//   =>  dweight[o][c] += sum_n dout[n][o] * inp[n][c]   (dweight = dout^T inp; it accumulates)
// Introduced in ch05 (the MLP's backward).
#include "core/kernel.hpp"
#include "exercises/ch05_neural_lm/exercises.hpp"

namespace ladder::LADDER_GPU_NS::ex05 {

// Hint: one thread per weight, OC * C threads: o = i / C, c = i % C. Each thread walks the
// N rows (const float* dout_n = dout + n * OC; const float* inp_n = inp + n * C) summing
// dout_n[o] * inp_n[c] in a register, then adds the sum to dweight[i] once. No two threads
// write the same weight, so no atomics are needed.
static __global__ void linear_dweight_ex_kernel(float* dweight, const float* dout, const float* inp, std::size_t N,
                                                std::size_t C, std::size_t OC) {
    // TODO(ex5.4): compute i, return past OC * C, loop over n, dweight[i] += sum.
}

void linear_dweight_kernel(float* dweight, const float* dout, const float* inp, std::size_t N, std::size_t C,
                           std::size_t OC) {
    // TODO(ex5.4): launch(linear_dweight_ex_kernel, dim3(blocks), dim3(256), 0, 0, dweight, dout, inp, N, C, OC);
    // with enough blocks for OC * C threads (none when that is 0), and delete the throw below.
    throw NotImplemented("exercise 5.4: linear_dweight_kernel (exercises/ch05_neural_lm/linear_dweight_kernel.cu)");
}

}  // namespace ladder::LADDER_GPU_NS::ex05
