// global_norm.cu: the squared global L2 norm on the GPU, versions v1..v2.
// x (n) -> out (1) = sum of x[i]^2. Introduced in ch05 (gradient clipping); the same file
// runs on the emulator.
//
// v1  a thread per element; each block sums its 256 squares in a shared-memory tree, then
//     thread 0 atomicAdds the block's sum into out                     (baseline: one atomic per
//     block, but the order the blocks' atomics land in changes the      block, not per element)
//     rounding, so two runs can differ in the last bits
// v2  deterministic two-pass: a fixed grid (at most 1024 blocks) strides over x, each thread
//     summing its elements in registers, each block writing its tree's sum to partials[b];
//     then one block sums the partials in a fixed order               (same bits every run,
//     and no atomics; the fixed grid reads x once with fewer blocks    so a training run
//     to schedule)                                                     repeats exactly)
#include <algorithm>

#include "core/kernel.hpp"
#include "kernels/global_norm/global_norm.hpp"

namespace ladder::LADDER_GPU_NS {

namespace {
constexpr unsigned kThreads = global_norm_threads;
}  // namespace

// ---- kernels ----

// The block's tree: s[0] ends up with the sum of s[0..kThreads). Every thread has written
// its s[threadIdx.x] before the call.
static __device__ void block_sum(float* s) {
    for (unsigned half = kThreads / 2; half > 0; half /= 2) {
        __syncthreads();
        if (threadIdx.x < half) s[threadIdx.x] += s[threadIdx.x + half];
    }
    __syncthreads();
}

// [book:global-norm-v1]
static __global__ void global_norm_sq_v1_kernel(float* out, const float* x, std::size_t n) {
    __shared__ float s[kThreads];
    const std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    s[threadIdx.x] = i < n ? x[i] * x[i] : 0.0f;   // no early return: every thread meets the barriers
    block_sum(s);
    if (threadIdx.x == 0) atomicAdd(out, s[0]);
}
// [/book]

// [book:global-norm-v2]
// Pass 1: partials[b] = sum of x[i]^2 over the elements block b's threads stride over.
static __global__ void global_norm_sq_v2_partials_kernel(float* partials, const float* x, std::size_t n) {
    __shared__ float s[kThreads];
    const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
    float acc = 0.0f;
    for (std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride)
        acc += x[i] * x[i];
    s[threadIdx.x] = acc;
    block_sum(s);
    if (threadIdx.x == 0) partials[blockIdx.x] = s[0];
}

// Pass 2, one block: out[0] = sum of partials[0..count), each thread taking every 256th.
static __global__ void global_norm_sq_v2_final_kernel(float* out, const float* partials, unsigned count) {
    __shared__ float s[kThreads];
    float acc = 0.0f;
    for (unsigned b = threadIdx.x; b < count; b += blockDim.x) acc += partials[b];
    s[threadIdx.x] = acc;
    block_sum(s);
    if (threadIdx.x == 0) out[0] = s[0];
}
// [/book]

// ---- launchers ----

void global_norm_sq(int version, float* out, const float* x, std::size_t n) {
    switch (version) {
        case 1:
            LADDER_CUDA_CHECK(cudaMemset(out, 0, sizeof(float)));   // the atomics add into 0
            if (n == 0) return;
            launch(global_norm_sq_v1_kernel, dim3(ceil_div(n, kThreads)), dim3(kThreads), 0, 0, out, x, n);
            return;
        case 2: {
            if (n == 0) {
                LADDER_CUDA_CHECK(cudaMemset(out, 0, sizeof(float)));
                return;
            }
            const unsigned blocks = std::min<unsigned>(ceil_div(n, kThreads), global_norm_max_blocks);
            float* partials = nullptr;
            LADDER_CUDA_CHECK(cudaMalloc(&partials, blocks * sizeof(float)));
            launch(global_norm_sq_v2_partials_kernel, dim3(blocks), dim3(kThreads), 0, 0, partials, x, n);
            launch(global_norm_sq_v2_final_kernel, dim3(1), dim3(kThreads), 0, 0, out,
                   static_cast<const float*>(partials), blocks);
            LADDER_CUDA_CHECK(cudaFree(partials));
            return;
        }
        default: LADDER_NO_SUCH_VERSION("global_norm_sq", version, global_norm_sq_gpu_versions);
    }
}

}  // namespace ladder::LADDER_GPU_NS
