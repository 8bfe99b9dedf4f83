// heads.cpp: the Tensor-level head permutes: check shapes, dtypes and devices, then run the
// CPU reference or the GPU version. Introduced in ch06.
#include "kernels/heads/heads.hpp"

#include <cstdint>
#include <initializer_list>
#include <utility>

#include "core/error.hpp"
#include "core/gpu_dispatch.hpp"
#include "kernels/tensor_checks.hpp"

namespace ladder {

namespace {

using Named = NamedTensor;

// The sizes of a permute, read from the heads side (B,NH,T,hs).
struct Dims {
    std::size_t B, NH, T, hs;
    Shape heads() const { return Shape{B, NH, T, hs}; }
    Shape rows(std::size_t G) const { return Shape{B, T, G * NH * hs}; }
};

Dims heads_dims(const char* what, const char* name, const Tensor& t) {
    LADDER_CHECK(t.rank() == 4, "{}: {} has shape {}; it must be (B,NH,T,hs)", what, name, t.shape().str());
    return Dims{t.dim(0), t.dim(1), t.dim(2), t.dim(3)};
}

// A permute cannot run in place: an output that shares memory with the input would be read
// after being overwritten. (Both are f32 on one device by the time this runs.)
void check_apart(const char* what, Named out, Named inp) {
    const auto lo = [](const Tensor* t) { return reinterpret_cast<std::uintptr_t>(t->data()); };
    const auto hi = [&](const Tensor* t) { return lo(t) + t->nbytes(); };
    LADDER_CHECK(out.second->numel() == 0 || inp.second->numel() == 0 || hi(out.second) <= lo(inp.second) ||
                     hi(inp.second) <= lo(out.second),
                 "{}: {} {} and {} {} share memory; a permute cannot run in place", what, out.first,
                 out.second->shape().str(), inp.first, inp.second->shape().str());
}

// qkv (B,T,3C) and NH: the sizes, after checking q, k, v against them (and bias (3C) if given).
Dims check_split(const char* what, const Backend& be, Tensor& q, Tensor& k, Tensor& v, const Tensor& qkv,
                 const Tensor* bias, std::size_t NH) {
    LADDER_CHECK(qkv.rank() == 3 && qkv.dim(2) % 3 == 0,
                 "{}: qkv has shape {}; it must be (B,T,3C): q, k and v side by side in each row", what,
                 qkv.shape().str());
    const std::size_t B = qkv.dim(0), T = qkv.dim(1), C = qkv.dim(2) / 3;
    LADDER_CHECK(NH > 0 && C % NH == 0, "{}: {} heads do not divide the width C = {}", what, NH, C);
    const Dims d{B, NH, T, C / NH};
    check_shape(what, d.heads(), "qkv (B,T,3C) and NH: (B,NH,T,C/NH)", {{"q", &q}, {"k", &k}, {"v", &v}});
    check_f32_on(be, what, {{"qkv", &qkv}, {"q", &q}, {"k", &k}, {"v", &v}});
    if (bias) {
        check_shape(what, Shape{3 * C}, "one per column of qkv: (3C)", {{"bias", bias}});
        check_f32_on(be, what, {{"bias", bias}});
    }
    for (Named out : {Named{"q", &q}, Named{"k", &k}, Named{"v", &v}}) check_apart(what, out, {"qkv", &qkv});
    return d;
}

}  // namespace

void split_qkv(const Backend& be, Tensor& q, Tensor& k, Tensor& v, const Tensor& qkv, std::size_t NH) {
    const Dims d = check_split("split_qkv", be, q, k, v, qkv, nullptr, NH);
    if (be.device() == Device::cpu) {
        split_qkv_cpu(q.data(), k.data(), v.data(), qkv.data(), d.B, d.T, d.NH, d.hs);
    } else {
        LADDER_GPU_CALL(be.device(), split_qkv, be.version("split_qkv", heads_gpu_default), q.data(), k.data(),
                        v.data(), qkv.data(), d.B, d.T, d.NH, d.hs);
    }
}

void split_qkv_bias(const Backend& be, Tensor& q, Tensor& k, Tensor& v, const Tensor& qkv, const Tensor& bias,
                    std::size_t NH) {
    const Dims d = check_split("split_qkv_bias", be, q, k, v, qkv, &bias, NH);
    if (be.device() == Device::cpu) {
        split_qkv_bias_cpu(q.data(), k.data(), v.data(), qkv.data(), bias.data(), d.B, d.T, d.NH, d.hs);
    } else {
        LADDER_GPU_CALL(be.device(), split_qkv_bias, be.version("split_qkv_bias", heads_gpu_default), q.data(),
                        k.data(), v.data(), qkv.data(), bias.data(), d.B, d.T, d.NH, d.hs);
    }
}

void split_qkv_backward(const Backend& be, Tensor& dqkv, const Tensor& dq, const Tensor& dk, const Tensor& dv) {
    constexpr const char* what = "split_qkv_backward";
    const Dims d = heads_dims(what, "dq", dq);
    check_shape(what, d.heads(), "dq", {{"dk", &dk}, {"dv", &dv}});
    check_shape(what, d.rows(3), "dq (B,NH,T,hs): (B,T,3*NH*hs)", {{"dqkv", &dqkv}});
    check_f32_on(be, what, {{"dqkv", &dqkv}, {"dq", &dq}, {"dk", &dk}, {"dv", &dv}});
    for (Named inp : {Named{"dq", &dq}, Named{"dk", &dk}, Named{"dv", &dv}}) check_apart(what, {"dqkv", &dqkv}, inp);
    if (be.device() == Device::cpu) {
        split_qkv_backward_cpu(dqkv.data(), dq.data(), dk.data(), dv.data(), d.B, d.T, d.NH, d.hs);
    } else {
        LADDER_GPU_CALL(be.device(), split_qkv_backward, be.version("split_qkv_backward", heads_gpu_default),
                        dqkv.data(), dq.data(), dk.data(), dv.data(), d.B, d.T, d.NH, d.hs);
    }
}

void merge_heads(const Backend& be, Tensor& out, const Tensor& inp) {
    constexpr const char* what = "merge_heads";
    const Dims d = heads_dims(what, "inp", inp);
    check_shape(what, d.rows(1), "inp (B,NH,T,hs): (B,T,NH*hs)", {{"out", &out}});
    check_f32_on(be, what, {{"out", &out}, {"inp", &inp}});
    check_apart(what, {"out", &out}, {"inp", &inp});
    if (be.device() == Device::cpu) {
        merge_heads_cpu(out.data(), inp.data(), d.B, d.T, d.NH, d.hs);
    } else {
        LADDER_GPU_CALL(be.device(), merge_heads, be.version("merge_heads", heads_gpu_default), out.data(), inp.data(),
                        d.B, d.T, d.NH, d.hs);
    }
}

void merge_heads_backward(const Backend& be, Tensor& dinp, const Tensor& dout) {
    constexpr const char* what = "merge_heads_backward";
    const Dims d = heads_dims(what, "dinp", dinp);
    check_shape(what, d.rows(1), "dinp (B,NH,T,hs): (B,T,NH*hs)", {{"dout", &dout}});
    check_f32_on(be, what, {{"dinp", &dinp}, {"dout", &dout}});
    check_apart(what, {"dinp", &dinp}, {"dout", &dout});
    if (be.device() == Device::cpu) {
        merge_heads_backward_cpu(dinp.data(), dout.data(), d.B, d.T, d.NH, d.hs);
    } else {
        LADDER_GPU_CALL(be.device(), merge_heads_backward, be.version("merge_heads_backward", heads_gpu_default),
                        dinp.data(), dout.data(), d.B, d.T, d.NH, d.hs);
    }
}

}  // namespace ladder
