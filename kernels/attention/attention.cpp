// attention.cpp: the Tensor-level attention, naive and fused: checks shapes, dtypes and
// devices, then runs the CPU reference or the backend's GPU version. Introduced in ch06.
#include <vector>

#include "core/error.hpp"
#include "core/gpu_dispatch.hpp"
#include "kernels/attention/attention.hpp"
#include "kernels/tensor_checks.hpp"

namespace ladder {

namespace {

// The sizes of an attention call, read from q: (..., T, hs), the leading dims (B, NH) flattened.
struct Dims {
    Shape lead;   // q's leading dims
    std::size_t BH = 1, T = 0, hs = 0;

    Shape with(std::initializer_list<std::size_t> last) const {
        std::vector<std::size_t> d(lead.dims().begin(), lead.dims().end());
        d.insert(d.end(), last);
        return Shape(std::span<const std::size_t>(d));
    }
    Shape rows() const { return with({T, hs}); }
    Shape square() const { return with({T, T}); }
    Shape per_query() const { return with({T}); }
};

Dims dims_of(const char* what, const Tensor& q) {
    LADDER_CHECK(q.rank() == 3 || q.rank() == 4, "{}: q has shape {}; it must be (B,NH,T,hs) or (BH,T,hs)", what,
                 q.shape().str());
    Dims d;
    for (int i = 0; i + 2 < q.rank(); ++i) {
        d.lead = d.with({q.dim(i)});
        d.BH *= q.dim(i);
    }
    d.T = q.dim(q.rank() - 2);
    d.hs = q.dim(q.rank() - 1);
    LADDER_CHECK(d.T > 0 && d.hs > 0, "{}: q has shape {}; T and hs must be at least 1", what, q.shape().str());
    return d;
}

void check_gpu_head_size(const Backend& be, const char* what, const Dims& d) {
    LADDER_CHECK(be.device() == Device::cpu || d.hs <= attention_max_head_size,
                 "{}: head size {} is larger than the GPU kernels' {} (a row lives in registers)", what, d.hs,
                 attention_max_head_size);
}

}  // namespace

void attention_forward(const Backend& be, Tensor& out, Tensor& att, const Tensor& q, const Tensor& k, const Tensor& v,
                       float scale) {
    constexpr const char* what = "attention_forward";
    const Dims d = dims_of(what, q);
    check_shape(what, d.rows(), "q", {{"k", &k}, {"v", &v}, {"out", &out}});
    check_shape(what, d.square(), "q (..., T, hs): (..., T, T)", {{"att", &att}});
    check_f32_on(be, what, {{"q", &q}, {"k", &k}, {"v", &v}, {"out", &out}, {"att", &att}});
    if (be.device() == Device::cpu) {
        attention_forward_cpu(out.data(), att.data(), q.data(), k.data(), v.data(), d.BH, d.T, d.hs, scale);
    } else {
        LADDER_GPU_CALL(be.device(), attention_forward, be.version("attention", attention_forward_gpu_default),
                        out.data(), att.data(), q.data(), k.data(), v.data(), d.BH, d.T, d.hs, scale);
    }
}

void attention_backward(const Backend& be, Tensor& dq, Tensor& dk, Tensor& dv, Tensor& dpreatt, const Tensor& dout,
                        const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& att, float scale) {
    constexpr const char* what = "attention_backward";
    const Dims d = dims_of(what, q);
    check_shape(what, d.rows(), "q", {{"k", &k}, {"v", &v}, {"dout", &dout}, {"dq", &dq}, {"dk", &dk}, {"dv", &dv}});
    check_shape(what, d.square(), "q (..., T, hs): (..., T, T)", {{"att", &att}, {"dpreatt", &dpreatt}});
    check_f32_on(be, what,
                 {{"q", &q}, {"k", &k}, {"v", &v}, {"att", &att}, {"dout", &dout}, {"dq", &dq}, {"dk", &dk},
                  {"dv", &dv}, {"dpreatt", &dpreatt}});
    if (be.device() == Device::cpu) {
        attention_backward_cpu(dq.data(), dk.data(), dv.data(), dpreatt.data(), dout.data(), q.data(), k.data(),
                               v.data(), att.data(), d.BH, d.T, d.hs, scale);
    } else {
        LADDER_GPU_CALL(be.device(), attention_backward,
                        be.version("attention_backward", attention_backward_gpu_default), dq.data(), dk.data(),
                        dv.data(), dpreatt.data(), dout.data(), q.data(), k.data(), v.data(), att.data(), d.BH, d.T,
                        d.hs, scale);
    }
}

void attention_fused_forward(const Backend& be, Tensor& out, Tensor& lse, const Tensor& q, const Tensor& k,
                             const Tensor& v, float scale) {
    constexpr const char* what = "attention_fused_forward";
    const Dims d = dims_of(what, q);
    check_shape(what, d.rows(), "q", {{"k", &k}, {"v", &v}, {"out", &out}});
    check_shape(what, d.per_query(), "q (..., T, hs): (..., T)", {{"lse", &lse}});
    check_f32_on(be, what, {{"q", &q}, {"k", &k}, {"v", &v}, {"out", &out}, {"lse", &lse}});
    check_gpu_head_size(be, what, d);
    if (be.device() == Device::cpu) {
        attention_fused_forward_cpu(out.data(), lse.data(), q.data(), k.data(), v.data(), d.BH, d.T, d.hs, scale);
    } else {
        LADDER_GPU_CALL(be.device(), attention_fused_forward,
                        be.version("attention_fused", attention_fused_forward_gpu_default), out.data(), lse.data(),
                        q.data(), k.data(), v.data(), d.BH, d.T, d.hs, scale);
    }
}

void attention_fused_backward(const Backend& be, Tensor& dq, Tensor& dk, Tensor& dv, const Tensor& dout,
                              const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& out, const Tensor& lse,
                              float scale) {
    constexpr const char* what = "attention_fused_backward";
    const Dims d = dims_of(what, q);
    check_shape(what, d.rows(), "q",
                {{"k", &k}, {"v", &v}, {"out", &out}, {"dout", &dout}, {"dq", &dq}, {"dk", &dk}, {"dv", &dv}});
    check_shape(what, d.per_query(), "q (..., T, hs): (..., T)", {{"lse", &lse}});
    check_f32_on(be, what,
                 {{"q", &q}, {"k", &k}, {"v", &v}, {"out", &out}, {"lse", &lse}, {"dout", &dout}, {"dq", &dq},
                  {"dk", &dk}, {"dv", &dv}});
    check_gpu_head_size(be, what, d);
    if (be.device() == Device::cpu) {
        attention_fused_backward_cpu(dq.data(), dk.data(), dv.data(), dout.data(), q.data(), k.data(), v.data(),
                                     out.data(), lse.data(), d.BH, d.T, d.hs, scale);
    } else {
        LADDER_GPU_CALL(be.device(), attention_fused_backward,
                        be.version("attention_fused_backward", attention_fused_backward_gpu_default), dq.data(),
                        dk.data(), dv.data(), dout.data(), q.data(), k.data(), v.data(), out.data(), lse.data(), d.BH,
                        d.T, d.hs, scale);
    }
}

}  // namespace ladder
