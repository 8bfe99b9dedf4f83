// embedding_gather.cpp: the Tensor-level gather and scatter-add: check shapes and devices,
// then run the CPU reference or the GPU version. Introduced in ch03.
#include "kernels/embedding_gather/embedding_gather.hpp"

#include "core/error.hpp"
#include "core/gpu_dispatch.hpp"

namespace ladder {

namespace {
void check_devices(const Backend& be, const char* op, std::initializer_list<const Tensor*> ts) {
    for (const Tensor* t : ts)
        LADDER_CHECK(t->device() == be.device(), "{}: a tensor is on {} but the backend is {}", op, device_name(t->device()),
                     be.name());
}
}  // namespace

void embedding_gather(const Backend& be, Tensor& out, const Tensor& table, const Tensor& ids) {
    LADDER_CHECK(table.rank() == 2 && ids.rank() == 1 && ids.dtype() == DType::i32 && out.rank() == 2 &&
                     out.dim(0) == ids.dim(0) && out.dim(1) == table.dim(1),
                 "embedding_gather: out {}, table {}, ids {} ({}): expected (B,D), (V,D), (B) int32", out.shape().str(),
                 table.shape().str(), ids.shape().str(), dtype_name(ids.dtype()));
    check_devices(be, "embedding_gather", {&out, &table, &ids});
    const std::size_t B = ids.dim(0), V = table.dim(0), D = table.dim(1);
    if (be.device() == Device::cpu) {
        embedding_gather_cpu(out.data(), table.data(), ids.data_i32(), B, V, D);
    } else {
        LADDER_GPU_CALL(be.device(), embedding_gather, be.version("embedding_gather", embedding_gather_gpu_default),
                        out.data(), table.data(), ids.data_i32(), B, V, D);
    }
}

void embedding_scatter_add(const Backend& be, Tensor& table, const Tensor& rows, const Tensor& ids, float scale) {
    LADDER_CHECK(table.rank() == 2 && ids.rank() == 1 && ids.dtype() == DType::i32 && rows.rank() == 2 &&
                     rows.dim(0) == ids.dim(0) && rows.dim(1) == table.dim(1),
                 "embedding_scatter_add: table {}, rows {}, ids {} ({}): expected (V,D), (B,D), (B) int32",
                 table.shape().str(), rows.shape().str(), ids.shape().str(), dtype_name(ids.dtype()));
    check_devices(be, "embedding_scatter_add", {&table, &rows, &ids});
    const std::size_t B = ids.dim(0), V = table.dim(0), D = table.dim(1);
    if (be.device() == Device::cpu) {
        embedding_scatter_add_cpu(table.data(), rows.data(), ids.data_i32(), B, V, D, scale);
    } else {
        LADDER_GPU_CALL(be.device(), embedding_scatter_add,
                        be.version("embedding_scatter_add", embedding_scatter_add_gpu_default), table.data(), rows.data(),
                        ids.data_i32(), B, V, D, scale);
    }
}

}  // namespace ladder
