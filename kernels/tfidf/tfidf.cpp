// tfidf.cpp: the Tensor-level tfidf: checks shapes, dtypes and devices, then dispatches.
// Introduced in ch02.
#include "kernels/tfidf/tfidf.hpp"

#include "core/error.hpp"
#include "core/gpu_dispatch.hpp"

namespace ladder {

void tfidf(const Backend& be, Tensor& out, const Tensor& row_ptr, const Tensor& col, const Tensor& counts,
           const Tensor& idf) {
    LADDER_CHECK(row_ptr.dtype() == DType::i32 && col.dtype() == DType::i32, "tfidf: row_ptr and col must be int32");
    LADDER_CHECK(row_ptr.rank() == 1 && row_ptr.numel() >= 1, "tfidf: row_ptr must be (rows + 1), got {}",
                 row_ptr.shape().str());
    LADDER_CHECK(col.numel() == counts.numel() && out.numel() == counts.numel(),
                 "tfidf: col {}, counts {} and out {} must all be (nnz)", col.shape().str(), counts.shape().str(),
                 out.shape().str());
    for (const Tensor* t : std::initializer_list<const Tensor*>{&out, &row_ptr, &col, &counts, &idf})
        LADDER_CHECK(t->device() == be.device(), "tfidf: {} is on {} but the backend is {}", t->str(),
                     device_name(t->device()), be.name());
    const std::size_t rows = row_ptr.numel() - 1;
    if (be.device() == Device::cpu) {
        tfidf_cpu(out.data(), row_ptr.data_i32(), col.data_i32(), counts.data(), idf.data(), rows);
    } else {
        LADDER_GPU_CALL(be.device(), tfidf, be.version("tfidf", tfidf_gpu_default), out.data(), row_ptr.data_i32(),
                        col.data_i32(), counts.data(), idf.data(), rows);
    }
}

}  // namespace ladder
