// adamw.cu: one AdamW step on the GPU, versions v1..v2.
// params, m, v, grads (n), updated in place. Introduced in ch05; the same file runs on the
// emulator.
//
// v1  one thread per element, as many blocks as needed                (baseline)
// v2  a fixed grid that strides over the arrays                       (fewer blocks to schedule;
//                                                                      one launch covers any n)
// The bias corrections 1 - b1^t, 1 - b2^t are computed once on the host, in double
// (adamw_bias_correction), and passed in: no powf per thread, and the same values as the
// CPU reference.
#include <algorithm>

#include "core/kernel.hpp"
#include "kernels/adamw/adamw.hpp"

namespace ladder::LADDER_GPU_NS {

namespace {
// The step's scalars, passed by value to every thread.
struct AdamWStep {
    float lr, beta1, beta2, eps, wd, grad_scale;
    float bc1, bc2;   // 1 - beta1^t, 1 - beta2^t
};
}  // namespace

// ---- kernels ----

// [book:adamw-v1]
static __device__ void adamw_element(float* params, float* m, float* v, const float* grads, std::size_t i,
                                     const AdamWStep& s) {
    const float g = grads[i] * s.grad_scale;
    const float m_i = s.beta1 * m[i] + (1.0f - s.beta1) * g;
    const float v_i = s.beta2 * v[i] + (1.0f - s.beta2) * g * g;
    m[i] = m_i;
    v[i] = v_i;
    const float mhat = m_i / s.bc1, vhat = v_i / s.bc2;
    const float p = params[i];
    params[i] = p - s.lr * (mhat / (sqrtf(vhat) + s.eps) + s.wd * p);
}

static __global__ void adamw_v1_kernel(float* params, float* m, float* v, const float* grads, std::size_t n,
                                       AdamWStep s) {
    const std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i < n) adamw_element(params, m, v, grads, i, s);
}
// [/book]

static __global__ void adamw_v2_kernel(float* params, float* m, float* v, const float* grads, std::size_t n,
                                       AdamWStep s) {
    const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
    for (std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride)
        adamw_element(params, m, v, grads, i, s);
}

// ---- launchers ----

constexpr unsigned kThreads = 256;
// v2's grid: enough blocks to fill a big GPU (132 SMs x 8 blocks of 256), no more.
static unsigned stride_blocks(std::size_t n) { return std::min<unsigned>(ceil_div(n, kThreads), 1056u); }

void adamw_update(int version, float* params, float* m, float* v, const float* grads, std::size_t n,
                  const AdamWConfig& cfg, int step, float grad_scale) {
    if (step < 1)
        throw_error(__FILE__, __LINE__, "adamw_update: step must be >= 1, got " + std::to_string(step));
    if (n == 0) return;
    const AdamWBiasCorrection bc = adamw_bias_correction(cfg, step);
    const AdamWStep s{cfg.lr, cfg.beta1, cfg.beta2, cfg.eps, cfg.weight_decay, grad_scale,
                      static_cast<float>(bc.c1), static_cast<float>(bc.c2)};
    switch (version) {
        case 1:
            launch(adamw_v1_kernel, dim3(ceil_div(n, kThreads)), dim3(kThreads), 0, 0, params, m, v, grads, n, s);
            return;
        case 2:
            launch(adamw_v2_kernel, dim3(stride_blocks(n)), dim3(kThreads), 0, 0, params, m, v, grads, n, s);
            return;
        default: LADDER_NO_SUCH_VERSION("adamw_update", version, adamw_update_gpu_versions);
    }
}

}  // namespace ladder::LADDER_GPU_NS
