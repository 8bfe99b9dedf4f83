// Solution to exercise 7.1: layernorm forward, one warp per row, two passes by shuffle sums.
#include "core/kernel.hpp"
#include "exercises/ch07_gpt/exercises.hpp"
#include "kernels/warp_reduce.hpp"

namespace ladder::LADDER_GPU_NS::ex07 {

constexpr unsigned kThreads = 256;
constexpr unsigned kWarp = 32;

static __global__ void layernorm_forward_ex_kernel(float* out, float* mean, float* rstd, const float* inp,
                                                   const float* weight, const float* bias, std::size_t R,
                                                   std::size_t C, float eps) {
    const std::size_t r = (static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x) / kWarp;
    const unsigned lane = threadIdx.x % kWarp;
    if (r >= R) return;   // the whole warp: its 32 lanes share r
    const float* x_r = inp + r * C;
    float* out_r = out + r * C;
    float m = 0.0f;
    for (std::size_t c = lane; c < C; c += kWarp) m += x_r[c];
    m = warp_sum(m) / static_cast<float>(C);
    float v = 0.0f;
    for (std::size_t c = lane; c < C; c += kWarp) v += (x_r[c] - m) * (x_r[c] - m);
    v = warp_sum(v) / static_cast<float>(C);
    const float s = 1.0f / sqrtf(v + eps);
    for (std::size_t c = lane; c < C; c += kWarp) out_r[c] = (x_r[c] - m) * s * weight[c] + bias[c];
    if (lane == 0) {
        mean[r] = m;
        rstd[r] = s;
    }
}

void layernorm_forward_kernel(float* out, float* mean, float* rstd, const float* inp, const float* weight,
                              const float* bias, std::size_t R, std::size_t C, float eps) {
    if (R == 0) return;
    launch(layernorm_forward_ex_kernel, dim3(ceil_div(R * kWarp, kThreads)), dim3(kThreads), 0, 0, out, mean, rstd,
           inp, weight, bias, R, C, eps);
}

}  // namespace ladder::LADDER_GPU_NS::ex07
