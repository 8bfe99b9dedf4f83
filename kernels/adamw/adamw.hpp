// adamw.hpp: one step t >= 1 of AdamW (Loshchilov & Hutter; PyTorch's torch.optim.AdamW), in
// place over n parameters, with g = grads * grad_scale (grad_scale: global-norm clipping):
//   m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2;  mhat = m / (1 - b1^t);  vhat = v / (1 - b2^t)
//   p = p - lr * (mhat / (sqrt(vhat) + eps) + weight_decay * p)
// params, m, v, grads (n). Introduced in ch05 (the training frame).
#pragma once

#include <cmath>
#include <cstddef>

#include "core/backend.hpp"
#include "core/tensor.hpp"

namespace ladder {

struct AdamWConfig {
    float lr = 1e-3f, beta1 = 0.9f, beta2 = 0.999f, eps = 1e-8f, weight_decay = 0.0f;
};

// The bias corrections 1 - b1^t and 1 - b2^t, in double (as PyTorch computes them, in
// Python floats). Every implementation takes them from here, so they are the same numbers
// on every backend; the float ones round them once.
struct AdamWBiasCorrection {
    double c1, c2;
};
inline AdamWBiasCorrection adamw_bias_correction(const AdamWConfig& cfg, int step) {
    return {1.0 - std::pow(static_cast<double>(cfg.beta1), step), 1.0 - std::pow(static_cast<double>(cfg.beta2), step)};
}

// ---- CPU (adamw_cpu.cpp) ----
// The reference, T = float or double (the float config and scale are promoted to T).
template <class T>
void adamw_update_cpu(T* params, T* m, T* v, const T* grads, std::size_t n, const AdamWConfig& cfg, int step,
                      float grad_scale);

// ---- GPU (adamw.cu): v1 a thread per element, v2 a fixed grid striding over the arrays ----
inline constexpr int adamw_update_gpu_versions = 2;
inline constexpr int adamw_update_gpu_default = 2;
#define LADDER_ADAMW_GPU_API                                                                                           \
    void adamw_update(int version, float* params, float* m, float* v, const float* grads, std::size_t n,              \
                      const AdamWConfig& cfg, int step, float grad_scale);
namespace simt { LADDER_ADAMW_GPU_API }
namespace cuda { LADDER_ADAMW_GPU_API }
#undef LADDER_ADAMW_GPU_API

// ---- on Tensors ----
// params, m, v, grads: float32 on the backend's device, any shapes with the same number of
// elements (views into one parameter buffer); m and v start at 0 and v stays >= 0. Updates
// params, m and v in place. step >= 1 is this update's number (1 for the first).
void adamw_update(const Backend& be, Tensor& params, Tensor& m, Tensor& v, const Tensor& grads,
                  const AdamWConfig& cfg, int step, float grad_scale);

}  // namespace ladder
