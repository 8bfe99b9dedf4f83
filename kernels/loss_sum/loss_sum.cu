// loss_sum.cu: the total of R losses on the GPU, versions v1..v2. losses (R) -> out (1).
// Introduced in ch08; the same file runs on the emulator.
//
// v1  one block of 256 threads: thread t sums losses t, t + 256, ...    (baseline: one SM does all
//     in a register, then the block adds the 256 sums in a shared-       the work, and each thread's
//     memory tree                                                        chain is R / 256 long)
// v2  two passes: up to 1024 blocks, each reducing its contiguous       (every SM busy; the chains
//     slice of the losses the same way into partials[b]; then v1's       are R / 262144 + G / 256
//     kernel, one block, sums the G partials                             long: faster and closer to
//                                                                        the exact sum)
// Both are deterministic: which thread adds what is fixed by the indices, the trees are fixed,
// and nothing uses atomics, so a validation loss is the same bits on every run.
#include "core/kernel.hpp"
#include "kernels/loss_sum/loss_sum.hpp"

namespace ladder::LADDER_GPU_NS {

namespace {
constexpr unsigned kThreads = loss_sum_threads;
}  // namespace

// ---- kernels ----

// [book:loss-sum-v1]
// The block's tree: s[0] ends up with the sum of s[0..kThreads), each level adding the upper half
// onto the lower. Every thread has written its s[threadIdx.x] before the call, and every thread
// calls it (the barriers need the whole block).
static __device__ void block_tree_sum(float* s) {
    for (unsigned half = kThreads / 2; half > 0; half /= 2) {
        __syncthreads();  // the level below is written before it is read
        if (threadIdx.x < half) s[threadIdx.x] += s[threadIdx.x + half];
    }
}

// One block: out[0] = sum of x[0..R). v2's second pass runs it on the partials.
static __global__ void loss_sum_v1_kernel(float* out, const float* x, std::size_t R) {
    __shared__ float s[kThreads];
    float acc = 0.0f;
    for (std::size_t i = threadIdx.x; i < R; i += kThreads) acc += x[i];
    s[threadIdx.x] = acc;
    block_tree_sum(s);
    if (threadIdx.x == 0) out[0] = s[0];  // thread 0 wrote s[0] last itself: no barrier needed
}
// [/book]

// [book:loss-sum-v2]
// Pass 1: partials[b] = the sum of block b's slice [b slice, min(R, (b + 1) slice)), its threads
// taking every 256th loss of it (consecutive threads, consecutive addresses: coalesced).
static __global__ void loss_sum_v2_partials_kernel(float* partials, const float* losses, std::size_t R,
                                                   std::size_t slice) {
    __shared__ float s[kThreads];
    const std::size_t begin = static_cast<std::size_t>(blockIdx.x) * slice;
    const std::size_t end = begin + slice < R ? begin + slice : R;
    float acc = 0.0f;
    for (std::size_t i = begin + threadIdx.x; i < end; i += kThreads) acc += losses[i];
    s[threadIdx.x] = acc;
    block_tree_sum(s);
    if (threadIdx.x == 0) partials[blockIdx.x] = s[0];
}
// [/book]

// ---- launchers ----

void loss_sum(int version, float* out, const float* losses, std::size_t R) {
    if (version < 1 || version > loss_sum_gpu_versions)
        LADDER_NO_SUCH_VERSION("loss_sum", version, loss_sum_gpu_versions);
    if (R == 0) {  // the empty sum
        LADDER_CUDA_CHECK(cudaMemset(out, 0, sizeof(float)));
        return;
    }
    if (version == 1) {
        launch(loss_sum_v1_kernel, dim3(1), dim3(kThreads), 0, 0, out, losses, R);
        return;
    }
    const std::size_t want = ceil_div(R, kThreads);
    const std::size_t slice = ceil_div(R, want < loss_sum_max_blocks ? want : loss_sum_max_blocks);
    const unsigned blocks = ceil_div(R, slice);  // <= 1024; no block is left with an empty slice
    float* partials = nullptr;
    LADDER_CUDA_CHECK(cudaMalloc(&partials, blocks * sizeof(float)));
    launch(loss_sum_v2_partials_kernel, dim3(blocks), dim3(kThreads), 0, 0, partials, losses, R, slice);
    launch(loss_sum_v1_kernel, dim3(1), dim3(kThreads), 0, 0, out, static_cast<const float*>(partials),
           static_cast<std::size_t>(blocks));
    LADDER_CUDA_CHECK(cudaFree(partials));
}

}  // namespace ladder::LADDER_GPU_NS
