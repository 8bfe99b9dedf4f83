// adamw.cpp: the Tensor-level AdamW step: checks the config, the step, dtypes, sizes and
// devices, then dispatches. params, m, v, grads (any shapes, n elements each). ch05.
#include "kernels/adamw/adamw.hpp"

#include <cmath>
#include <initializer_list>

#include "core/error.hpp"
#include "core/gpu_dispatch.hpp"

namespace ladder {

void adamw_update(const Backend& be, Tensor& params, Tensor& m, Tensor& v, const Tensor& grads,
                  const AdamWConfig& cfg, int step, float grad_scale) {
    LADDER_CHECK(step >= 1, "adamw_update: step must be >= 1 (the first update is step 1), got {}", step);
    LADDER_CHECK(std::isfinite(cfg.lr) && cfg.lr >= 0, "adamw_update: lr must be finite and >= 0, got {}", cfg.lr);
    LADDER_CHECK(cfg.beta1 >= 0 && cfg.beta1 < 1, "adamw_update: beta1 must be in [0, 1), got {}", cfg.beta1);
    LADDER_CHECK(cfg.beta2 >= 0 && cfg.beta2 < 1, "adamw_update: beta2 must be in [0, 1), got {}", cfg.beta2);
    LADDER_CHECK(std::isfinite(cfg.eps) && cfg.eps > 0, "adamw_update: eps must be > 0, got {}", cfg.eps);
    LADDER_CHECK(std::isfinite(cfg.weight_decay) && cfg.weight_decay >= 0,
                 "adamw_update: weight_decay must be >= 0, got {}", cfg.weight_decay);
    LADDER_CHECK(std::isfinite(grad_scale), "adamw_update: grad_scale must be finite, got {}", grad_scale);
    for (const Tensor* t : std::initializer_list<const Tensor*>{&params, &m, &v, &grads}) {
        LADDER_CHECK(t->numel() == params.numel(), "adamw_update: params {} and {} differ in size", params.str(),
                     t->str());
        LADDER_CHECK(t->dtype() == DType::f32, "adamw_update: {} must be float32", t->str());
        LADDER_CHECK(t->device() == be.device(), "adamw_update: {} is on {} but the backend is {}", t->str(),
                     device_name(t->device()), be.name());
    }
    if (be.device() == Device::cpu) {
        adamw_update_cpu(params.data(), m.data(), v.data(), grads.data(), params.numel(), cfg, step, grad_scale);
    } else {
        LADDER_GPU_CALL(be.device(), adamw_update, be.version("adamw", adamw_update_gpu_default), params.data(),
                        m.data(), v.data(), grads.data(), params.numel(), cfg, step, grad_scale);
    }
}

}  // namespace ladder
