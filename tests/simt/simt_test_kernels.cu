// simt_test_kernels.cu: small CUDA kernels that exercise one emulator feature each (barriers,
// shuffles, atomics, shared memory, bounds), some with planted bugs the emulator must catch.
// Introduced in ch01 (the SIMT emulator's tests); compiled for the emulator only.
#include "core/kernel.hpp"

#include <stdexcept>
#include <string>

#include "tests/simt/simt_test_kernels.hpp"

namespace ladder::simt_test {

using ladder::LADDER_GPU_NS::launch;

// ---- barriers ----

// [book:simt-block-sum]
static __global__ void block_sum_kernel(int* out, const int* in) {
    __shared__ int partial[256];
    const unsigned t = threadIdx.x;
    partial[t] = in[blockIdx.x * 256 + t];
    __syncthreads();
    for (unsigned stride = 128; stride > 0; stride /= 2) {
        if (t < stride) partial[t] += partial[t + stride];
        __syncthreads();   // the next round reads what this round wrote
    }
    if (t == 0) out[blockIdx.x] = partial[0];
}
// [/book]

static __global__ void block_sum_no_inner_barrier_kernel(int* out, const int* in) {
    __shared__ int partial[256];
    const unsigned t = threadIdx.x;
    partial[t] = in[blockIdx.x * 256 + t];
    __syncthreads();
    for (unsigned stride = 128; stride > 0; stride /= 2) {
        if (t < stride) partial[t] += partial[t + stride];
        // BUG (planted): the __syncthreads() of block_sum_kernel is missing here
    }
    if (t == 0) out[blockIdx.x] = partial[0];
}

void block_sum(int* out, const int* in, unsigned blocks) { launch(block_sum_kernel, dim3(blocks), dim3(256), 0, 0, out, in); }
void block_sum_no_inner_barrier(int* out, const int* in, unsigned blocks) {
    launch(block_sum_no_inner_barrier_kernel, dim3(blocks), dim3(256), 0, 0, out, in);
}

// [book:simt-missing-barrier]
static __global__ void neighbour_diff_kernel(int* out, const int* in, std::size_t n) {
    __shared__ int s[1024];
    const unsigned t = threadIdx.x;
    const std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + t;
    if (i < n) s[t] = in[i];
    // BUG (planted): a __syncthreads() belongs here. Thread t reads what thread t-1 stored;
    // when threads run in index order, t-1 has always stored it already.
    if (i < n) out[i] = s[t] - (t > 0 ? s[t - 1] : 0);
}
// [/book]

void neighbour_diff_missing_barrier(int* out, const int* in, std::size_t n, unsigned threads) {
    launch(neighbour_diff_kernel, dim3(ceil_div(n, threads)), dim3(threads), 0, 0, out, in, n);
}

static __global__ void early_return_rotate_kernel(int* out, const int* in, std::size_t n) {
    __shared__ int s[1024];
    const unsigned t = threadIdx.x;
    const std::size_t first = static_cast<std::size_t>(blockIdx.x) * blockDim.x;
    const std::size_t i = first + t;
    if (i >= n) return;   // threads past the end leave before the barriers below
    const unsigned live = static_cast<unsigned>(n - first < blockDim.x ? n - first : blockDim.x);
    s[t] = in[i];
    __syncthreads();
    const int sum = s[t] + s[(t + 1) % live];
    __syncthreads();
    s[t] = 2 * sum;
    __syncthreads();
    out[i] = s[live - 1 - t];
}

void early_return_rotate(int* out, const int* in, std::size_t n, unsigned threads) {
    launch(early_return_rotate_kernel, dim3(ceil_div(n, threads)), dim3(threads), 0, 0, out, in, n);
}

static __global__ void barrier_reductions_kernel(int* out, const int* in) {
    const std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    const int p = in[i] > 0;
    const int count = __syncthreads_count(p);
    const int all = __syncthreads_and(p);
    const int any = __syncthreads_or(p);
    if (threadIdx.x == 0) {
        out[3 * blockIdx.x] = count;
        out[3 * blockIdx.x + 1] = all;
        out[3 * blockIdx.x + 2] = any;
    }
}

void barrier_reductions(int* out, const int* in, unsigned threads, unsigned blocks) {
    launch(barrier_reductions_kernel, dim3(blocks), dim3(threads), 0, 0, out, in);
}

static __global__ void divergent_barrier_kernel(int* out) {
    if (threadIdx.x < 16) {
        __syncthreads();
    } else {
        __syncthreads();   // BUG (planted): a different barrier than the one above
    }
    out[threadIdx.x] = 1;
}

void divergent_barrier(int* out) { launch(divergent_barrier_kernel, dim3(1), dim3(32), 0, 0, out); }

static __global__ void barrier_vs_syncwarp_kernel(int* out) {
    if (threadIdx.x < 16)
        __syncthreads();
    else
        __syncwarp();   // BUG (planted): waits for lanes 0..15, which wait for us at the barrier
    out[threadIdx.x] = 1;
}

void barrier_vs_syncwarp(int* out) { launch(barrier_vs_syncwarp_kernel, dim3(1), dim3(32), 0, 0, out); }

// ---- warps ----

template <class T>
static __global__ void shuffle_kernel(int kind, T* out, const T* in, int arg, int width) {
    const std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    const unsigned lane = threadIdx.x % 32;
    const T v = in[i];
    T r{};
    switch (kind) {
        case 0: r = __shfl_sync(0xffffffffu, v, static_cast<int>(lane * 7) + arg, width); break;
        case 1: r = __shfl_up_sync(0xffffffffu, v, static_cast<unsigned>(arg), width); break;
        case 2: r = __shfl_down_sync(0xffffffffu, v, static_cast<unsigned>(arg), width); break;
        default: r = __shfl_xor_sync(0xffffffffu, v, arg, width); break;
    }
    out[i] = r;
}

template <class T>
void shuffle(ShuffleKind kind, T* out, const T* in, int arg, int width, unsigned threads, unsigned blocks) {
    launch(shuffle_kernel<T>, dim3(blocks), dim3(threads), 0, 0, static_cast<int>(kind), out, in, arg, width);
}
template void shuffle<float>(ShuffleKind, float*, const float*, int, int, unsigned, unsigned);
template void shuffle<double>(ShuffleKind, double*, const double*, int, int, unsigned, unsigned);
template void shuffle<int>(ShuffleKind, int*, const int*, int, int, unsigned, unsigned);
template void shuffle<unsigned>(ShuffleKind, unsigned*, const unsigned*, int, int, unsigned, unsigned);
template void shuffle<long long>(ShuffleKind, long long*, const long long*, int, int, unsigned, unsigned);
template void shuffle<unsigned long long>(ShuffleKind, unsigned long long*, const unsigned long long*, int, int,
                                          unsigned, unsigned);

// [book:simt-warp-sum]
static __global__ void warp_sum_xor_kernel(int* out, const int* in) {
    const std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    int v = in[i];
    // Butterfly: after the step with offset o, every lane holds the sum of its group of 2*o.
    for (int offset = 16; offset > 0; offset /= 2) v += __shfl_xor_sync(0xffffffffu, v, offset);
    out[i] = v;
}
// [/book]

void warp_sum_xor(int* out, const int* in, unsigned threads, unsigned blocks) {
    launch(warp_sum_xor_kernel, dim3(blocks), dim3(threads), 0, 0, out, in);
}

static __global__ void vote_kernel(unsigned* ballot, int* any, int* all, const int* in) {
    const std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    const int p = in[i] > 0;
    ballot[i] = __ballot_sync(0xffffffffu, p);
    any[i] = __any_sync(0xffffffffu, p);
    all[i] = __all_sync(0xffffffffu, p);
}

void vote(unsigned* ballot, int* any, int* all, const int* in, unsigned threads, unsigned blocks) {
    launch(vote_kernel, dim3(blocks), dim3(threads), 0, 0, ballot, any, all, in);
}

static __global__ void half_warp_kernel(int* out, const int* in) {
    const unsigned lane = threadIdx.x % 32;
    int v = in[threadIdx.x];
    if (lane < 16)
        v += __shfl_down_sync(0x0000ffffu, v, 1, 16);
    else
        v -= __shfl_xor_sync(0xffff0000u, v, 1);
    out[threadIdx.x] = v;
}

void half_warp_shuffles(int* out, const int* in, unsigned threads) {
    launch(half_warp_kernel, dim3(1), dim3(threads), 0, 0, out, in);
}

static __global__ void active_mask_kernel(unsigned* out, unsigned live) {
    if (threadIdx.x % 32 >= live) return;
    __syncthreads();   // completes only when the others have returned
    out[threadIdx.x] = __activemask();
}

void active_mask_after_exit(unsigned* out, unsigned live) {
    launch(active_mask_kernel, dim3(1), dim3(64), 0, 0, out, live);
}

static __global__ void shuffle_from_exited_lane_kernel(int* out, const int* in, std::size_t n) {
    const std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i >= n) return;
    // BUG (planted): lanes near n read lanes that have returned above.
    out[i] = __shfl_down_sync(0xffffffffu, in[i], 4);
}

