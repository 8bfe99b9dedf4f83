// layernorm.cpp: the Tensor-level layer normalisation, forward and backward: checks shapes,
// dtypes and devices, then runs the CPU reference or the backend's GPU version. Introduced in ch07.
#include "kernels/layernorm/layernorm.hpp"

#include <initializer_list>

#include "core/error.hpp"
#include "core/gpu_dispatch.hpp"
#include "kernels/tensor_checks.hpp"

namespace ladder {

namespace {

struct Rows {
    std::size_t R, C;
};

// inp (..., C): the rows; every other tensor's shape follows from it.
Rows rows_of(const char* what, const Tensor& inp) {
    LADDER_CHECK(inp.rank() >= 1 && inp.dim(inp.rank() - 1) > 0,
                 "{}: inp has shape {}; it must be (..., C) with C >= 1", what, inp.shape().str());
    const std::size_t C = inp.dim(inp.rank() - 1);
    return {inp.numel() / C, C};
}

void check_numel(const char* what, std::size_t want, const char* from, std::initializer_list<NamedTensor> all) {
    for (const auto& [name, t] : all)
        LADDER_CHECK(t->numel() == want, "{}: {} has shape {} ({} values); expected {} ({})", what, name,
                     t->shape().str(), t->numel(), want, from);
}

void check_like(const char* what, const Tensor& inp, std::initializer_list<NamedTensor> all) {
    for (const auto& [name, t] : all)
        LADDER_CHECK(t->shape() == inp.shape(), "{}: {} has shape {}; expected {} (inp's)", what, name,
                     t->shape().str(), inp.shape().str());
}

}  // namespace

void layernorm_forward(const Backend& be, Tensor& out, Tensor& mean, Tensor& rstd, const Tensor& inp,
                       const Tensor& weight, const Tensor& bias, float eps) {
    constexpr const char* what = "layernorm_forward";
    const Rows d = rows_of(what, inp);
    check_like(what, inp, {{"out", &out}});
    check_numel(what, d.C, "one per column C", {{"weight", &weight}, {"bias", &bias}});
    check_numel(what, d.R, "one per row", {{"mean", &mean}, {"rstd", &rstd}});
    check_f32_on(be, what,
                 {{"inp", &inp}, {"out", &out}, {"mean", &mean}, {"rstd", &rstd}, {"weight", &weight}, {"bias", &bias}});
    LADDER_CHECK(eps > 0, "{}: eps = {} must be positive (it keeps a constant row finite)", what, eps);
    if (be.device() == Device::cpu) {
        layernorm_forward_cpu(out.data(), mean.data(), rstd.data(), inp.data(), weight.data(), bias.data(), d.R, d.C,
                              eps);
    } else {
        LADDER_GPU_CALL(be.device(), layernorm_forward, be.version("layernorm", layernorm_forward_gpu_default),
                        out.data(), mean.data(), rstd.data(), inp.data(), weight.data(), bias.data(), d.R, d.C, eps);
    }
}

void residual_layernorm_forward(const Backend& be, Tensor& sum, Tensor& out, Tensor& mean, Tensor& rstd,
                                const Tensor& a, const Tensor& b, const Tensor& weight, const Tensor& bias, float eps) {
    constexpr const char* what = "residual_layernorm_forward";
    const Rows d = rows_of(what, a);
    check_like(what, a, {{"b", &b}, {"sum", &sum}, {"out", &out}});
    check_numel(what, d.C, "one per column C", {{"weight", &weight}, {"bias", &bias}});
    check_numel(what, d.R, "one per row", {{"mean", &mean}, {"rstd", &rstd}});
    check_f32_on(be, what,
                 {{"a", &a}, {"b", &b}, {"sum", &sum}, {"out", &out}, {"mean", &mean}, {"rstd", &rstd},
                  {"weight", &weight}, {"bias", &bias}});
    LADDER_CHECK(eps > 0, "{}: eps = {} must be positive (it keeps a constant row finite)", what, eps);
    if (be.device() == Device::cpu) {
        residual_layernorm_forward_cpu(sum.data(), out.data(), mean.data(), rstd.data(), a.data(), b.data(),
                                       weight.data(), bias.data(), d.R, d.C, eps);
    } else {
        LADDER_GPU_CALL(be.device(), residual_layernorm_forward,
                        be.version("residual_layernorm", residual_layernorm_gpu_default), sum.data(), out.data(),
                        mean.data(), rstd.data(), a.data(), b.data(), weight.data(), bias.data(), d.R, d.C, eps);
    }
}

void layernorm_backward(const Backend& be, Tensor& dinp, Tensor& dweight, Tensor& dbias, const Tensor& dout,
                        const Tensor& inp, const Tensor& weight, const Tensor& mean, const Tensor& rstd) {
    constexpr const char* what = "layernorm_backward";
    const Rows d = rows_of(what, inp);
    check_like(what, inp, {{"dout", &dout}, {"dinp", &dinp}});
    check_numel(what, d.C, "one per column C", {{"weight", &weight}, {"dweight", &dweight}, {"dbias", &dbias}});
    check_numel(what, d.R, "one per row", {{"mean", &mean}, {"rstd", &rstd}});
    check_f32_on(be, what,
                 {{"inp", &inp}, {"dout", &dout}, {"dinp", &dinp}, {"weight", &weight}, {"dweight", &dweight},
                  {"dbias", &dbias}, {"mean", &mean}, {"rstd", &rstd}});
    if (be.device() == Device::cpu) {
        layernorm_backward_cpu(dinp.data(), dweight.data(), dbias.data(), dout.data(), inp.data(), weight.data(),
                               mean.data(), rstd.data(), d.R, d.C);
    } else {
        LADDER_GPU_CALL(be.device(), layernorm_backward,
                        be.version("layernorm_backward", layernorm_backward_gpu_default), dinp.data(), dweight.data(),
                        dbias.data(), dout.data(), inp.data(), weight.data(), mean.data(), rstd.data(), d.R, d.C);
    }
}

}  // namespace ladder
