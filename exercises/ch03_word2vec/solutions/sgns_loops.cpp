// Solution to exercise 3.3.
#include <algorithm>
#include <cmath>

#include "exercises/ch03_word2vec/exercises.hpp"

namespace ladder::ex03 {

void sgns_loops(float* loss, float* d_in, float* d_out, const float* w_in, const float* w_out,
                const std::int32_t* in_ids, const std::int32_t* out_ids, const SgnsDims& d) {
    for (std::size_t b = 0; b < d.B; ++b) {
        const float* u = w_in + static_cast<std::size_t>(in_ids[b]) * d.D;
        float g[sgns_max_k1];
        float l = 0.0f;
        for (std::size_t k = 0; k < d.K1; ++k) {
            const float* v = w_out + static_cast<std::size_t>(out_ids[b * d.K1 + k]) * d.D;
            float s = 0.0f;
            for (std::size_t j = 0; j < d.D; ++j) s += u[j] * v[j];
            const float z = k == 0 ? -s : s;   // loss term = softplus(z)
            l += std::max(z, 0.0f) + std::log1p(std::exp(-std::fabs(z)));
            g[k] = 1.0f / (1.0f + std::exp(-s)) - (k == 0 ? 1.0f : 0.0f);
        }
        loss[b] = l;
        for (std::size_t j = 0; j < d.D; ++j) {
            float acc = 0.0f;
            for (std::size_t k = 0; k < d.K1; ++k) {
                acc += g[k] * w_out[static_cast<std::size_t>(out_ids[b * d.K1 + k]) * d.D + j];
                d_out[(b * d.K1 + k) * d.D + j] = g[k] * u[j];
            }
            d_in[b * d.D + j] = acc;
        }
    }
}

}  // namespace ladder::ex03
