// loss_sum.cpp: the Tensor-level total of the losses: checks shapes, dtypes and devices, then runs
// the CPU reference or the backend's GPU version. losses (any shape) -> out (one value).
// Introduced in ch08.
#include "kernels/loss_sum/loss_sum.hpp"

#include "core/error.hpp"
#include "core/gpu_dispatch.hpp"
#include "kernels/tensor_checks.hpp"

namespace ladder {

void loss_sum(const Backend& be, Tensor& out, const Tensor& losses) {
    constexpr const char* what = "loss_sum";
    LADDER_CHECK(out.numel() == 1, "{}: out has shape {}; it must hold one value, the total (e.g. (1,))", what,
                 out.shape().str());
    check_f32_on(be, what, {{"losses", &losses}, {"out", &out}});
    if (be.device() == Device::cpu) {
        loss_sum_cpu(out.data(), losses.data(), losses.numel());
    } else {
        LADDER_GPU_CALL(be.device(), loss_sum, be.version("loss_sum", loss_sum_gpu_default), out.data(), losses.data(),
                        losses.numel());
    }
}

}  // namespace ladder
