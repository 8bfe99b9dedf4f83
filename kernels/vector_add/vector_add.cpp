// vector_add.cpp: the Tensor-level add: checks shapes and devices, then dispatches.
// Introduced in ch01.
#include "kernels/vector_add/vector_add.hpp"

#include "core/error.hpp"
#include "core/gpu_dispatch.hpp"

namespace ladder {

void add(const Backend& be, Tensor& out, const Tensor& a, const Tensor& b) {
    LADDER_CHECK(a.shape() == b.shape() && out.shape() == a.shape(), "add: shapes differ: out {}, a {}, b {}",
                 out.shape().str(), a.shape().str(), b.shape().str());
    LADDER_CHECK(a.device() == be.device() && b.device() == be.device() && out.device() == be.device(),
                 "add: tensors on {}, {}, {} but the backend is {}", device_name(out.device()), device_name(a.device()),
                 device_name(b.device()), be.name());
    if (be.device() == Device::cpu) {
        vector_add_cpu(out.data(), a.data(), b.data(), a.numel());
    } else {
        LADDER_GPU_CALL(be.device(), vector_add, be.version("vector_add", vector_add_gpu_default), out.data(), a.data(),
                        b.data(), a.numel());
    }
}

}  // namespace ladder