void shuffle_from_exited_lane(int* out, const int* in, std::size_t n) {
    launch(shuffle_from_exited_lane_kernel, dim3(1), dim3(32), 0, 0, out, in, n);
}

// ---- atomics ----

static __global__ void histogram_kernel(unsigned* counts, const int* in, std::size_t n, unsigned bins) {
    const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
    for (std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride)
        atomicAdd(&counts[static_cast<unsigned>(in[i]) % bins], 1u);
}

void histogram(unsigned* counts, const int* in, std::size_t n, unsigned bins) {
    launch(histogram_kernel, dim3(64), dim3(128), 0, 0, counts, in, n, bins);
}

static __global__ void atomic_mix_kernel(float* sum, double* dsum, int* max, int* min, unsigned long long* ull, int* sub,
                                         const int* in, std::size_t n) {
    const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
    for (std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride) {
        atomicAdd(sum, static_cast<float>(in[i]) / 8.0f);
        atomicAdd(dsum, static_cast<double>(in[i]) / 3.0);
        atomicMax(max, in[i]);
        atomicMin(min, in[i]);
        atomicAdd(ull, static_cast<unsigned long long>(in[i] + 1000) << 20);
        atomicSub(sub, in[i]);
    }
}

void atomic_mix(float* sum, double* dsum, int* max, int* min, unsigned long long* ull, int* sub, const int* in,
                std::size_t n) {
    launch(atomic_mix_kernel, dim3(40), dim3(96), 0, 0, sum, dsum, max, min, ull, sub, in, n);
}

