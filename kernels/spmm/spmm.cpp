// spmm.cpp: the Tensor-level spmm: checks shapes, dtypes and devices, then dispatches.
// Introduced in ch02.
#include "kernels/spmm/spmm.hpp"

#include "core/error.hpp"
#include "core/gpu_dispatch.hpp"

namespace ladder {

void spmm(const Backend& be, Tensor& c, const Tensor& row_ptr, const Tensor& col, const Tensor& val, std::size_t K,
          const Tensor& b, bool ta, float alpha, float beta) {
    LADDER_CHECK(row_ptr.dtype() == DType::i32 && col.dtype() == DType::i32, "spmm: row_ptr and col must be int32");
    LADDER_CHECK(row_ptr.rank() == 1 && row_ptr.numel() >= 1, "spmm: row_ptr must be (R + 1), got {}",
                 row_ptr.shape().str());
    LADDER_CHECK(col.numel() == val.numel(), "spmm: col {} and val {} differ", col.shape().str(), val.shape().str());
    LADDER_CHECK(b.rank() == 2 && c.rank() == 2, "spmm: b {} and c {} must be matrices", b.shape().str(), c.shape().str());
    for (const Tensor* t : std::initializer_list<const Tensor*>{&c, &row_ptr, &col, &val, &b})
        LADDER_CHECK(t->device() == be.device(), "spmm: {} is on {} but the backend is {}", t->str(),
                     device_name(t->device()), be.name());
    SpmmDims d{.R = row_ptr.numel() - 1, .K = K, .N = b.dim(1), .ta = ta, .alpha = alpha, .beta = beta};
    const std::size_t b_rows = ta ? d.R : d.K, c_rows = ta ? d.K : d.R;
    LADDER_CHECK(b.dim(0) == b_rows, "spmm: b is {}, expected ({}, N) for A ({}, {}){}", b.shape().str(), b_rows, d.R, d.K,
                 ta ? " transposed" : "");
    LADDER_CHECK(c.dim(0) == c_rows && c.dim(1) == d.N, "spmm: c is {}, expected ({}, {})", c.shape().str(), c_rows, d.N);
    LADDER_CHECK(!ta || beta == 1.0f, "spmm: the transposed product always accumulates (beta = 1), got beta {}", beta);
    if (be.device() == Device::cpu) {
        spmm_cpu(c.data(), row_ptr.data_i32(), col.data_i32(), val.data(), b.data(), d);
    } else {
        LADDER_GPU_CALL(be.device(), spmm, be.version("spmm", spmm_gpu_default), c.data(), row_ptr.data_i32(),
                        col.data_i32(), val.data(), b.data(), d);
    }
}

}  // namespace ladder
