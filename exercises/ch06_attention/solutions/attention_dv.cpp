// Solution to exercise 6.4: dv = att^T dout per head, with loops over the causal triangle.
#include <algorithm>

#include "exercises/ch06_attention/exercises.hpp"

namespace ladder::ex06 {

void attention_dv(float* dv, const float* att, const float* dout, std::size_t BH, std::size_t T, std::size_t hs) {
    for (std::size_t bh = 0; bh < BH; ++bh) {
        const float* att_h = att + bh * T * T;
        const float* dout_h = dout + bh * T * hs;
        float* dv_h = dv + bh * T * hs;
        std::fill(dv_h, dv_h + T * hs, 0.0f);
        // forward: out[t] = sum_{s <= t} att[t][s] v[s]  =>  dv[s] += att[t][s] dout[t]
        for (std::size_t t = 0; t < T; ++t) {
            const float* dout_t = dout_h + t * hs;
            for (std::size_t s = 0; s <= t; ++s) {
                const float a = att_h[t * T + s];
                float* dv_s = dv_h + s * hs;
                for (std::size_t i = 0; i < hs; ++i) dv_s[i] += a * dout_t[i];
            }
        }
    }
}

}  // namespace ladder::ex06
