// Solution to exercise 3.5: one thread per pair.
#include "core/kernel.hpp"
#include "exercises/ch03_word2vec/exercises.hpp"

namespace ladder::LADDER_GPU_NS::ex03 {

static __global__ void sgns_ex_kernel(float* loss, float* d_in, float* d_out, const float* w_in, const float* w_out,
                                      const std::int32_t* in_ids, const std::int32_t* out_ids, SgnsDims d) {
    const std::size_t b = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (b >= d.B) return;
    const float* u = w_in + static_cast<std::size_t>(in_ids[b]) * d.D;
    float g[sgns_max_k1];
    float l = 0.0f;
    for (std::size_t k = 0; k < d.K1; ++k) {
        const float* v = w_out + static_cast<std::size_t>(out_ids[b * d.K1 + k]) * d.D;
        float s = 0.0f;
        for (std::size_t j = 0; j < d.D; ++j) s += u[j] * v[j];
        const float z = k == 0 ? -s : s;
        l += fmaxf(z, 0.0f) + log1pf(expf(-fabsf(z)));
        g[k] = 1.0f / (1.0f + expf(-s)) - (k == 0 ? 1.0f : 0.0f);
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

void sgns_kernel(float* loss, float* d_in, float* d_out, const float* w_in, const float* w_out,
                 const std::int32_t* in_ids, const std::int32_t* out_ids, const SgnsDims& d) {
    if (d.B == 0) return;
    launch(sgns_ex_kernel, dim3(ceil_div(d.B, 128)), dim3(128), 0, 0, loss, d_in, d_out, w_in, w_out, in_ids, out_ids, d);
}

}  // namespace ladder::LADDER_GPU_NS::ex03
