// Exercise 1.4: the tiled CUDA matmul: each 16x16 block stages 16x16 tiles of A and B
// in shared memory and reuses every loaded value 16 times.
// a (M,K), b (K,N), c (M,N), row-major device pointers. Introduced in ch01 ("v2: tiles").
#include "core/kernel.hpp"
#include "exercises/ch01_kernels/exercises.hpp"

namespace ladder::LADDER_GPU_NS::ex01 {

constexpr int kTile = 16;

// Requirements:
//   * block (16, 16) computes the 16x16 tile of C at rows blockIdx.y*16.., columns blockIdx.x*16..
//   * for each slice k0 = 0, 16, 32, ... of K: every thread loads ONE element of the A tile
//     and ONE of the B tile into __shared__ arrays (0 when outside the matrix), then the
//     block waits (__syncthreads), then each thread adds 16 products, then waits again
//     before the next slice overwrites the tiles.
//   * M, N and K need not be multiples of 16.
// Hint: the emulator runs threads in order; run `LADDER_SIMT_SCHEDULE=reverse ./ladder
// exercise ch01` to see whether a missing __syncthreads changes your answer.
static __global__ void matmul_tiled_kernel(float* c, const float* a, const float* b, std::size_t M, std::size_t N,
                                           std::size_t K) {
    // TODO(ex1.4): declare __shared__ float a_tile[kTile][kTile], b_tile[kTile][kTile];
    // loop over k0, load, __syncthreads(), accumulate, __syncthreads(); store if inside C.
}

void matmul_tiled(float* c, const float* a, const float* b, std::size_t M, std::size_t N, std::size_t K) {
    // TODO(ex1.4): launch matmul_tiled_kernel on dim3(ceil_div(N, kTile), ceil_div(M, kTile))
    // blocks of dim3(kTile, kTile) threads; delete the throw below.
    throw NotImplemented("exercise 1.4: matmul_tiled (exercises/ch01_kernels/matmul_tiled.cu)");
}

}  // namespace ladder::LADDER_GPU_NS::ex01
