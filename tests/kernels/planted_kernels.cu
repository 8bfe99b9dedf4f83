// planted_kernels.cu: kernels with a planted bug, for the harness's own tests: matmul v2's
// tiles with one barrier removed. Built for the SIMT emulator only (tests/kernels).
#include "core/kernel.hpp"
#include "tests/kernels/planted_kernels.hpp"

namespace ladder::LADDER_GPU_NS {

constexpr int kPlantedTile = 16;

static __global__ void tiled_matmul_missing_sync_kernel(float* c, const float* a, const float* b, std::size_t M,
                                                        std::size_t N, std::size_t K) {
    __shared__ float a_tile[kPlantedTile][kPlantedTile];
    __shared__ float b_tile[kPlantedTile][kPlantedTile];
    const int tx = threadIdx.x, ty = threadIdx.y;
    const std::size_t i = blockIdx.y * kPlantedTile + ty;
    const std::size_t j = blockIdx.x * kPlantedTile + tx;
    float acc = 0.0f;
    for (std::size_t k0 = 0; k0 < K; k0 += kPlantedTile) {
        a_tile[ty][tx] = (i < M && k0 + tx < K) ? a[i * K + k0 + tx] : 0.0f;
        b_tile[ty][tx] = (k0 + ty < K && j < N) ? b[(k0 + ty) * N + j] : 0.0f;
        __syncthreads();
        for (int k = 0; k < kPlantedTile; ++k) acc += a_tile[ty][k] * b_tile[k][tx];
        // PLANTED BUG: the __syncthreads() that belongs here is missing.
    }
    if (i < M && j < N) c[i * N + j] = acc;
}

void planted_tiled_matmul_missing_sync(float* c, const float* a, const float* b, std::size_t M, std::size_t N,
                                       std::size_t K) {
    launch(tiled_matmul_missing_sync_kernel, dim3(ceil_div(N, kPlantedTile), ceil_div(M, kPlantedTile)),
           dim3(kPlantedTile, kPlantedTile), 0, 0, c, a, b, M, N, K);
}

}  // namespace ladder::LADDER_GPU_NS
