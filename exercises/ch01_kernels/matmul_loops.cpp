// Exercise 1.1: C = A B with three nested loops, on the CPU.
// a (M,K), b (K,N), c (M,N), all row-major: element (i, k) of A is a[i * K + k].
// Introduced in ch01 (book/ch01_kernels.md, "The matmul lesson").
#include "core/error.hpp"
#include "exercises/ch01_kernels/exercises.hpp"

namespace ladder::ex01 {

// Hint: C[i][j] is the dot product of row i of A and column j of B. Sum in a local
// float, then store it once; C may hold garbage (NaN) before you write it.
void matmul_loops(float* c, const float* a, const float* b, std::size_t M, std::size_t N, std::size_t K) {
    // TODO(ex1.1): three loops over i < M, j < N, k < K; write c[i * N + j].
    throw NotImplemented("exercise 1.1: matmul_loops (exercises/ch01_kernels/matmul_loops.cpp)");
}

}  // namespace ladder::ex01
