// sgd.cpp: the Tensor-level SGD step: checks the config, dtypes, sizes and devices, then
// dispatches. params, velocity, grads (any shapes, n elements each). Introduced in ch05.
#include "kernels/sgd/sgd.hpp"

#include <cmath>
#include <initializer_list>

#include "core/error.hpp"
#include "core/gpu_dispatch.hpp"

namespace ladder {

void sgd_update(const Backend& be, Tensor& params, Tensor& velocity, const Tensor& grads, const SgdConfig& cfg,
                float grad_scale) {
    LADDER_CHECK(std::isfinite(cfg.lr) && cfg.lr >= 0, "sgd_update: lr must be finite and >= 0, got {}", cfg.lr);
    LADDER_CHECK(std::isfinite(cfg.momentum) && cfg.momentum >= 0, "sgd_update: momentum must be >= 0, got {}",
                 cfg.momentum);
    LADDER_CHECK(std::isfinite(cfg.weight_decay) && cfg.weight_decay >= 0,
                 "sgd_update: weight_decay must be >= 0, got {}", cfg.weight_decay);
    LADDER_CHECK(std::isfinite(grad_scale), "sgd_update: grad_scale must be finite, got {}", grad_scale);
    for (const Tensor* t : std::initializer_list<const Tensor*>{&params, &velocity, &grads}) {
        LADDER_CHECK(t->numel() == params.numel(), "sgd_update: params {} and {} differ in size", params.str(),
                     t->str());
        LADDER_CHECK(t->dtype() == DType::f32, "sgd_update: {} must be float32", t->str());
        LADDER_CHECK(t->device() == be.device(), "sgd_update: {} is on {} but the backend is {}", t->str(),
                     device_name(t->device()), be.name());
    }
    if (be.device() == Device::cpu) {
        sgd_update_cpu(params.data(), velocity.data(), grads.data(), params.numel(), cfg, grad_scale);
    } else {
        LADDER_GPU_CALL(be.device(), sgd_update, be.version("sgd", sgd_update_gpu_default), params.data(),
                        velocity.data(), grads.data(), params.numel(), cfg, grad_scale);
    }
}

}  // namespace ladder
