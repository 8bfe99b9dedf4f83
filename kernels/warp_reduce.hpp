// warp_reduce.hpp: sums and maxima over the 32 lanes of a warp by shuffle butterflies, for the
// .cu files whose kernels give a row to a warp (softmax, attention, layernorm). After log2(32) = 5
// exchanges every lane holds the result; the order of the additions is fixed, so every lane gets
// the same bits and a run gets the same bits as the last one. Every lane of the warp must call
// them (the full mask). Include after core/kernel.hpp. Introduced in ch06.
#pragma once

#include "core/kernel.hpp"

namespace ladder::LADDER_GPU_NS {

static __device__ inline float warp_sum(float v) {
    for (int offset = 16; offset > 0; offset /= 2) v += __shfl_xor_sync(0xffffffffu, v, offset);
    return v;
}

static __device__ inline float warp_max(float v) {
    for (int offset = 16; offset > 0; offset /= 2) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, offset));
    return v;
}

}  // namespace ladder::LADDER_GPU_NS
