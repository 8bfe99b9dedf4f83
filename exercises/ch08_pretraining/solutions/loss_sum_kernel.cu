// Solution to exercise 8.2: one block; each thread sums every 256th loss, then a shared-memory tree.
#include "core/kernel.hpp"
#include "exercises/ch08_pretraining/exercises.hpp"

namespace ladder::LADDER_GPU_NS::ex08 {

constexpr unsigned kThreads = 256;

static __global__ void loss_sum_ex_kernel(float* out, const float* losses, std::size_t R) {
    __shared__ float partial[kThreads];
    const unsigned tid = threadIdx.x;
    float s = 0.0f;
    for (std::size_t i = tid; i < R; i += kThreads) s += losses[i];
    partial[tid] = s;
    for (unsigned half = kThreads / 2; half > 0; half /= 2) {
        __syncthreads();  // the level before is written
        if (tid < half) partial[tid] += partial[tid + half];
    }
    if (tid == 0) out[0] = partial[0];  // thread 0 wrote it last
}

void loss_sum_kernel(float* out, const float* losses, std::size_t R) {
    launch(loss_sum_ex_kernel, dim3(1), dim3(kThreads), 0, 0, out, losses, R);
}

}  // namespace ladder::LADDER_GPU_NS::ex08
