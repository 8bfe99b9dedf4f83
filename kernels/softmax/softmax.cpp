// softmax.cpp: the Tensor-level softmax (forward, backward) over the last dimension and the
// causal mask over the last two: checks shapes, dtypes and devices, then dispatches.
// Introduced in ch06.
#include "kernels/softmax/softmax.hpp"

#include <initializer_list>
#include <utility>

#include "core/error.hpp"
#include "core/gpu_dispatch.hpp"
#include "kernels/tensor_checks.hpp"

namespace ladder {

namespace {

using Named = NamedTensor;

// Every tensor of `all` has the shape of the first, of rank >= 1 (the softmax's dimension).
void check_rows(const char* what, std::initializer_list<Named> all) {
    const auto& [first_name, first] = *all.begin();
    LADDER_CHECK(first->rank() >= 1, "{}: {} has shape {}; the softmax runs over the last dimension, so it needs "
                 "rank >= 1", what, first_name, first->shape().str());
    for (const auto& [name, t] : all)
        LADDER_CHECK(t->shape() == first->shape(), "{}: {} {} and {} {} must have the same shape", what, name,
                     t->shape().str(), first_name, first->shape().str());
}

}  // namespace

void softmax_forward(const Backend& be, Tensor& out, const Tensor& inp) {
    constexpr const char* what = "softmax_forward";
    check_rows(what, {{"inp", &inp}, {"out", &out}});
    check_f32_on(be, what, {{"inp", &inp}, {"out", &out}});
    const std::size_t C = inp.dim(inp.rank() - 1), R = C == 0 ? 0 : inp.numel() / C;   // (R, C)
    if (be.device() == Device::cpu) {
        softmax_forward_cpu(out.data(), inp.data(), R, C);
    } else {
        LADDER_GPU_CALL(be.device(), softmax_forward, be.version("softmax", softmax_forward_gpu_default), out.data(),
                        inp.data(), R, C);
    }
}

void softmax_backward(const Backend& be, Tensor& dinp, const Tensor& out, const Tensor& dout) {
    constexpr const char* what = "softmax_backward";
    check_rows(what, {{"out", &out}, {"dout", &dout}, {"dinp", &dinp}});
    check_f32_on(be, what, {{"out", &out}, {"dout", &dout}, {"dinp", &dinp}});
    const std::size_t C = out.dim(out.rank() - 1), R = C == 0 ? 0 : out.numel() / C;   // (R, C)
    if (be.device() == Device::cpu) {
        softmax_backward_cpu(dinp.data(), out.data(), dout.data(), R, C);
    } else {
        LADDER_GPU_CALL(be.device(), softmax_backward, be.version("softmax_backward", softmax_backward_gpu_default),
                        dinp.data(), out.data(), dout.data(), R, C);
    }
}

void causal_mask(const Backend& be, Tensor& scores) {
    constexpr const char* what = "causal_mask";
    LADDER_CHECK(scores.rank() >= 2, "causal_mask: scores has shape {}; it must be (..., T, T)", scores.shape().str());
    const std::size_t T = scores.dim(scores.rank() - 1);
    LADDER_CHECK(scores.dim(scores.rank() - 2) == T, "causal_mask: scores has shape {}; the last two dims ({} and {}) "
                 "must be equal: (..., T, T)", scores.shape().str(), scores.dim(scores.rank() - 2), T);
    check_f32_on(be, what, {{"scores", &scores}});
    const std::size_t BH = T == 0 ? 0 : scores.numel() / (T * T);   // the leading dims, flattened
    if (be.device() == Device::cpu) {
        causal_mask_cpu(scores.data(), BH, T);
    } else {
        LADDER_GPU_CALL(be.device(), causal_mask, be.version("causal_mask", causal_mask_gpu_default), scores.data(), BH,
                        T);
    }
}

}  // namespace ladder
