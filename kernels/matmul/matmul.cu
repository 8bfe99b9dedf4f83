// matmul.cu: C (M,N) = alpha * op(A) op(B) + beta * C on the GPU, versions v1..v4.
// Row-major; A (M,K) or (K,M) when ta, B (K,N) or (N,K) when tb (see matmul.hpp).
// Introduced in ch01 (the matmul lesson); the same file runs on the SIMT emulator.
//
// v1  one thread per element of C, K multiply-adds from global memory       (baseline)
// v2  16x16 tiles of A and B staged in shared memory, reused 16 times        (16x less global traffic)
// v3  64x64 tiles per block, each thread owns a 4x4 block of C in registers  (4x fewer shared loads per FMA)
// v4  128x128 tiles, 8x8 outputs per thread, float4 reads of shared memory  (4 FMAs per shared float read)
#include "core/kernel.hpp"
#include "kernels/matmul/matmul.hpp"

namespace ladder::LADDER_GPU_NS {

// ---- kernels ----

// Element (i, k) of op(A) and (k, j) of op(B), whatever the storage order.
__device__ __forceinline__ float load_a(const float* a, std::size_t i, std::size_t k, const MatmulDims& d) {
    return d.ta ? a[k * d.M + i] : a[i * d.K + k];
}
__device__ __forceinline__ float load_b(const float* b, std::size_t k, std::size_t j, const MatmulDims& d) {
    return d.tb ? b[j * d.K + k] : b[k * d.N + j];
}
// beta == 0 must not read C: it may hold garbage or NaN, and NaN * 0 is NaN.
__device__ __forceinline__ void store_c(float* c_ij, float acc, const MatmulDims& d) {
    *c_ij = d.beta == 0.0f ? d.alpha * acc : d.alpha * acc + d.beta * *c_ij;
}

// [book:matmul-v1]
// v1: thread (x, y) of the grid computes C[y][x]. Neighbouring threads of a warp take
// neighbouring columns, so their reads of B and writes of C are coalesced.
static __global__ void matmul_v1_kernel(float* c, const float* a, const float* b, MatmulDims d) {
    const std::size_t j = blockIdx.x * blockDim.x + threadIdx.x;   // column of C
    const std::size_t i = blockIdx.y * blockDim.y + threadIdx.y;   // row of C
    if (i >= d.M || j >= d.N) return;
    float acc = 0.0f;
    for (std::size_t k = 0; k < d.K; ++k) acc += load_a(a, i, k, d) * load_b(b, k, j, d);
    store_c(c + i * d.N + j, acc, d);
}
// [/book]

// [book:matmul-v2]
// v2: a 16x16 block computes a 16x16 tile of C. For each 16-wide slice of K, the block
// copies a tile of A and a tile of B into shared memory (one element per thread), waits,
// and every thread reads 16 values of each from there: each global load is used 16 times.
constexpr int kTile = 16;

static __global__ void matmul_v2_kernel(float* c, const float* a, const float* b, MatmulDims d) {
    __shared__ float a_tile[kTile][kTile];   // a_tile[ty][tx] = op(A)[row0 + ty][k0 + tx]
    __shared__ float b_tile[kTile][kTile];   // b_tile[ty][tx] = op(B)[k0 + ty][col0 + tx]
    const int tx = threadIdx.x, ty = threadIdx.y;
    const std::size_t i = blockIdx.y * kTile + ty;
    const std::size_t j = blockIdx.x * kTile + tx;
    float acc = 0.0f;
    for (std::size_t k0 = 0; k0 < d.K; k0 += kTile) {
        // Out-of-range elements load as 0 so they add nothing (edges of M, N and K).
        a_tile[ty][tx] = (i < d.M && k0 + tx < d.K) ? load_a(a, i, k0 + tx, d) : 0.0f;
        b_tile[ty][tx] = (k0 + ty < d.K && j < d.N) ? load_b(b, k0 + ty, j, d) : 0.0f;
        __syncthreads();   // the tiles are complete before anyone reads them
        for (int k = 0; k < kTile; ++k) acc += a_tile[ty][k] * b_tile[k][tx];
        __syncthreads();   // everyone is done reading before the next tiles overwrite them
    }
    if (i < d.M && j < d.N) store_c(c + i * d.N + j, acc, d);
}
// [/book]

// [book:matmul-v3]
// v3: a block of 16x16 threads computes a 64x64 tile of C; thread (tx, ty) owns the 4x4
// outputs at rows ty + 16r and columns tx + 16s (r, s < 4), accumulated in registers.
// Per step of k it reads 4 values of A and 4 of B from shared memory and does 16 FMAs,
// where v2 did 2 reads per FMA. Strided ownership keeps a warp's shared reads and its
// global writes on consecutive addresses.
constexpr int kBlockTile = 64;                 // C tile per block: 64 x 64
constexpr int kDepth = 16;                     // K slice staged per step
constexpr int kThreads = 16;                   // 16 x 16 threads
constexpr int kPerThread = kBlockTile / kThreads;   // 4 x 4 outputs per thread

static __global__ void matmul_v3_kernel(float* c, const float* a, const float* b, MatmulDims d) {
    __shared__ float a_tile[kDepth][kBlockTile];   // a_tile[k][r] = op(A)[row0 + r][k0 + k]
    __shared__ float b_tile[kDepth][kBlockTile];   // b_tile[k][s] = op(B)[k0 + k][col0 + s]
    const int tx = threadIdx.x, ty = threadIdx.y;
    const int tid = ty * kThreads + tx;             // 0..255
    const std::size_t row0 = blockIdx.y * kBlockTile, col0 = blockIdx.x * kBlockTile;

    float acc[kPerThread][kPerThread] = {};
    for (std::size_t k0 = 0; k0 < d.K; k0 += kDepth) {
        // 64 x 16 = 1024 elements per tile, 4 per thread. Element e of the A tile is
        // (row e / 16, depth e % 16); of the B tile (depth e / 64, column e % 64).
        for (int e = tid; e < kBlockTile * kDepth; e += kThreads * kThreads) {
            const int ar = e / kDepth, ak = e % kDepth;
            const std::size_t ai = row0 + ar, aks = k0 + ak;
            a_tile[ak][ar] = (ai < d.M && aks < d.K) ? load_a(a, ai, aks, d) : 0.0f;
            const int bk = e / kBlockTile, bc = e % kBlockTile;
            const std::size_t bks = k0 + bk, bj = col0 + bc;
            b_tile[bk][bc] = (bks < d.K && bj < d.N) ? load_b(b, bks, bj, d) : 0.0f;
        }
        __syncthreads();
        for (int k = 0; k < kDepth; ++k) {
            float a_reg[kPerThread], b_reg[kPerThread];
            for (int r = 0; r < kPerThread; ++r) a_reg[r] = a_tile[k][ty + kThreads * r];
            for (int s = 0; s < kPerThread; ++s) b_reg[s] = b_tile[k][tx + kThreads * s];
            for (int r = 0; r < kPerThread; ++r)
                for (int s = 0; s < kPerThread; ++s) acc[r][s] += a_reg[r] * b_reg[s];
        }
        __syncthreads();
    }
    for (int r = 0; r < kPerThread; ++r) {
        const std::size_t i = row0 + ty + kThreads * r;
        for (int s = 0; s < kPerThread; ++s) {
            const std::size_t j = col0 + tx + kThreads * s;
            if (i < d.M && j < d.N) store_c(c + i * d.N + j, acc[r][s], d);
        }
    }
}
// [/book]

// [book:matmul-v4]
// v4: the same idea pushed further. A block of 256 threads computes a 128x128 tile of C,
// each thread an 8x8 block (64 accumulators in registers). Per step of k it reads 8
// values of A and 8 of B from shared memory as two float4 loads each, and does 64 FMAs:
// 4 FMAs per float read from shared memory (v3: 2, v2: 0.5). The K slice is 8 deep, so
// the two tiles take 2 x 8 x 128 floats = 8 KiB of shared memory.
constexpr int kTile4 = 128;                    // C tile per block: 128 x 128
constexpr int kDepth4 = 8;                     // K slice per step
constexpr int kPer4 = 8;                       // 8 x 8 outputs per thread
constexpr int kThreads4 = (kTile4 / kPer4) * (kTile4 / kPer4);   // 16 x 16 = 256

static __global__ void matmul_v4_kernel(float* c, const float* a, const float* b, MatmulDims d) {
    // k-major tiles: a_tile[k][r] = op(A)[row0 + r][k0 + k], b_tile[k][s] = op(B)[k0 + k][col0 + s].
    // 16-byte alignment lets a thread read four neighbours as one float4.
    alignas(16) __shared__ float a_tile[kDepth4][kTile4];
    alignas(16) __shared__ float b_tile[kDepth4][kTile4];
    const int tid = threadIdx.x;
    const int tx = tid % (kTile4 / kPer4), ty = tid / (kTile4 / kPer4);   // 16 x 16
    const std::size_t row0 = blockIdx.y * kTile4, col0 = blockIdx.x * kTile4;

    float acc[kPer4][kPer4] = {};
    for (std::size_t k0 = 0; k0 < d.K; k0 += kDepth4) {
        // 128 x 8 = 1024 elements per tile, 4 per thread. The index order follows the
        // storage order, so consecutive threads read consecutive addresses of A and B.
        for (int e = tid; e < kTile4 * kDepth4; e += kThreads4) {
            const int ar = d.ta ? e % kTile4 : e / kDepth4, ak = d.ta ? e / kTile4 : e % kDepth4;
            const std::size_t ai = row0 + ar, aks = k0 + ak;
            a_tile[ak][ar] = (ai < d.M && aks < d.K) ? load_a(a, ai, aks, d) : 0.0f;
            const int bk = d.tb ? e % kDepth4 : e / kTile4, bc = d.tb ? e / kDepth4 : e % kTile4;
            const std::size_t bks = k0 + bk, bj = col0 + bc;
            b_tile[bk][bc] = (bks < d.K && bj < d.N) ? load_b(b, bks, bj, d) : 0.0f;
        }
        __syncthreads();
        for (int k = 0; k < kDepth4; ++k) {
            const float4* a4 = reinterpret_cast<const float4*>(&a_tile[k][ty * kPer4]);
            const float4* b4 = reinterpret_cast<const float4*>(&b_tile[k][tx * kPer4]);
            const float4 a_lo = a4[0], a_hi = a4[1], b_lo = b4[0], b_hi = b4[1];
            const float a_reg[kPer4] = {a_lo.x, a_lo.y, a_lo.z, a_lo.w, a_hi.x, a_hi.y, a_hi.z, a_hi.w};
            const float b_reg[kPer4] = {b_lo.x, b_lo.y, b_lo.z, b_lo.w, b_hi.x, b_hi.y, b_hi.z, b_hi.w};
            for (int r = 0; r < kPer4; ++r)
                for (int s = 0; s < kPer4; ++s) acc[r][s] += a_reg[r] * b_reg[s];
        }
        __syncthreads();
    }
    for (int r = 0; r < kPer4; ++r) {
        const std::size_t i = row0 + ty * kPer4 + r;
        if (i >= d.M) break;
        for (int s = 0; s < kPer4; ++s) {
            const std::size_t j = col0 + tx * kPer4 + s;
            if (j < d.N) store_c(c + i * d.N + j, acc[r][s], d);
        }
    }
}
// [/book]

// ---- launchers ----

void matmul(int version, float* c, const float* a, const float* b, const MatmulDims& d) {
    if (d.M == 0 || d.N == 0) return;
    switch (version) {
        case 1: {
            const dim3 block(16, 16);
            launch(matmul_v1_kernel, dim3(ceil_div(d.N, 16), ceil_div(d.M, 16)), block, 0, 0, c, a, b, d);
            return;
        }
        case 2:
            launch(matmul_v2_kernel, dim3(ceil_div(d.N, kTile), ceil_div(d.M, kTile)), dim3(kTile, kTile), 0, 0, c, a,
                   b, d);
            return;
        case 3:
            launch(matmul_v3_kernel, dim3(ceil_div(d.N, kBlockTile), ceil_div(d.M, kBlockTile)),
                   dim3(kThreads, kThreads), 0, 0, c, a, b, d);
            return;
        case 4:
            launch(matmul_v4_kernel, dim3(ceil_div(d.N, kTile4), ceil_div(d.M, kTile4)), dim3(kThreads4), 0, 0, c, a, b, d);
            return;
        default:
            LADDER_NO_SUCH_VERSION("matmul", version, matmul_gpu_versions);
    }
}

}  // namespace ladder::LADDER_GPU_NS
