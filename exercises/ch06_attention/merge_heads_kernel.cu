// Exercise 6.5: the head merge on the GPU. After attention, each head's output is its own
// (T,hs) block: inp (B,NH,T,hs). The next layer wants rows again: out (B,T,C), C = NH*hs,
// with head h's hs values side by side at columns h*hs .. h*hs + hs - 1:
//   out[b][t][h*hs + i] = inp[b][h][t][i]
// Both are device pointers; out is overwritten. Introduced in ch06 (the heads op,
// kernels/heads, is the reference: its v1 is this kernel).
#include "core/kernel.hpp"
#include "exercises/ch06_attention/exercises.hpp"

namespace ladder::LADDER_GPU_NS::ex06 {

// Hint: one thread per element of OUT, B * T * C of them (std::size_t): i = blockIdx.x *
// blockDim.x + threadIdx.x, nothing to do past the end. Split i the way out is laid out:
// i = (b * T + t) * C + h * hs + j, so j = i % hs, h = (i / hs) % NH, t = (i / C) % T,
// b = i / (C * T). Then read inp at ((b * NH + h) * T + t) * hs + j. Consecutive threads
// write consecutive floats of out (coalesced), and within a head's run they read
// consecutive floats of inp too.
static __global__ void merge_heads_ex_kernel(float* out, const float* inp, std::size_t B, std::size_t T,
                                             std::size_t NH, std::size_t hs) {
    // TODO(ex6.5): compute i, return past B * T * NH * hs, split it, copy one float.
}

void merge_heads_kernel(float* out, const float* inp, std::size_t B, std::size_t T, std::size_t NH, std::size_t hs) {
    // TODO(ex6.5): n = B * T * NH * hs; if (n == 0) return; then
    // launch(merge_heads_ex_kernel, dim3(ceil_div(n, 256)), dim3(256), 0, 0, out, inp, B, T, NH, hs);
    // and delete the throw below.
    throw NotImplemented("exercise 6.5: merge_heads_kernel (exercises/ch06_attention/merge_heads_kernel.cu)");
}

}  // namespace ladder::LADDER_GPU_NS::ex06
