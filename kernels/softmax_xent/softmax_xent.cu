// softmax_xent.cu: softmax cross-entropy on the GPU. Forward v1..v2, backward v1.
// forward: logits (B,V), targets (B) -> losses (B), probs (B,V); backward: probs (B,V),
// targets (B), dlosses (B) -> dlogits (B,V). Introduced in ch02; reused by ch05.
//
// forward v1  one thread per row: max, sum of exp, write (3 passes)     (baseline)
// forward v2  one warp per row: lanes take every 32nd class, max and    (32x the parallelism per row,
//             sum reduced with __shfl_xor_sync                          coalesced reads)
// backward v1 one thread per element of dlogits                         (elementwise: nothing to share)
#include <cmath>
#include <cstdint>

#include "core/kernel.hpp"
#include "kernels/softmax_xent/softmax_xent.hpp"

namespace ladder::LADDER_GPU_NS {

// ---- kernels ----

// [book:softmax-xent-v1]
static __global__ void softmax_xent_forward_v1_kernel(float* losses, float* probs, const float* logits,
                                                      const std::int32_t* targets, std::size_t B, std::size_t V) {
    const std::size_t b = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (b >= B) return;
    const float* x_b = logits + b * V;
    float* p_b = probs + b * V;
    float m = -INFINITY;
    for (std::size_t v = 0; v < V; ++v) m = fmaxf(m, x_b[v]);
    float s = 0.0f;
    for (std::size_t v = 0; v < V; ++v) s += expf(x_b[v] - m);
    for (std::size_t v = 0; v < V; ++v) p_b[v] = expf(x_b[v] - m) / s;
    losses[b] = logf(s) - (x_b[targets[b]] - m);
}
// [/book]

// [book:softmax-xent-v2]
static __global__ void softmax_xent_forward_v2_kernel(float* losses, float* probs, const float* logits,
                                                      const std::int32_t* targets, std::size_t B, std::size_t V) {
    const std::size_t b = (static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x) / 32;
    const int lane = threadIdx.x % 32;
    if (b >= B) return;   // whole warps leave together
    const float* x_b = logits + b * V;
    float* p_b = probs + b * V;
    float m = -INFINITY;
    for (std::size_t v = lane; v < V; v += 32) m = fmaxf(m, x_b[v]);
    for (int offset = 16; offset > 0; offset /= 2) m = fmaxf(m, __shfl_xor_sync(0xffffffffu, m, offset));
    float s = 0.0f;
    for (std::size_t v = lane; v < V; v += 32) s += expf(x_b[v] - m);
    for (int offset = 16; offset > 0; offset /= 2) s += __shfl_xor_sync(0xffffffffu, s, offset);
    for (std::size_t v = lane; v < V; v += 32) p_b[v] = expf(x_b[v] - m) / s;
    if (lane == 0) losses[b] = logf(s) - (x_b[targets[b]] - m);
}
// [/book]

// [book:softmax-xent-backward-v1]
// forward: loss_b = log sum_v exp(x_bv) - x_bt  =>  dlogits_bv = (p_bv - [v == t_b]) dloss_b / scale
static __global__ void softmax_xent_backward_v1_kernel(float* dlogits, const float* probs, const std::int32_t* targets,
                                                       const float* dlosses, std::size_t B, std::size_t V,
                                                       float scale) {
    const std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i >= B * V) return;
    const std::size_t b = i / V, v = i % V;
    const float factor = dlosses[b] / scale;
    dlogits[i] = (probs[i] - (static_cast<std::int32_t>(v) == targets[b] ? 1.0f : 0.0f)) * factor;
}
// [/book]

// ---- launchers ----

void softmax_xent_forward(int version, float* losses, float* probs, const float* logits, const std::int32_t* targets,
                          std::size_t B, std::size_t V) {
    if (B == 0 || V == 0) return;
    constexpr unsigned threads = 256;
    switch (version) {
        case 1:
            launch(softmax_xent_forward_v1_kernel, dim3(ceil_div(B, threads)), dim3(threads), 0, 0, losses, probs, logits,
                   targets, B, V);
            return;
        case 2:
            launch(softmax_xent_forward_v2_kernel, dim3(ceil_div(B * 32, threads)), dim3(threads), 0, 0, losses, probs,
                   logits, targets, B, V);
            return;
        default:
            LADDER_NO_SUCH_VERSION("softmax_xent", version, softmax_xent_gpu_versions);
    }
}

void softmax_xent_backward(int version, float* dlogits, const float* probs, const std::int32_t* targets,
                           const float* dlosses, std::size_t B, std::size_t V, float scale) {
    if (B == 0 || V == 0) return;
    constexpr unsigned threads = 256;
    switch (version) {
        case 1:
            launch(softmax_xent_backward_v1_kernel, dim3(ceil_div(B * V, threads)), dim3(threads), 0, 0, dlogits, probs,
                   targets, dlosses, B, V, scale);
            return;
        default:
            LADDER_NO_SUCH_VERSION("softmax_xent_backward", version, softmax_xent_backward_gpu_versions);
    }
}

}  // namespace ladder::LADDER_GPU_NS