// A lock is safe here only because no thread waits at a barrier while holding it: the
// emulator's threads of one block take turns on one OS thread and never preempt each other.
static __global__ void cas_lock_counter_kernel(int* counter, int* lock) {
    while (atomicCAS(lock, 0, 1) != 0) {
    }
    *counter = *counter + 1;   // not atomic: the lock makes it safe
    __threadfence();
    atomicExch(lock, 0);
}

void cas_lock_counter(int* counter, int* lock, unsigned blocks) {
    launch(cas_lock_counter_kernel, dim3(blocks), dim3(64), 0, 0, counter, lock);
}

// ---- memory ----

static __global__ void dynamic_shared_kernel(int* out, int* poisoned, unsigned words) {
    LADDER_DYNAMIC_SHARED(int, smem);
    const unsigned t = threadIdx.x;
    int clean = 1;
    for (unsigned w = t; w < words; w += blockDim.x) clean &= smem[w] == -1;   // 0xFFFFFFFF
    clean = __syncthreads_and(clean);
    for (unsigned w = t; w < words; w += blockDim.x) smem[w] = static_cast<int>(blockIdx.x * 100000 + w);
    __syncthreads();
    for (unsigned w = t; w < words; w += blockDim.x) out[blockIdx.x * words + w] = smem[words - 1 - w];
    if (t == 0) poisoned[blockIdx.x] = clean;
}

