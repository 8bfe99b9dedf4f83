// Solution to exercise 1.1: C = A B with three nested loops.
#include "exercises/ch01_kernels/exercises.hpp"

namespace ladder::ex01 {

void matmul_loops(float* c, const float* a, const float* b, std::size_t M, std::size_t N, std::size_t K) {
    for (std::size_t i = 0; i < M; ++i) {
        for (std::size_t j = 0; j < N; ++j) {
            float acc = 0.0f;
            for (std::size_t k = 0; k < K; ++k) acc += a[i * K + k] * b[k * N + j];
            c[i * N + j] = acc;
        }
    }
}

}  // namespace ladder::ex01
