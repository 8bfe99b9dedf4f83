// grad_average.cu: the average of N ranks' gradients on the GPU, versions v1..v2.
// in (N, n), row r rank r's gradient -> out (n) = (1/N) sum_r in[r]. Introduced in ch08; the same
// file runs on the emulator.
//
// v1  one thread per element: it walks down the column of N ranks,    (baseline; a warp's loads are
//     adding in rank order, and divides once                           32 neighbours of one row:
//                                                                      coalesced)
// v2  a fixed grid striding over the elements, four at a time: each    (a quarter of the load
//     rank's row is read as float4 (16-byte loads) when n is a         instructions, and a grid sized
//     multiple of 4 and the pointers are aligned; otherwise, or for    to the GPU covers any n)
//     what is left, one at a time
// The average is memory-bound: (N + 1) n floats move for N n additions. Both versions add in the
// reference's order (row 0, + row 1, ...) and divide by N once, so they give its bits exactly.
#include <algorithm>
#include <cstdint>

#include "core/kernel.hpp"
#include "kernels/grad_average/grad_average.hpp"

namespace ladder::LADDER_GPU_NS {

namespace {
constexpr unsigned kThreads = 256;
// v2's grid: enough blocks to fill a big GPU (132 SMs x 8 blocks of 256), no more.
constexpr unsigned kMaxBlocks = 1056;
}  // namespace

// ---- kernels ----

// Element i of the average: the ranks in order, then one division (the reference's arithmetic).
static __device__ float average_of(const float* in, std::size_t N, std::size_t n, std::size_t i) {
    float s = in[i];
    for (std::size_t r = 1; r < N; ++r) s += in[r * n + i];
    return s / static_cast<float>(N);
}

// [book:grad-average-v1]
static __global__ void grad_average_v1_kernel(float* out, const float* in, std::size_t N, std::size_t n) {
    const std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i < n) out[i] = average_of(in, N, n, i);
}
// [/book]

// [book:grad-average-v2]
// quads = n / 4 when the float4 path is allowed (n % 4 == 0, so every row starts on a 16-byte
// boundary too: row r is at in + r n), else 0. Element 4 q + j of every row is component j of
// float4 q of that row; the scalar loop takes the elements from 4 quads on (all of them when
// quads = 0).
static __global__ void grad_average_v2_kernel(float* out, const float* in, std::size_t N, std::size_t n,
                                              std::size_t quads) {
    const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
    const std::size_t first = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    const auto* in4 = reinterpret_cast<const float4*>(in);
    auto* out4 = reinterpret_cast<float4*>(out);
    const float ranks = static_cast<float>(N);
    for (std::size_t q = first; q < quads; q += stride) {
        float4 s = in4[q];
        for (std::size_t r = 1; r < N; ++r) {
            const float4 g = in4[r * quads + q];
            s.x += g.x;
            s.y += g.y;
            s.z += g.z;
            s.w += g.w;
        }
        out4[q] = make_float4(s.x / ranks, s.y / ranks, s.z / ranks, s.w / ranks);
    }
    for (std::size_t i = 4 * quads + first; i < n; i += stride) out[i] = average_of(in, N, n, i);
}
// [/book]

// ---- launchers ----

void grad_average(int version, float* out, const float* in, std::size_t N, std::size_t n) {
    if (version < 1 || version > grad_average_gpu_versions)
        LADDER_NO_SUCH_VERSION("grad_average", version, grad_average_gpu_versions);
    if (N == 0) throw_error(__FILE__, __LINE__, "grad_average: an average over N = 0 ranks");
    if (n == 0) return;
    if (version == 1) {
        launch(grad_average_v1_kernel, dim3(ceil_div(n, kThreads)), dim3(kThreads), 0, 0, out, in, N, n);
        return;
    }
    // cudaMalloc gives 256-byte alignment, but a caller may pass a view at an offset.
    const bool aligned = ((reinterpret_cast<std::uintptr_t>(out) | reinterpret_cast<std::uintptr_t>(in)) % 16) == 0;
    const std::size_t quads = aligned && n % 4 == 0 ? n / 4 : 0;
    const unsigned blocks = std::min<unsigned>(ceil_div(quads > 0 ? quads : n, kThreads), kMaxBlocks);
    launch(grad_average_v2_kernel, dim3(blocks), dim3(kThreads), 0, 0, out, in, N, n, quads);
}

}  // namespace ladder::LADDER_GPU_NS
