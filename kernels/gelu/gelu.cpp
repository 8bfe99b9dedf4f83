// gelu.cpp: the Tensor-level GELU, forward and backward: checks shapes, dtypes and devices, then
// dispatches. Introduced in ch07.
#include "kernels/gelu/gelu.hpp"

#include <initializer_list>

#include "core/error.hpp"
#include "core/gpu_dispatch.hpp"
#include "kernels/tensor_checks.hpp"

namespace ladder {

namespace {
void check_same_shape(const char* what, std::initializer_list<NamedTensor> all) {
    const auto& [first_name, first] = *all.begin();
    for (const auto& [name, t] : all)
        LADDER_CHECK(t->shape() == first->shape(), "{}: {} {} and {} {} must have the same shape", what, name,
                     t->shape().str(), first_name, first->shape().str());
}
}  // namespace

void gelu_forward(const Backend& be, Tensor& out, const Tensor& inp) {
    check_same_shape("gelu_forward", {{"inp", &inp}, {"out", &out}});
    check_f32_on(be, "gelu_forward", {{"inp", &inp}, {"out", &out}});
    if (be.device() == Device::cpu) {
        gelu_forward_cpu(out.data(), inp.data(), inp.numel());
    } else {
        LADDER_GPU_CALL(be.device(), gelu_forward, be.version("gelu", gelu_forward_gpu_default), out.data(), inp.data(),
                        inp.numel());
    }
}

void gelu_backward(const Backend& be, Tensor& dinp, const Tensor& inp, const Tensor& dout) {
    check_same_shape("gelu_backward", {{"inp", &inp}, {"dout", &dout}, {"dinp", &dinp}});
    check_f32_on(be, "gelu_backward", {{"inp", &inp}, {"dout", &dout}, {"dinp", &dinp}});
    if (be.device() == Device::cpu) {
        gelu_backward_cpu(dinp.data(), inp.data(), dout.data(), inp.numel());
    } else {
        LADDER_GPU_CALL(be.device(), gelu_backward, be.version("gelu_backward", gelu_backward_gpu_default),
                        dinp.data(), inp.data(), dout.data(), inp.numel());
    }
}

}  // namespace ladder
