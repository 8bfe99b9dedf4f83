// Solution to exercise 6.1: one block per row, max and sum by shared-memory trees.
#include "core/kernel.hpp"
#include "exercises/ch06_attention/exercises.hpp"

namespace ladder::LADDER_GPU_NS::ex06 {

constexpr unsigned kThreads = 128;

// partial[0] ends with the max (is_max) or the sum of every thread's v; all threads get it.
static __device__ float tree_reduce(float* partial, float v, bool is_max) {
    const unsigned tid = threadIdx.x;
    partial[tid] = v;
    __syncthreads();   // every value is in before the tree reads it
    for (unsigned half = kThreads / 2; half > 0; half /= 2) {
        if (tid < half)
            partial[tid] = is_max ? fmaxf(partial[tid], partial[tid + half]) : partial[tid] + partial[tid + half];
        __syncthreads();   // this level is done before the next reads it
    }
    const float result = partial[0];
    __syncthreads();   // everyone has read it before the next reduction writes partial
    return result;
}

static __global__ void softmax_block_ex_kernel(float* out, const float* inp, std::size_t R, std::size_t C) {
    __shared__ float partial[kThreads];
    const float* x = inp + static_cast<std::size_t>(blockIdx.x) * C;
    float* y = out + static_cast<std::size_t>(blockIdx.x) * C;
    float m = -INFINITY;
    for (std::size_t c = threadIdx.x; c < C; c += kThreads) m = fmaxf(m, x[c]);
    m = tree_reduce(partial, m, true);
    float s = 0.0f;
    for (std::size_t c = threadIdx.x; c < C; c += kThreads) s += expf(x[c] - m);   // -inf entries add 0
    s = tree_reduce(partial, s, false);
    for (std::size_t c = threadIdx.x; c < C; c += kThreads) y[c] = expf(x[c] - m) / s;
}

void softmax_block_kernel(float* out, const float* inp, std::size_t R, std::size_t C) {
    if (R == 0 || C == 0) return;
    launch(softmax_block_ex_kernel, dim3(static_cast<unsigned>(R)), dim3(kThreads), 0, 0, out, inp, R, C);
}

}  // namespace ladder::LADDER_GPU_NS::ex06
