// scan.cpp: the Tensor-level exclusive scan: checks dtypes, shapes and devices, then runs
// the CPU reference or a GPU version. Introduced in ch04.
#include "kernels/scan/scan.hpp"

#include <initializer_list>

#include "core/error.hpp"
#include "core/gpu_dispatch.hpp"

namespace ladder {

void scan_exclusive(const Backend& be, Tensor& out, const Tensor& in) {
    LADDER_CHECK(in.dtype() == DType::i32 && out.dtype() == DType::i32,
                 "scan_exclusive: in {} and out {} must be int32", in.str(), out.str());
    LADDER_CHECK(in.rank() == 1 && out.shape() == in.shape(), "scan_exclusive: in {} and out {} must both be (n)",
                 in.shape().str(), out.shape().str());
    LADDER_CHECK(in.numel() == 0 || in.data_i32() != out.data_i32(),
                 "scan_exclusive: out must be a tensor other than in (the GPU versions read in while writing out)");
    for (const Tensor* t : std::initializer_list<const Tensor*>{&out, &in})
        LADDER_CHECK(t->device() == be.device(), "scan_exclusive: {} is on {} but the backend is {}", t->str(),
                     device_name(t->device()), be.name());
    if (be.device() == Device::cpu) {
        scan_exclusive_cpu(out.data_i32(), in.data_i32(), in.numel());
    } else {
        LADDER_GPU_CALL(be.device(), scan_exclusive, be.version("scan", scan_gpu_default), out.data_i32(),
                        in.data_i32(), in.numel());
    }
}

}  // namespace ladder
