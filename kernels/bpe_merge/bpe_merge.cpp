// bpe_merge.cpp: the Tensor-level merge: checks dtypes, shapes and devices, then runs the
// CPU reference or a GPU version. Introduced in ch04.
#include "kernels/bpe_merge/bpe_merge.hpp"

#include <initializer_list>

#include "core/error.hpp"
#include "core/gpu_dispatch.hpp"

namespace ladder {

void bpe_merge(const Backend& be, Tensor& out, Tensor& out_len, const Tensor& tokens, MergeRule rule) {
    for (const Tensor* t : std::initializer_list<const Tensor*>{&out, &out_len, &tokens}) {
        LADDER_CHECK(t->dtype() == DType::i32, "bpe_merge: out {}, out_len {}, tokens {}: all must be int32", out.str(),
                     out_len.str(), tokens.str());
        LADDER_CHECK(t->device() == be.device(), "bpe_merge: {} is on {} but the backend is {}", t->str(),
                     device_name(t->device()), be.name());
    }
    LADDER_CHECK(tokens.rank() == 1 && out.shape() == tokens.shape() && out_len.shape() == Shape{1},
                 "bpe_merge: tokens {}, out {}, out_len {}: expected (n), (n), (1)", tokens.shape().str(),
                 out.shape().str(), out_len.shape().str());
    if (be.device() == Device::cpu) {
        bpe_merge_cpu(out.data_i32(), out_len.data_i32(), tokens.data_i32(), tokens.numel(), rule);
    } else {
        LADDER_GPU_CALL(be.device(), bpe_merge, be.version("bpe_merge", bpe_merge_gpu_default), out.data_i32(),
                        out_len.data_i32(), tokens.data_i32(), tokens.numel(), rule);
    }
}

}  // namespace ladder
