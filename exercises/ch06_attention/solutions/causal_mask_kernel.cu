// Solution to exercise 6.3: one thread per score, -inf after the diagonal.
#include "core/kernel.hpp"
#include "exercises/ch06_attention/exercises.hpp"

namespace ladder::LADDER_GPU_NS::ex06 {

static __global__ void causal_mask_ex_kernel(float* scores, std::size_t BH, std::size_t T) {
    const std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i >= BH * T * T) return;
    const std::size_t s = i % T, t = (i / T) % T;   // key s, query t
    if (s > t) scores[i] = -INFINITY;
}

void causal_mask_kernel(float* scores, std::size_t BH, std::size_t T) {
    if (BH * T == 0) return;
    launch(causal_mask_ex_kernel, dim3(ceil_div(BH * T * T, 256)), dim3(256), 0, 0, scores, BH, T);
}

}  // namespace ladder::LADDER_GPU_NS::ex06
