// Solution to exercise 7.3: residual = x + y and its layernorm in one kernel, a warp per row.
#include "core/kernel.hpp"
#include "exercises/ch07_gpt/exercises.hpp"
#include "kernels/warp_reduce.hpp"

namespace ladder::LADDER_GPU_NS::ex07 {

constexpr unsigned kThreads = 256;
constexpr unsigned kWarp = 32;

static __global__ void residual_layernorm_ex_kernel(float* residual, float* out, float* mean, float* rstd,
                                                    const float* x, const float* y, const float* weight,
                                                    const float* bias, std::size_t R, std::size_t C, float eps) {
    const std::size_t r = (static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x) / kWarp;
    const unsigned lane = threadIdx.x % kWarp;
    if (r >= R) return;   // the whole warp
    const float *x_r = x + r * C, *y_r = y + r * C;
    float *res_r = residual + r * C, *out_r = out + r * C;
    float m = 0.0f;
    for (std::size_t c = lane; c < C; c += kWarp) {
        const float sum = x_r[c] + y_r[c];
        res_r[c] = sum;
        m += sum;
    }
    m = warp_sum(m) / static_cast<float>(C);
    float v = 0.0f;
    for (std::size_t c = lane; c < C; c += kWarp) v += (res_r[c] - m) * (res_r[c] - m);   // this lane's own writes
    v = warp_sum(v) / static_cast<float>(C);
    const float s = 1.0f / sqrtf(v + eps);
    for (std::size_t c = lane; c < C; c += kWarp) out_r[c] = (res_r[c] - m) * s * weight[c] + bias[c];
    if (lane == 0) {
        mean[r] = m;
        rstd[r] = s;
    }
}

void residual_layernorm_kernel(float* residual, float* out, float* mean, float* rstd, const float* x, const float* y,
                               const float* weight, const float* bias, std::size_t R, std::size_t C, float eps) {
    if (R == 0) return;
    launch(residual_layernorm_ex_kernel, dim3(ceil_div(R * kWarp, kThreads)), dim3(kThreads), 0, 0, residual, out,
           mean, rstd, x, y, weight, bias, R, C, eps);
}

}  // namespace ladder::LADDER_GPU_NS::ex07
