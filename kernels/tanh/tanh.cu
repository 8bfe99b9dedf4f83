// tanh.cu: tanh forward and backward on the GPU, versions v1..v2 of each.
// inp, out, dout, dinp (n). Introduced in ch05; the same file runs on the emulator.
//
// v1  one thread per element, as many blocks as needed                (baseline)
// v2  a fixed grid that strides over the array                        (no block per 256 elements:
//     fewer blocks to schedule, each thread does several elements      one launch covers any n)
#include <algorithm>

#include "core/kernel.hpp"
#include "kernels/tanh/tanh.hpp"

namespace ladder::LADDER_GPU_NS {

// ---- kernels ----

// [book:tanh-v1]
static __global__ void tanh_forward_v1_kernel(float* out, const float* inp, std::size_t n) {
    const std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i < n) out[i] = tanhf(inp[i]);
}

// forward: out[i] = tanh(inp[i])  =>  dinp[i] += (1 - out[i]^2) * dout[i]
static __global__ void tanh_backward_v1_kernel(float* dinp, const float* out, const float* dout, std::size_t n) {
    const std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i < n) dinp[i] += (1.0f - out[i] * out[i]) * dout[i];
}
// [/book]

static __global__ void tanh_forward_v2_kernel(float* out, const float* inp, std::size_t n) {
    const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
    for (std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride)
        out[i] = tanhf(inp[i]);
}

static __global__ void tanh_backward_v2_kernel(float* dinp, const float* out, const float* dout, std::size_t n) {
    const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
    for (std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride)
        dinp[i] += (1.0f - out[i] * out[i]) * dout[i];
}

// ---- launchers ----

constexpr unsigned kThreads = 256;
// v2's grid: enough blocks to fill a big GPU (132 SMs x 8 blocks of 256), no more.
static unsigned stride_blocks(std::size_t n) { return std::min<unsigned>(ceil_div(n, kThreads), 1056u); }

void tanh_forward(int version, float* out, const float* inp, std::size_t n) {
    if (n == 0) return;
    switch (version) {
        case 1: launch(tanh_forward_v1_kernel, dim3(ceil_div(n, kThreads)), dim3(kThreads), 0, 0, out, inp, n); return;
        case 2: launch(tanh_forward_v2_kernel, dim3(stride_blocks(n)), dim3(kThreads), 0, 0, out, inp, n); return;
        default: LADDER_NO_SUCH_VERSION("tanh_forward", version, tanh_forward_gpu_versions);
    }
}

void tanh_backward(int version, float* dinp, const float* out, const float* dout, std::size_t n) {
    if (n == 0) return;
    switch (version) {
        case 1:
            launch(tanh_backward_v1_kernel, dim3(ceil_div(n, kThreads)), dim3(kThreads), 0, 0, dinp, out, dout, n);
            return;
        case 2:
            launch(tanh_backward_v2_kernel, dim3(stride_blocks(n)), dim3(kThreads), 0, 0, dinp, out, dout, n);
            return;
        default: LADDER_NO_SUCH_VERSION("tanh_backward", version, tanh_backward_gpu_versions);
    }
}

}  // namespace ladder::LADDER_GPU_NS
