// cosine_topk.cpp: the Tensor-level cosine top-k: checks shapes and devices, then runs the
// CPU reference or a GPU version. Introduced in ch03.
#include "kernels/cosine_topk/cosine_topk.hpp"

#include <initializer_list>

#include "core/error.hpp"
#include "core/gpu_dispatch.hpp"

namespace ladder {

void cosine_topk(const Backend& be, Tensor& top_ids, Tensor& top_sims, const Tensor& queries, const Tensor& table,
                 const Tensor& inv_norm, const Tensor& exclude) {
    LADDER_CHECK(queries.rank() == 2 && table.rank() == 2 && queries.dim(1) == table.dim(1) &&
                     inv_norm.shape() == Shape{table.dim(0)},
                 "cosine_topk: queries {}, table {}, inv_norm {}: expected (M,D), (V,D), (V)", queries.shape().str(),
                 table.shape().str(), inv_norm.shape().str());
    TopkDims d{queries.dim(0), table.dim(0), table.dim(1), top_ids.rank() == 2 ? top_ids.dim(1) : 0,
               exclude.defined() ? exclude.dim(1) : 0};
    LADDER_CHECK((top_ids.dtype() == DType::i32 && top_ids.shape() == Shape{d.M, d.k} && top_sims.shape() == top_ids.shape()),
                 "cosine_topk: top_ids {} ({}) and top_sims {} must be (M,k) int32 and float", top_ids.shape().str(),
                 dtype_name(top_ids.dtype()), top_sims.shape().str());
    LADDER_CHECK(d.k >= 1 && d.k <= cosine_topk_max_k, "cosine_topk: k = {} must be in 1..{}", d.k, cosine_topk_max_k);
    LADDER_CHECK(!exclude.defined() || (exclude.rank() == 2 && exclude.dim(0) == d.M && exclude.dtype() == DType::i32),
                 "cosine_topk: exclude {} must be (M,X) int32", exclude.shape().str());
    for (const Tensor* t : std::initializer_list<const Tensor*>{&top_ids, &top_sims, &queries, &table, &inv_norm})
        LADDER_CHECK(t->device() == be.device(), "cosine_topk: a tensor is on {} but the backend is {}",
                     device_name(t->device()), be.name());
    const std::int32_t* ex = exclude.defined() ? exclude.data_i32() : nullptr;
    if (be.device() == Device::cpu) {
        cosine_topk_cpu(top_ids.data_i32(), top_sims.data(), queries.data(), table.data(), inv_norm.data(), ex, d);
    } else {
        LADDER_GPU_CALL(be.device(), cosine_topk, be.version("cosine_topk", cosine_topk_gpu_default), top_ids.data_i32(),
                        top_sims.data(), queries.data(), table.data(), inv_norm.data(), ex, d);
    }
}

}  // namespace ladder
