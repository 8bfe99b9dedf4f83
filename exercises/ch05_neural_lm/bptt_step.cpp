// Exercise 5.6: one step back through time of the Elman RNN, on the CPU. h_t, h_prev, dh_t,
// dpre, dh_prev (B,H), w_hh, dw_hh (H,H). The forward step was
//   pre_t = x_t w_xh^T + h_prev w_hh^T + b_h;  h_t = tanh(pre_t)
// Introduced in ch05 (the Elman RNN, truncated backpropagation through time; RnnLm::backward).
#include "core/error.hpp"
#include "exercises/ch05_neural_lm/exercises.hpp"

namespace ladder::ex05 {

// Requirements: dpre is overwritten; dw_hh and dh_prev ACCUMULATE (+=): dw_hh sums over every
// step of the window, and dh_prev already holds the gradient of step t-1's own loss.
// Code plan (loops, indices in std::size_t):
//   1. h_t = tanh(pre_t)          =>  dpre[b][i] = (1 - h_t[b][i]^2) * dh_t[b][i]
//   2. pre_t += h_prev w_hh^T, i.e. pre_t[b][i] += sum_j h_prev[b][j] w_hh[i][j], so
//        dw_hh[i][j]  += sum_b dpre[b][i] * h_prev[b][j]     (dw_hh = dpre^T h_prev)
//        dh_prev[b][j] += sum_i dpre[b][i] * w_hh[i][j]      (dh_prev = dpre w_hh)
// Hint: finish step 1 for every row before step 2 reads dpre. Name the rows you walk:
// const float* dpre_b = dpre + b * H; const float* w_i = w_hh + i * H.
void bptt_step(float* dpre, float* dw_hh, float* dh_prev, const float* h_t, const float* h_prev, const float* dh_t,
               const float* w_hh, std::size_t B, std::size_t H) {
    // TODO(ex5.6): steps 1 and 2.
    throw NotImplemented("exercise 5.6: bptt_step (exercises/ch05_neural_lm/bptt_step.cpp)");
}

}  // namespace ladder::ex05
