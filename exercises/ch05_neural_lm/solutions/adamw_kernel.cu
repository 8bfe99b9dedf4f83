// Solution to exercise 5.5: one thread per parameter; bias corrections from the host.
#include "core/kernel.hpp"
#include "exercises/ch05_neural_lm/exercises.hpp"

namespace ladder::LADDER_GPU_NS::ex05 {

static __global__ void adamw_ex_kernel(float* params, float* m, float* v, const float* grads, std::size_t n, float lr,
                                       float beta1, float beta2, float eps, float weight_decay, float bc1, float bc2,
                                       float grad_scale) {
    const std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i >= n) return;
    const float g = grads[i] * grad_scale;
    const float m_i = beta1 * m[i] + (1.0f - beta1) * g;
    const float v_i = beta2 * v[i] + (1.0f - beta2) * g * g;
    m[i] = m_i;
    v[i] = v_i;
    const float mhat = m_i / bc1, vhat = v_i / bc2;
    const float p = params[i];
    params[i] = p - lr * (mhat / (sqrtf(vhat) + eps) + weight_decay * p);
}

void adamw_kernel(float* params, float* m, float* v, const float* grads, std::size_t n, const AdamWConfig& cfg,
                  int step, float grad_scale) {
    if (n == 0) return;
    const auto [c1, c2] = adamw_bias_correction(cfg, step);
    launch(adamw_ex_kernel, dim3(ceil_div(n, 256)), dim3(256), 0, 0, params, m, v, grads, n, cfg.lr, cfg.beta1,
           cfg.beta2, cfg.eps, cfg.weight_decay, static_cast<float>(c1), static_cast<float>(c2), grad_scale);
}

}  // namespace ladder::LADDER_GPU_NS::ex05
