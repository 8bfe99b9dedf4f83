// Solution to exercise 7.6: dwte += dlogits^T h, then the rows of dx0 scattered to their ids.
#include "core/error.hpp"
#include "exercises/ch07_gpt/exercises.hpp"

namespace ladder::ex07 {

void tied_embedding_grad(float* dwte, const float* dlogits, const float* h, const float* dx0, const std::int32_t* ids,
                         std::size_t N, std::size_t V, std::size_t C) {
    // forward: logits[n][v] = sum_c h[n][c] wte[v][c]
    for (std::size_t n = 0; n < N; ++n) {
        const float* h_n = h + n * C;
        const float* dlogits_n = dlogits + n * V;
        for (std::size_t v = 0; v < V; ++v) {
            const float g = dlogits_n[v];
            float* dwte_v = dwte + v * C;
            for (std::size_t c = 0; c < C; ++c) dwte_v[c] += g * h_n[c];
        }
    }
    // forward: x0[n] = wte[ids[n]] + ...
    for (std::size_t n = 0; n < N; ++n) {
        LADDER_CHECK(ids[n] >= 0 && static_cast<std::size_t>(ids[n]) < V, "tied_embedding_grad: ids[{}] = {} not in [0, {})",
                     n, ids[n], V);
        float* dwte_v = dwte + static_cast<std::size_t>(ids[n]) * C;
        const float* dx0_n = dx0 + n * C;
        for (std::size_t c = 0; c < C; ++c) dwte_v[c] += dx0_n[c];
    }
}

}  // namespace ladder::ex07
