// Exercise 8.2: the total of R per-token losses on the GPU, the reduction that turns a validation
// batch's losses into its sum (divided by R: the mean loss):
//   out[0] = losses[0] + losses[1] + ... + losses[R-1]
// out (1) and losses (R) are device pointers. Introduced in ch08 (the loss_sum op,
// kernels/loss_sum, is the reference: its v1 is this kernel; its v2 adds a first pass over many
// blocks).
#include "core/kernel.hpp"
#include "exercises/ch08_pretraining/exercises.hpp"

namespace ladder::LADDER_GPU_NS::ex08 {

constexpr unsigned kThreads = 256;  // threads of the one block: a power of two, for the tree

// Requirements:
//   * one block of kThreads threads. Thread t sums losses t, t + kThreads, t + 2 kThreads, ...
//     in a register (a thread past the end contributes 0);
//   * then the block adds its kThreads sums by a tree in __shared__ float partial[kThreads]:
//     every thread writes its sum; then for half = kThreads/2, kThreads/4, ..., 1, the threads
//     tid < half add partial[tid + half] onto partial[tid], with a __syncthreads() before each
//     level (a level reads what the one before wrote);
//   * thread 0 writes partial[0] to out[0]. No thread may return before the last barrier.
// This bounds each loss's chain of roundings to R / 256 + 8 additions; the test allows what the
// loss_sum op's bound allows (kernels/loss_sum/loss_sum_op.cpp), far less than a single thread
// adding all R in a row could need (R additions).
// Hint: `LADDER_SIMT_SCHEDULE=reverse ./ladder exercise ch08` runs the threads in reverse order;
// a missing __syncthreads then changes the answer (the test's race check does the same).
static __global__ void loss_sum_ex_kernel(float* out, const float* losses, std::size_t R) {
    // TODO(ex8.2): the thread's running sum, the tree, out[0].
}

void loss_sum_kernel(float* out, const float* losses, std::size_t R) {
    // TODO(ex8.2): launch(loss_sum_ex_kernel, dim3(1), dim3(kThreads), 0, 0, out, losses, R);
    // (R = 0 needs no special case: every thread contributes 0) and delete the throw below.
    throw NotImplemented("exercise 8.2: loss_sum_kernel (exercises/ch08_pretraining/loss_sum_kernel.cu)");
}

}  // namespace ladder::LADDER_GPU_NS::ex08
