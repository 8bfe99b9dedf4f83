// exercises.hpp: chapter 5's exercises. You write them in the files listed in
// exercises.txt; `./ladder exercise ch05` checks each against the reference.
// Matrices are row-major: (V,V) counts row prev starts at counts + prev * V.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/rng.hpp"
#include "kernels/adamw/adamw.hpp"

namespace ladder::ex05 {
// Exercise 5.1 (bigram_counts.cpp): counts (V,V), counts[prev * V + next] = how often `next`
// follows `prev` in `tokens`; and log P(next | prev) (V,V) with add-alpha smoothing.
std::vector<std::uint32_t> count_bigrams(std::span<const std::int32_t> tokens, std::size_t V);
std::vector<float> bigram_log_probs(std::span<const std::uint32_t> counts, std::size_t V, double alpha);
// Exercise 5.2 (sample_temperature.cpp): one id in [0, V) drawn from softmax(logits / temperature)
// (V) with one rng.uniform(); temperature 0: the argmax, the first of ties, and no draw.
std::int32_t sample_temperature(std::span<const float> logits, float temperature, Rng& rng);
// Exercise 5.6 (bptt_step.cpp): one step of the RNN's backward. h_t, h_prev, dh_t, dpre,
// dh_prev (B,H), w_hh (H,H), dw_hh (H,H). dpre is overwritten; dw_hh and dh_prev accumulate:
//   dpre = (1 - h_t^2) dh_t;  dw_hh += dpre^T h_prev;  dh_prev += dpre w_hh
void bptt_step(float* dpre, float* dw_hh, float* dh_prev, const float* h_t, const float* h_prev, const float* dh_t,
               const float* w_hh, std::size_t B, std::size_t H);
}  // namespace ladder::ex05

// Exercises 5.3-5.5 are CUDA: each .cu is compiled for the emulator (ladder::simt) and,
// with nvcc, for the GPU (ladder::cuda). Pointers are device pointers; every gradient and
// the optimizer state are updated in place (+=), never overwritten.
#define LADDER_EX05_GPU_API                                                                                         \
    void tanh_backward_kernel(float* dinp, const float* out, const float* dout, std::size_t n);                     \
    void linear_dweight_kernel(float* dweight, const float* dout, const float* inp, std::size_t N, std::size_t C,   \
                               std::size_t OC);                                                                     \
    void adamw_kernel(float* params, float* m, float* v, const float* grads, std::size_t n, const AdamWConfig& cfg, \
                      int step, float grad_scale);
namespace ladder::simt::ex05 {
LADDER_EX05_GPU_API
}
namespace ladder::cuda::ex05 {
LADDER_EX05_GPU_API
}
#undef LADDER_EX05_GPU_API
