// gelu.cu: GELU (tanh approximation) forward and backward on the GPU, versions v1..v2 of each.
// inp, out, dout, dinp (n). Introduced in ch07; the same file runs on the emulator.
//
// v1  one thread per element, as many blocks as needed                (baseline)
// v2  a fixed grid that strides over the array                        (fewer blocks to schedule,
//                                                                      one launch covers any n)
// GELU is memory-bound (a tanh and a dozen flops per 8 or 12 bytes): both versions read each
// input once; what chapter 10 adds is to fuse it into the matmul that produces its input.
#include <algorithm>

#include "core/kernel.hpp"
#include "kernels/gelu/gelu.hpp"

namespace ladder::LADDER_GPU_NS {

namespace {
constexpr float kK = static_cast<float>(gelu_k), kC = static_cast<float>(gelu_c);
}  // namespace

// The same arithmetic in both versions, in the order the CPU reference uses.
static __device__ float gelu_of(float x) {
    const float t = tanhf(kK * (x + kC * x * x * x));
    return 0.5f * x * (1.0f + t);
}
static __device__ float gelu_grad(float x) {
    const float t = tanhf(kK * (x + kC * x * x * x));
    return 0.5f * (1.0f + t) + 0.5f * x * (1.0f - t * t) * kK * (1.0f + 3.0f * kC * x * x);
}

// ---- kernels ----

// [book:gelu-v1]
static __global__ void gelu_forward_v1_kernel(float* out, const float* inp, std::size_t n) {
    const std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i < n) out[i] = gelu_of(inp[i]);
}

static __global__ void gelu_backward_v1_kernel(float* dinp, const float* inp, const float* dout, std::size_t n) {
    const std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i < n) dinp[i] += gelu_grad(inp[i]) * dout[i];
}
// [/book]

static __global__ void gelu_forward_v2_kernel(float* out, const float* inp, std::size_t n) {
    const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
    for (std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride)
        out[i] = gelu_of(inp[i]);
}

static __global__ void gelu_backward_v2_kernel(float* dinp, const float* inp, const float* dout, std::size_t n) {
    const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
    for (std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride)
        dinp[i] += gelu_grad(inp[i]) * dout[i];
}

// ---- launchers ----

constexpr unsigned kThreads = 256;
// v2's grid: enough blocks to fill a big GPU (132 SMs x 8 blocks of 256), no more.
static unsigned stride_blocks(std::size_t n) { return std::min<unsigned>(ceil_div(n, kThreads), 1056u); }

void gelu_forward(int version, float* out, const float* inp, std::size_t n) {
    if (version < 1 || version > gelu_forward_gpu_versions)
        LADDER_NO_SUCH_VERSION("gelu_forward", version, gelu_forward_gpu_versions);
    if (n == 0) return;
    if (version == 1) launch(gelu_forward_v1_kernel, dim3(ceil_div(n, kThreads)), dim3(kThreads), 0, 0, out, inp, n);
    else launch(gelu_forward_v2_kernel, dim3(stride_blocks(n)), dim3(kThreads), 0, 0, out, inp, n);
}

void gelu_backward(int version, float* dinp, const float* inp, const float* dout, std::size_t n) {
    if (version < 1 || version > gelu_backward_gpu_versions)
        LADDER_NO_SUCH_VERSION("gelu_backward", version, gelu_backward_gpu_versions);
    if (n == 0) return;
    if (version == 1)
        launch(gelu_backward_v1_kernel, dim3(ceil_div(n, kThreads)), dim3(kThreads), 0, 0, dinp, inp, dout, n);
    else
        launch(gelu_backward_v2_kernel, dim3(stride_blocks(n)), dim3(kThreads), 0, 0, dinp, inp, dout, n);
}

}  // namespace ladder::LADDER_GPU_NS
