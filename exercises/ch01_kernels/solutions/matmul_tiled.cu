// Solution to exercise 1.4: 16x16 shared-memory tiles.
#include "core/kernel.hpp"
#include "exercises/ch01_kernels/exercises.hpp"

namespace ladder::LADDER_GPU_NS::ex01 {

constexpr int kTile = 16;

static __global__ void matmul_tiled_kernel(float* c, const float* a, const float* b, std::size_t M, std::size_t N,
                                           std::size_t K) {
    __shared__ float a_tile[kTile][kTile];
    __shared__ float b_tile[kTile][kTile];
    const int tx = threadIdx.x, ty = threadIdx.y;
    const std::size_t i = blockIdx.y * kTile + ty, j = blockIdx.x * kTile + tx;
    float acc = 0.0f;
    for (std::size_t k0 = 0; k0 < K; k0 += kTile) {
        a_tile[ty][tx] = (i < M && k0 + tx < K) ? a[i * K + k0 + tx] : 0.0f;
        b_tile[ty][tx] = (k0 + ty < K && j < N) ? b[(k0 + ty) * N + j] : 0.0f;
        __syncthreads();
        for (int k = 0; k < kTile; ++k) acc += a_tile[ty][k] * b_tile[k][tx];
        __syncthreads();
    }
    if (i < M && j < N) c[i * N + j] = acc;
}

void matmul_tiled(float* c, const float* a, const float* b, std::size_t M, std::size_t N, std::size_t K) {
    if (M == 0 || N == 0) return;
    launch(matmul_tiled_kernel, dim3(ceil_div(N, kTile), ceil_div(M, kTile)), dim3(kTile, kTile), 0, 0, c, a, b, M, N, K);
}

}  // namespace ladder::LADDER_GPU_NS::ex01