void dynamic_shared(int* out, int* poisoned, unsigned words_per_block, unsigned blocks, unsigned threads) {
    launch(dynamic_shared_kernel, dim3(blocks), dim3(threads), words_per_block * sizeof(int), 0, out, poisoned,
           words_per_block);
}

void dynamic_shared_opt_in(int* out, int* poisoned, unsigned words_per_block, unsigned blocks, unsigned threads) {
    LADDER_CUDA_CHECK(cudaFuncSetAttribute(dynamic_shared_kernel, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                           static_cast<int>(words_per_block * sizeof(int))));
    launch(dynamic_shared_kernel, dim3(blocks), dim3(threads), words_per_block * sizeof(int), 0, out, poisoned,
           words_per_block);
}

static __global__ void transpose_kernel(float* out, const float* in, unsigned rows, unsigned cols) {
    __shared__ float tile[16][17];   // +1 column: no bank conflicts on a GPU (irrelevant here)
    unsigned x = blockIdx.x * 16 + threadIdx.x, y = blockIdx.y * 16 + threadIdx.y;
    if (x < cols && y < rows) tile[threadIdx.y][threadIdx.x] = in[static_cast<std::size_t>(y) * cols + x];
    __syncthreads();
    x = blockIdx.y * 16 + threadIdx.x;
    y = blockIdx.x * 16 + threadIdx.y;
    if (x < rows && y < cols) out[static_cast<std::size_t>(y) * rows + x] = tile[threadIdx.x][threadIdx.y];
}

void transpose_tiled(float* out, const float* in, unsigned rows, unsigned cols) {
    launch(transpose_kernel, dim3(ceil_div(cols, 16), ceil_div(rows, 16)), dim3(16, 16), 0, 0, out, in, rows, cols);
}

static __global__ void grid_stride_kernel(int* out, const int* in, std::size_t n) {
    const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
    for (std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride)
        out[i] = 3 * in[i] + 1;
}

void grid_stride(int* out, const int* in, std::size_t n, unsigned blocks, unsigned threads) {
    launch(grid_stride_kernel, dim3(blocks), dim3(threads), 0, 0, out, in, n);
}

static __global__ void report_indices_kernel(unsigned* out) {
    const std::size_t block = blockIdx.x + static_cast<std::size_t>(gridDim.x) * (blockIdx.y + gridDim.y * blockIdx.z);
    const std::size_t thread = threadIdx.x + blockDim.x * (threadIdx.y + blockDim.y * threadIdx.z);
    unsigned* o = out + (block * blockDim.x * blockDim.y * blockDim.z + thread) * 12;
    const unsigned v[12] = {threadIdx.x, threadIdx.y, threadIdx.z, blockIdx.x, blockIdx.y, blockIdx.z,
                            blockDim.x,  blockDim.y,  blockDim.z,  gridDim.x,  gridDim.y,  gridDim.z};
    for (int k = 0; k < 12; ++k) o[k] = v[k];
}

void report_indices(unsigned* out, dim3 grid, dim3 block) { launch(report_indices_kernel, grid, block, 0, 0, out); }

static __global__ void write_past_end_kernel(float* out, std::size_t n) {
    const std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i <= n) out[i] = 1.0f;   // BUG (planted): should be i < n
}

void write_past_end(float* out, std::size_t n) {
    launch(write_past_end_kernel, dim3(ceil_div(n + 1, 128)), dim3(128), 0, 0, out, n);
}

static __global__ void write_shared_at_kernel(std::size_t index) {
    LADDER_DYNAMIC_SHARED(float, smem);
    if (threadIdx.x == 0) smem[index] = 1.0f;
}

