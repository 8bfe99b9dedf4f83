// tanh.cpp: the Tensor-level tanh, forward and backward: checks shapes and devices, then
// dispatches. Introduced in ch05.
#include "kernels/tanh/tanh.hpp"

#include <initializer_list>

#include "core/error.hpp"
#include "core/gpu_dispatch.hpp"

namespace ladder {

namespace {
void check_same(const Backend& be, const char* what, std::initializer_list<const Tensor*> all) {
    const Tensor& first = **all.begin();
    for (const Tensor* t : all) {
        LADDER_CHECK(t->shape() == first.shape(), "{}: shapes differ: {} vs {}", what, t->shape().str(),
                     first.shape().str());
        LADDER_CHECK(t->dtype() == DType::f32, "{}: {} must be float32", what, t->str());
        LADDER_CHECK(t->device() == be.device(), "{}: {} is on {} but the backend is {}", what, t->str(),
                     device_name(t->device()), be.name());
    }
}
}  // namespace

void tanh_forward(const Backend& be, Tensor& out, const Tensor& inp) {
    check_same(be, "tanh_forward", {&out, &inp});
    if (be.device() == Device::cpu) {
        tanh_forward_cpu(out.data(), inp.data(), inp.numel());
    } else {
        LADDER_GPU_CALL(be.device(), tanh_forward, be.version("tanh", tanh_forward_gpu_default), out.data(), inp.data(),
                        inp.numel());
    }
}

void tanh_backward(const Backend& be, Tensor& dinp, const Tensor& out, const Tensor& dout) {
    check_same(be, "tanh_backward", {&dinp, &out, &dout});
    if (be.device() == Device::cpu) {
        tanh_backward_cpu(dinp.data(), out.data(), dout.data(), out.numel());
    } else {
        LADDER_GPU_CALL(be.device(), tanh_backward, be.version("tanh_backward", tanh_backward_gpu_default),
                        dinp.data(), out.data(), dout.data(), out.numel());
    }
}

}  // namespace ladder
