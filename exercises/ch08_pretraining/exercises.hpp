// exercises.hpp: chapter 8's exercises (pre-training). You write them in the files listed in
// exercises.txt; `./ladder exercise ch08` checks each against the reference.
// Arrays are row-major: in (N,n) row r starts at in + r * n.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace ladder::ex08 {
// Exercise 8.3 (loss_to_bits.cpp): a loss in nats per token (the natural log of the model's
// probabilities) in other units. bits_per_token: the same loss in log base 2. bits_per_byte: the
// total bits of `tokens` tokens spread over the `bytes` bytes they decode to (bytes = 0 is an
// error: a ladder::Error).
double bits_per_token(double nats_per_token);
double bits_per_byte(double nats_per_token, std::size_t tokens, std::size_t bytes);

// Exercise 8.4 (coder_interval.cpp): one symbol of chapter 8's arithmetic coder
// (chapters/ch08_pretraining/arith_coder.hpp), on an explicit state. Code values have 63 bits:
// low and high are in [0, 2^63), low <= high, and between symbols high - low + 1 > 2^61.
struct CoderState {
    std::uint64_t low = 0;
    std::uint64_t high = (std::uint64_t{1} << 63) - 1;
    std::uint64_t pending = 0;  // underflow bits not written yet
};
// Narrows [low, high] to the share of the symbol [cum_low, cum_low + freq) of total:
// step = width / total (integer division, width = high - low + 1), then
// high = low + step (cum_low + freq) - 1 and low = low + step cum_low. pending is unchanged.
// 1 <= freq, cum_low + freq <= total <= 2^31.
void coder_narrow(CoderState& s, std::uint32_t cum_low, std::uint32_t freq, std::uint32_t total);
// Shifts out every settled bit: while the interval lies in one half of the code space, or
// straddles the middle inside the second and third quarters, widens it, appending each settled
// bit (0 or 1, one element per bit) to `bits`, each followed by the pending bits (its opposite).
void coder_renormalise(CoderState& s, std::vector<std::uint8_t>& bits);

// Exercise 8.5 (grad_accumulation.cpp): one micro-batch's step of gradient accumulation. g (n) is
// the mean gradient over one micro-batch of B/k rows; acc (n) += g / k, so after the k
// micro-batches of a batch of B rows acc holds the gradient of the mean over all B. acc
// accumulates (a gradient buffer); k = 0 is an error (a ladder::Error).
void accumulate_micro_batch(float* acc, const float* g, std::size_t n, std::size_t k);
}  // namespace ladder::ex08

// Exercises 8.1 and 8.2 are CUDA: each .cu is compiled for the emulator (ladder::simt) and, with
// nvcc, for the GPU (ladder::cuda). Pointers are device pointers.
//   grad_average_kernel:  in (N,n), row r rank r's gradient -> out (n) = (in[0] + in[1] + ... + in[N-1]) / N,
//                         added in rank order, then one division; N >= 1; out overwritten.
//   loss_sum_kernel:      losses (R) -> out (1) = their sum; out overwritten (R = 0 gives 0).
#define LADDER_EX08_GPU_API                                                              \
    void grad_average_kernel(float* out, const float* in, std::size_t N, std::size_t n); \
    void loss_sum_kernel(float* out, const float* losses, std::size_t R);
namespace ladder::simt::ex08 {
LADDER_EX08_GPU_API
}
namespace ladder::cuda::ex08 {
LADDER_EX08_GPU_API
}
#undef LADDER_EX08_GPU_API