void write_shared_at(std::size_t shmem, std::size_t index) {
    launch(write_shared_at_kernel, dim3(1), dim3(32), shmem, 0, index);
}

static __device__ int recurse(int depth) {
    volatile char frame[256];   // volatile: the frame is real and the recursion is not a loop
    frame[0] = static_cast<char>(depth);
    return depth == 0 ? 0 : recurse(depth - 1) + frame[0] % 2;
}

static __global__ void deep_recursion_kernel(int* out, int depth) {
    if (threadIdx.x == 3) out[0] = recurse(depth);
}

void deep_recursion(int* out, int depth) { launch(deep_recursion_kernel, dim3(1), dim3(32), 0, 0, out, depth); }

// ---- launches ----

static __global__ void empty_kernel() {}

void empty_launch(dim3 grid, dim3 block, std::size_t shmem) { launch(empty_kernel, grid, block, shmem, 0); }

static __global__ void throw_kernel(unsigned block, unsigned thrower) {
    __syncthreads();
    if (blockIdx.x == block && threadIdx.x == thrower)
        throw std::runtime_error("boom at " + std::to_string(block) + "/" + std::to_string(thrower));
    __syncthreads();
}

void throw_in_kernel(unsigned block, unsigned thrower, unsigned blocks) {
    launch(throw_kernel, dim3(blocks), dim3(64), 0, 0, block, thrower);
}

// [book:simt-matmul-tiled]
static __global__ void matmul_tiled_kernel(float* c, const float* a, const float* b, unsigned m, unsigned n,
                                           unsigned k) {
    __shared__ float a_tile[16][16], b_tile[16][16];
    const unsigned tx = threadIdx.x, ty = threadIdx.y;
    const unsigned row = blockIdx.y * 16 + ty, col = blockIdx.x * 16 + tx;
    float acc = 0.0f;
    for (unsigned k0 = 0; k0 < k; k0 += 16) {
        a_tile[ty][tx] = row < m && k0 + tx < k ? a[static_cast<std::size_t>(row) * k + k0 + tx] : 0.0f;
        b_tile[ty][tx] = k0 + ty < k && col < n ? b[static_cast<std::size_t>(k0 + ty) * n + col] : 0.0f;
        __syncthreads();   // the tiles are complete
        for (unsigned j = 0; j < 16; ++j) acc += a_tile[ty][j] * b_tile[j][tx];
        __syncthreads();   // everyone is done with them before the next load
    }
    if (row < m && col < n) c[static_cast<std::size_t>(row) * n + col] = acc;
}
// [/book]

void matmul_tiled(float* c, const float* a, const float* b, unsigned m, unsigned n, unsigned k) {
    launch(matmul_tiled_kernel, dim3(ceil_div(n, 16), ceil_div(m, 16)), dim3(16, 16), 0, 0, c, a, b, m, n, k);
}

static __global__ void vector_add_kernel(float* out, const float* a, const float* b, std::size_t n) {
    const std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i < n) out[i] = a[i] + b[i];
}

void vector_add(float* out, const float* a, const float* b, std::size_t n) {
    launch(vector_add_kernel, dim3(ceil_div(n, 256)), dim3(256), 0, 0, out, a, b, n);
}

static __global__ void barrier_rounds_kernel(int* out, unsigned rounds) {
    __shared__ int s[2][256];
    const unsigned t = threadIdx.x;
    int v = static_cast<int>(t);
    for (unsigned r = 0; r < rounds; ++r) {
        s[r & 1][t] = v;   // two buffers: round r+1 writes the other one, so one barrier per round is enough
        __syncthreads();
        v = s[r & 1][(t + 1) & 255];
    }
    out[blockIdx.x * 256 + t] = v;
}

void barrier_rounds(int* out, unsigned rounds, unsigned blocks) {
    launch(barrier_rounds_kernel, dim3(blocks), dim3(256), 0, 0, out, rounds);
}

}  // namespace ladder::simt_test
