// Solution to exercise 1.3: one thread per element of C.
#include "core/kernel.hpp"
#include "exercises/ch01_kernels/exercises.hpp"

namespace ladder::LADDER_GPU_NS::ex01 {

static __global__ void matmul_naive_kernel(float* c, const float* a, const float* b, std::size_t M, std::size_t N,
                                           std::size_t K) {
    const std::size_t j = blockIdx.x * blockDim.x + threadIdx.x;
    const std::size_t i = blockIdx.y * blockDim.y + threadIdx.y;
    if (i >= M || j >= N) return;
    float acc = 0.0f;
    for (std::size_t k = 0; k < K; ++k) acc += a[i * K + k] * b[k * N + j];
    c[i * N + j] = acc;
}

void matmul_naive(float* c, const float* a, const float* b, std::size_t M, std::size_t N, std::size_t K) {
    if (M == 0 || N == 0) return;
    launch(matmul_naive_kernel, dim3(ceil_div(N, 16), ceil_div(M, 16)), dim3(16, 16), 0, 0, c, a, b, M, N, K);
}

}  // namespace ladder::LADDER_GPU_NS::ex01
