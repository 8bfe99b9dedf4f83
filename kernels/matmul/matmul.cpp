// matmul.cpp: the Tensor-level matmul: checks shapes and devices, then runs the CPU
// reference or a GPU version. Introduced in ch01.
#include "kernels/matmul/matmul.hpp"

#include "core/error.hpp"
#include "core/gpu_dispatch.hpp"

namespace ladder {

void matmul(const Backend& be, Tensor& c, const Tensor& a, const Tensor& b, bool ta, bool tb, float alpha, float beta) {
    LADDER_CHECK(a.rank() == 2 && b.rank() == 2 && c.rank() == 2, "matmul: a {}, b {}, c {} must all be matrices",
                 a.shape().str(), b.shape().str(), c.shape().str());
    MatmulDims d;
    d.M = ta ? a.dim(1) : a.dim(0);
    d.K = ta ? a.dim(0) : a.dim(1);
    d.N = tb ? b.dim(0) : b.dim(1);
    const std::size_t kb = tb ? b.dim(1) : b.dim(0);
    LADDER_CHECK(kb == d.K, "matmul: inner dimensions differ: op(a) is ({}, {}), op(b) is ({}, {})", d.M, d.K, kb, d.N);
    LADDER_CHECK(c.dim(0) == d.M && c.dim(1) == d.N, "matmul: c is {}, expected ({}, {})", c.shape().str(), d.M, d.N);
    LADDER_CHECK(a.device() == be.device() && b.device() == be.device() && c.device() == be.device(),
                 "matmul: tensors on {}, {}, {} but the backend is {}", device_name(a.device()), device_name(b.device()),
                 device_name(c.device()), be.name());
    d.ta = ta;
    d.tb = tb;
    d.alpha = alpha;
    d.beta = beta;
    if (be.device() == Device::cpu) {
        matmul_cpu(c.data(), a.data(), b.data(), d);
    } else {
        LADDER_GPU_CALL(be.device(), matmul, be.version("matmul", matmul_gpu_default), c.data(), a.data(), b.data(), d);
    }
}

}  // namespace ladder
