// Exercise 6.1: the softmax of R rows of C values on the GPU, one block per row.
//   out[r][c] = exp(inp[r][c] - max_r) / sum_c' exp(inp[r][c'] - max_r)
// out, inp (R,C) are device pointers. A row may hold -inf (a masked score: its output is 0)
// but holds at least one finite value. Introduced in ch06 (attention's softmax; the
// chapter's softmax op, kernels/softmax, is the reference: its v2 is this kernel).
#include "core/kernel.hpp"
#include "exercises/ch06_attention/exercises.hpp"

namespace ladder::LADDER_GPU_NS::ex06 {

constexpr unsigned kThreads = 128;   // threads per block: a power of two, for the tree

// Requirements:
//   * block r (blockIdx.x) owns row r; its kThreads threads take the entries c = threadIdx.x,
//     threadIdx.x + kThreads, ... (consecutive threads read consecutive floats: coalesced).
//   * the row's max and sum are each reduced by a tree in __shared__ float partial[kThreads]:
//     every thread writes its value, __syncthreads(), then for half = kThreads/2, /4, ..., 1
//     the threads tid < half combine partial[tid] with partial[tid + half], __syncthreads()
//     after each level; then everyone reads partial[0], and waits once more (__syncthreads)
//     before the next reduction overwrites partial.
//   * a thread with no entries (C < kThreads) contributes max -inf and sum 0, which change nothing.
//   * C need not be a multiple of kThreads; no thread may return before the last barrier.
// Code plan: m = max of my entries (fmaxf, starting at -INFINITY); m = tree max; s = sum of
// expf(x - m) over my entries; s = tree sum; out = expf(x - m) / s for my entries.
// Hint: run `LADDER_SIMT_SCHEDULE=reverse ./ladder exercise ch06` to see whether a missing
// __syncthreads changes your answer (the test's race check does the same).
static __global__ void softmax_block_ex_kernel(float* out, const float* inp, std::size_t R, std::size_t C) {
    // TODO(ex6.1): the row pointers, the max tree, the sum tree, the outputs.
}

void softmax_block_kernel(float* out, const float* inp, std::size_t R, std::size_t C) {
    // TODO(ex6.1): if (R == 0 || C == 0) return; then
    // launch(softmax_block_ex_kernel, dim3(R blocks), dim3(kThreads), 0, 0, out, inp, R, C);
    // and delete the throw below.
    throw NotImplemented("exercise 6.1: softmax_block_kernel (exercises/ch06_attention/softmax_block_kernel.cu)");
}

}  // namespace ladder::LADDER_GPU_NS::ex06
