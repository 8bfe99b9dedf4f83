// global_norm.cpp: the Tensor-level squared global norm: checks dtypes, shapes and devices,
// then dispatches. x (any shape) -> out (1). Introduced in ch05.
#include "kernels/global_norm/global_norm.hpp"

#include <initializer_list>

#include "core/error.hpp"
#include "core/gpu_dispatch.hpp"

namespace ladder {

void global_norm_sq(const Backend& be, Tensor& out, const Tensor& x) {
    LADDER_CHECK(out.numel() == 1, "global_norm_sq: out must hold one element, got {}", out.str());
    for (const Tensor* t : std::initializer_list<const Tensor*>{&out, &x}) {
        LADDER_CHECK(t->dtype() == DType::f32, "global_norm_sq: {} must be float32", t->str());
        LADDER_CHECK(t->device() == be.device(), "global_norm_sq: {} is on {} but the backend is {}", t->str(),
                     device_name(t->device()), be.name());
    }
    if (be.device() == Device::cpu) {
        global_norm_sq_cpu(out.data(), x.data(), x.numel());
    } else {
        LADDER_GPU_CALL(be.device(), global_norm_sq, be.version("global_norm", global_norm_sq_gpu_default), out.data(),
                        x.data(), x.numel());
    }
}

}  // namespace ladder
