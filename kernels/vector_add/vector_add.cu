// vector_add.cu: out[i] = a[i] + b[i] on the GPU, versions v1..v2.
// out, a, b (n). Introduced in ch01 (the first kernel); the same file runs on the emulator.
//
// v1  one thread per element, as many blocks as needed             (baseline)
// v2  grid-stride loop over float4: 16-byte loads, a fixed grid    (fewer, wider memory transactions)
#include <cstdint>

#include "core/kernel.hpp"
#include "kernels/vector_add/vector_add.hpp"

namespace ladder::LADDER_GPU_NS {

// ---- kernels ----

// [book:vector-add-v1]
static __global__ void vector_add_v1_kernel(float* out, const float* a, const float* b, std::size_t n) {
    const std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i < n) out[i] = a[i] + b[i];   // the last block may have threads past the end
}
// [/book]

// [book:vector-add-v2]
// Each thread strides over the array by the whole grid's width, so any grid size
// covers any n. The body moves four floats per load (float4); the last n % 4 elements
// are added one by one.
static __global__ void vector_add_v2_kernel(float* out, const float* a, const float* b, std::size_t n) {
    const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
    const std::size_t first = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    const std::size_t n4 = n / 4;
    const auto* a4 = reinterpret_cast<const float4*>(a);
    const auto* b4 = reinterpret_cast<const float4*>(b);
    auto* out4 = reinterpret_cast<float4*>(out);
    for (std::size_t i = first; i < n4; i += stride) {
        const float4 x = a4[i], y = b4[i];
        out4[i] = make_float4(x.x + y.x, x.y + y.y, x.z + y.z, x.w + y.w);
    }
    for (std::size_t i = 4 * n4 + first; i < n; i += stride) out[i] = a[i] + b[i];
}
// [/book]

// ---- launchers ----

void vector_add(int version, float* out, const float* a, const float* b, std::size_t n) {
    if (n == 0) return;
    constexpr unsigned threads = 256;
    switch (version) {
        case 1:
            launch(vector_add_v1_kernel, dim3(ceil_div(n, threads)), dim3(threads), 0, 0, out, a, b, n);
            return;
        case 2: {
            // float4 needs 16-byte aligned pointers; cudaMalloc gives 256-byte alignment,
            // but a caller may pass an offset pointer: then fall back to v1.
            const auto misaligned = (reinterpret_cast<std::uintptr_t>(out) | reinterpret_cast<std::uintptr_t>(a) |
                                     reinterpret_cast<std::uintptr_t>(b)) % 16;
            if (misaligned) return vector_add(1, out, a, b, n);
            // Enough blocks to fill a big GPU (132 SMs x 8 blocks of 256), no more.
            const unsigned blocks = std::min<unsigned>(ceil_div(ceil_div(n, 4), threads), 1056u);
            launch(vector_add_v2_kernel, dim3(blocks), dim3(threads), 0, 0, out, a, b, n);
            return;
        }
        default:
            LADDER_NO_SUCH_VERSION("vector_add", version, vector_add_gpu_versions);
    }
}

}  // namespace ladder::LADDER_GPU_NS
