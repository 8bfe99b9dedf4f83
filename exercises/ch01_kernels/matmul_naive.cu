// Exercise 1.3: the naive CUDA matmul: one thread per element of C = A B.
// a (M,K), b (K,N), c (M,N), row-major device pointers.
// Introduced in ch01 (book/ch01_kernels.md, "v1: one thread per output").
#include "core/kernel.hpp"
#include "exercises/ch01_kernels/exercises.hpp"

namespace ladder::LADDER_GPU_NS::ex01 {

// Hint: use a 2-D grid of 16x16 blocks. Let x pick the column j and y the row i, so
// that neighbouring threads of a warp read neighbouring elements of B and write
// neighbouring elements of C. Threads outside C must do nothing.
static __global__ void matmul_naive_kernel(float* c, const float* a, const float* b, std::size_t M, std::size_t N,
                                           std::size_t K) {
    // TODO(ex1.3): i = row from blockIdx.y/threadIdx.y, j = column from blockIdx.x/threadIdx.x;
    // accumulate sum_k a[i*K + k] * b[k*N + j] and store it in c[i*N + j].
}

void matmul_naive(float* c, const float* a, const float* b, std::size_t M, std::size_t N, std::size_t K) {
    // TODO(ex1.3): launch matmul_naive_kernel with dim3 block(16, 16) and a grid of
    // dim3(ceil_div(N, 16), ceil_div(M, 16)); delete the throw below.
    throw NotImplemented("exercise 1.3: matmul_naive (exercises/ch01_kernels/matmul_naive.cu)");
}

}  // namespace ladder::LADDER_GPU_NS::ex01
