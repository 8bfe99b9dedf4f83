// softmax_xent.cpp: the Tensor-level softmax cross-entropy, forward and backward: checks
// shapes, dtypes and devices, then dispatches. Introduced in ch02.
#include "kernels/softmax_xent/softmax_xent.hpp"

#include "core/error.hpp"
#include "core/gpu_dispatch.hpp"

namespace ladder {

namespace {
void check_common(const Backend& be, const char* what, const Tensor& bv, const Tensor& targets,
                  std::initializer_list<const Tensor*> all) {
    LADDER_CHECK(bv.rank() == 2, "{}: expected (B, V), got {}", what, bv.shape().str());
    LADDER_CHECK(targets.dtype() == DType::i32 && targets.numel() == bv.dim(0), "{}: targets {} must be int32 ({})", what,
                 targets.str(), bv.dim(0));
    for (const Tensor* t : all)
        LADDER_CHECK(t->device() == be.device(), "{}: {} is on {} but the backend is {}", what, t->str(),
                     device_name(t->device()), be.name());
}
}  // namespace

void softmax_xent_forward(const Backend& be, Tensor& losses, Tensor& probs, const Tensor& logits, const Tensor& targets) {
    check_common(be, "softmax_xent_forward", logits, targets, {&losses, &probs, &logits, &targets});
    const std::size_t B = logits.dim(0), V = logits.dim(1);
    LADDER_CHECK(probs.shape() == logits.shape() && losses.numel() == B, "softmax_xent_forward: probs {} and losses {} "
                 "must be {} and ({})", probs.shape().str(), losses.shape().str(), logits.shape().str(), B);
    if (be.device() == Device::cpu) {
        softmax_xent_forward_cpu(losses.data(), probs.data(), logits.data(), targets.data_i32(), B, V);
    } else {
        LADDER_GPU_CALL(be.device(), softmax_xent_forward, be.version("softmax_xent", softmax_xent_gpu_default),
                        losses.data(), probs.data(), logits.data(), targets.data_i32(), B, V);
    }
}

void softmax_xent_backward(const Backend& be, Tensor& dlogits, const Tensor& probs, const Tensor& targets,
                           const Tensor& dlosses, float scale) {
    check_common(be, "softmax_xent_backward", probs, targets, {&dlogits, &probs, &targets, &dlosses});
    const std::size_t B = probs.dim(0), V = probs.dim(1);
    LADDER_CHECK(dlogits.shape() == probs.shape() && dlosses.numel() == B, "softmax_xent_backward: dlogits {} and "
                 "dlosses {} must be {} and ({})", dlogits.shape().str(), dlosses.shape().str(), probs.shape().str(), B);
    if (be.device() == Device::cpu) {
        softmax_xent_backward_cpu(dlogits.data(), probs.data(), targets.data_i32(), dlosses.data(), B, V, scale);
    } else {
        LADDER_GPU_CALL(be.device(), softmax_xent_backward,
                        be.version("softmax_xent_backward", softmax_xent_backward_gpu_default), dlogits.data(),
                        probs.data(), targets.data_i32(), dlosses.data(), B, V, scale);
    }
}

}  // namespace ladder
