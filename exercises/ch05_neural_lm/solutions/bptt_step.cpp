// Solution to exercise 5.6: tanh's backward, then the two products with loops.
#include "exercises/ch05_neural_lm/exercises.hpp"

namespace ladder::ex05 {

void bptt_step(float* dpre, float* dw_hh, float* dh_prev, const float* h_t, const float* h_prev, const float* dh_t,
               const float* w_hh, std::size_t B, std::size_t H) {
    // forward: h_t = tanh(pre_t)  =>  dpre = (1 - h_t^2) dh_t
    for (std::size_t k = 0; k < B * H; ++k) dpre[k] = (1.0f - h_t[k] * h_t[k]) * dh_t[k];
    // forward: pre_t[b][i] += sum_j h_prev[b][j] w_hh[i][j]
    for (std::size_t b = 0; b < B; ++b) {
        const float* dpre_b = dpre + b * H;
        const float* h_prev_b = h_prev + b * H;
        float* dh_prev_b = dh_prev + b * H;
        for (std::size_t i = 0; i < H; ++i) {
            const float* w_i = w_hh + i * H;
            float* dw_i = dw_hh + i * H;
            for (std::size_t j = 0; j < H; ++j) {
                dw_i[j] += dpre_b[i] * h_prev_b[j];  // dw_hh += dpre^T h_prev
                dh_prev_b[j] += dpre_b[i] * w_i[j];  // dh_prev += dpre w_hh
            }
        }
    }
}

}  // namespace ladder::ex05
