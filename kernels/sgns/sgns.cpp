// sgns.cpp: the Tensor-level SGNS forward + backward: checks shapes and devices, then runs
// the CPU reference or a GPU version. Introduced in ch03.
#include "kernels/sgns/sgns.hpp"

#include <initializer_list>

#include "core/error.hpp"
#include "core/gpu_dispatch.hpp"

namespace ladder {

void sgns(const Backend& be, Tensor& loss, Tensor& d_in, Tensor& d_out, const Tensor& w_in, const Tensor& w_out,
          const Tensor& in_ids, const Tensor& out_ids) {
    LADDER_CHECK(w_in.rank() == 2 && w_out.shape() == w_in.shape(), "sgns: w_in {} and w_out {} must be the same (V,D)",
                 w_in.shape().str(), w_out.shape().str());
    LADDER_CHECK(in_ids.rank() == 1 && out_ids.rank() == 2 && out_ids.dim(0) == in_ids.dim(0) &&
                     in_ids.dtype() == DType::i32 && out_ids.dtype() == DType::i32,
                 "sgns: in_ids {} and out_ids {} must be (B) and (B,K1) int32", in_ids.shape().str(), out_ids.shape().str());
    const SgnsDims d{in_ids.dim(0), out_ids.dim(1), w_in.dim(0), w_in.dim(1)};
    LADDER_CHECK((loss.shape() == Shape{d.B} && d_in.shape() == Shape{d.B, d.D} && d_out.shape() == Shape{d.B, d.K1, d.D}),
                 "sgns: loss {}, d_in {}, d_out {}; expected ({}), ({}, {}), ({}, {}, {})", loss.shape().str(),
                 d_in.shape().str(), d_out.shape().str(), d.B, d.B, d.D, d.B, d.K1, d.D);
    for (const Tensor* t : std::initializer_list<const Tensor*>{&loss, &d_in, &d_out, &w_in, &w_out, &in_ids, &out_ids})
        LADDER_CHECK(t->device() == be.device(), "sgns: a tensor is on {} but the backend is {}", device_name(t->device()),
                     be.name());
    if (be.device() == Device::cpu) {
        sgns_cpu(loss.data(), d_in.data(), d_out.data(), w_in.data(), w_out.data(), in_ids.data_i32(), out_ids.data_i32(), d);
    } else {
        LADDER_GPU_CALL(be.device(), sgns, be.version("sgns", sgns_gpu_default), loss.data(), d_in.data(), d_out.data(),
                        w_in.data(), w_out.data(), in_ids.data_i32(), out_ids.data_i32(), d);
    }
}

}  // namespace ladder
