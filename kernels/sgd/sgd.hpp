// sgd.hpp: one step of SGD with momentum (PyTorch's torch.optim.SGD: dampening 0, not Nesterov),
// in place over n parameters:  g = grads * grad_scale + wd * p;  buf = momentum * buf + g;
// p = p - lr * buf. params, velocity (buf), grads (n). Introduced in ch05 (the training frame).
#pragma once

#include <cstddef>

#include "core/backend.hpp"
#include "core/tensor.hpp"

namespace ladder {

struct SgdConfig {
    float lr = 1e-2f, momentum = 0.0f, weight_decay = 0.0f;
};

// ---- CPU (sgd_cpu.cpp) ----
// The reference, T = float or double (the float config and scale are promoted to T).
// velocity starts at 0, so the first step's buf is g (as PyTorch's, which clones g).
template <class T>
void sgd_update_cpu(T* params, T* velocity, const T* grads, std::size_t n, const SgdConfig& cfg, float grad_scale);

// ---- GPU (sgd.cu): v1 a thread per element, v2 a fixed grid striding over the arrays ----
inline constexpr int sgd_update_gpu_versions = 2;
inline constexpr int sgd_update_gpu_default = 2;
#define LADDER_SGD_GPU_API                                                                                             \
    void sgd_update(int version, float* params, float* velocity, const float* grads, std::size_t n,                   \
                    const SgdConfig& cfg, float grad_scale);
namespace simt { LADDER_SGD_GPU_API }
namespace cuda { LADDER_SGD_GPU_API }
#undef LADDER_SGD_GPU_API

// ---- on Tensors ----
// params, velocity, grads: float32 on the backend's device, any shapes with the same number of
// elements (views into one parameter buffer). Updates params and velocity in place.
void sgd_update(const Backend& be, Tensor& params, Tensor& velocity, const Tensor& grads, const SgdConfig& cfg,
                float grad_scale);

}  // namespace ladder
