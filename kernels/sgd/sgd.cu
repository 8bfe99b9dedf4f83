// sgd.cu: one step of SGD with momentum on the GPU, versions v1..v2.
// params, velocity, grads (n), updated in place. Introduced in ch05; the same file runs on
// the emulator.
//
// v1  one thread per element, as many blocks as needed                (baseline)
// v2  a fixed grid that strides over the arrays                       (fewer blocks to schedule;
//                                                                      one launch covers any n)
#include <algorithm>

#include "core/kernel.hpp"
#include "kernels/sgd/sgd.hpp"

namespace ladder::LADDER_GPU_NS {

// ---- kernels ----

// [book:sgd-v1]
// One element: g = grads * grad_scale + wd * p;  buf = momentum * buf + g;  p -= lr * buf.
static __device__ void sgd_element(float* params, float* velocity, const float* grads, std::size_t i, float lr,
                                   float momentum, float wd, float grad_scale) {
    const float p = params[i];
    const float g = grads[i] * grad_scale + wd * p;
    const float buf = momentum * velocity[i] + g;
    velocity[i] = buf;
    params[i] = p - lr * buf;
}

static __global__ void sgd_v1_kernel(float* params, float* velocity, const float* grads, std::size_t n, float lr,
                                     float momentum, float wd, float grad_scale) {
    const std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i < n) sgd_element(params, velocity, grads, i, lr, momentum, wd, grad_scale);
}
// [/book]

static __global__ void sgd_v2_kernel(float* params, float* velocity, const float* grads, std::size_t n, float lr,
                                     float momentum, float wd, float grad_scale) {
    const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
    for (std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride)
        sgd_element(params, velocity, grads, i, lr, momentum, wd, grad_scale);
}

// ---- launchers ----

constexpr unsigned kThreads = 256;
// v2's grid: enough blocks to fill a big GPU (132 SMs x 8 blocks of 256), no more.
static unsigned stride_blocks(std::size_t n) { return std::min<unsigned>(ceil_div(n, kThreads), 1056u); }

void sgd_update(int version, float* params, float* velocity, const float* grads, std::size_t n, const SgdConfig& cfg,
                float grad_scale) {
    if (n == 0) return;
    switch (version) {
        case 1:
            launch(sgd_v1_kernel, dim3(ceil_div(n, kThreads)), dim3(kThreads), 0, 0, params, velocity, grads, n, cfg.lr,
                   cfg.momentum, cfg.weight_decay, grad_scale);
            return;
        case 2:
            launch(sgd_v2_kernel, dim3(stride_blocks(n)), dim3(kThreads), 0, 0, params, velocity, grads, n, cfg.lr,
                   cfg.momentum, cfg.weight_decay, grad_scale);
            return;
        default: LADDER_NO_SUCH_VERSION("sgd_update", version, sgd_update_gpu_versions);
    }
}

}  // namespace ladder::LADDER_GPU_NS
