// Solution to exercise 6.5: one thread per element of out.
#include "core/kernel.hpp"
#include "exercises/ch06_attention/exercises.hpp"

namespace ladder::LADDER_GPU_NS::ex06 {

static __global__ void merge_heads_ex_kernel(float* out, const float* inp, std::size_t B, std::size_t T,
                                             std::size_t NH, std::size_t hs) {
    const std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    const std::size_t C = NH * hs;
    if (i >= B * T * C) return;
    // i = (b * T + t) * C + h * hs + j
    const std::size_t j = i % hs, h = (i / hs) % NH, t = (i / C) % T, b = i / (C * T);
    out[i] = inp[((b * NH + h) * T + t) * hs + j];
}

void merge_heads_kernel(float* out, const float* inp, std::size_t B, std::size_t T, std::size_t NH, std::size_t hs) {
    const std::size_t n = B * T * NH * hs;
    if (n == 0) return;
    launch(merge_heads_ex_kernel, dim3(ceil_div(n, 256)), dim3(256), 0, 0, out, inp, B, T, NH, hs);
}

}  // namespace ladder::LADDER_GPU_NS::ex06
