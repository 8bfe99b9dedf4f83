// Exercise 8.1: the arithmetic of a data-parallel all-reduce on the GPU. N ranks each computed
// the gradient of their own shard of the batch; the gradient of the whole batch is the mean of
// the N (the shards are equal-sized), and every rank steps with it, so the replicas stay equal:
//   out[i] = (in[0][i] + in[1][i] + ... + in[N-1][i]) / N,   in (N,n): row r is rank r's gradient
// in and out are device pointers; N >= 1. Introduced in ch08 (the grad_average op,
// kernels/grad_average, is the reference: its v1 is this kernel).
#include "core/kernel.hpp"
#include "exercises/ch08_pretraining/exercises.hpp"

namespace ladder::LADDER_GPU_NS::ex08 {

// Requirements:
//   * one thread per element: i = blockIdx.x * blockDim.x + threadIdx.x (std::size_t), nothing to
//     do past n. Rank r's element i is in[r * n + i]: consecutive threads read consecutive
//     floats of the same row (coalesced).
//   * add in rank order, starting from rank 0's value (s = in[i], then s += in[r * n + i] for
//     r = 1 .. N-1), in float; then divide once: out[i] = s / (float)N. The reference does exactly
//     this, so a kernel that does it gives the same bits. (Why divide rather than multiply by
//     1.0f / N? One rounding instead of two; and N = 2, 4, 8 stay exact.)
static __global__ void grad_average_ex_kernel(float* out, const float* in, std::size_t N, std::size_t n) {
    // TODO(ex8.1): i, the bounds check, the sum over the ranks, the division.
}

void grad_average_kernel(float* out, const float* in, std::size_t N, std::size_t n) {
    // TODO(ex8.1): if (n == 0) return; then
    // launch(grad_average_ex_kernel, dim3(ceil_div(n, 256)), dim3(256), 0, 0, out, in, N, n);
    // and delete the throw below.
    throw NotImplemented("exercise 8.1: grad_average_kernel (exercises/ch08_pretraining/grad_average_kernel.cu)");
}

}  // namespace ladder::LADDER_GPU_NS::ex08
