// exercises.hpp: chapter 6's exercises. You write them in the files listed in
// exercises.txt; `./ladder exercise ch06` checks each against the reference.
// Arrays are row-major: scores (BH,T,T) row t of head bh starts at scores + (bh * T + t) * T.
#pragma once

#include <cmath>
#include <cstddef>
#include <vector>

namespace ladder::ex06 {
// Exercise 6.2 (online_softmax.cpp): the state of a set of values x_j, the pair
// (max, sum) with sum = sum_j exp(x_j - max). The empty set is {-inf, 0}; one value x is {x, 1}.
struct MaxSum {
    float max = -INFINITY;
    float sum = 0.0f;
};
// The state of the union of the two sets.
MaxSum merge_max_sum(MaxSum a, MaxSum b);
// out (C) = softmax(inp (C)) of one row, its (max, sum) found in ONE pass over inp with
// merge_max_sum; inp may hold -inf (masked), at least one entry is finite.
void softmax_online(float* out, const float* inp, std::size_t C);
// Exercise 6.4 (attention_dv.cpp): dv (BH,T,hs) = att^T dout for every head bh, att (BH,T,T)
// (causal: 0 above the diagonal), dout (BH,T,hs). dv is overwritten.
void attention_dv(float* dv, const float* att, const float* dout, std::size_t BH, std::size_t T, std::size_t hs);
// Exercise 6.6 (sinusoidal_positions.cpp): the (T, C) table, row-major; C odd is an error.
std::vector<float> sinusoidal_positions(std::size_t T, std::size_t C);
}  // namespace ladder::ex06

// Exercises 6.1, 6.3 and 6.5 are CUDA: each .cu is compiled for the emulator (ladder::simt)
// and, with nvcc, for the GPU (ladder::cuda). Pointers are device pointers.
//   softmax_block_kernel: out, inp (R,C); out overwritten.
//   causal_mask_kernel:   scores (BH,T,T), in place.
//   merge_heads_kernel:   inp (B,NH,T,hs) -> out (B,T,NH*hs), out overwritten.
#define LADDER_EX06_GPU_API                                                                                         \
    void softmax_block_kernel(float* out, const float* inp, std::size_t R, std::size_t C);                          \
    void causal_mask_kernel(float* scores, std::size_t BH, std::size_t T);                                          \
    void merge_heads_kernel(float* out, const float* inp, std::size_t B, std::size_t T, std::size_t NH,             \
                            std::size_t hs);
namespace ladder::simt::ex06 {
LADDER_EX06_GPU_API
}
namespace ladder::cuda::ex06 {
LADDER_EX06_GPU_API
}
#undef LADDER_EX06_GPU_API
