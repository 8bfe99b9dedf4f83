// linear.cpp: the Tensor-level linear layer, forward and backward: checks shapes, dtypes and
// devices (the leading dims of inp/out/dout/dinp flatten to N), then dispatches. Introduced in ch05.
#include "kernels/linear/linear.hpp"

#include <initializer_list>
#include <string>
#include <utility>

#include "core/error.hpp"
#include "core/gpu_dispatch.hpp"

namespace ladder {

namespace {

using Named = std::pair<const char*, const Tensor*>;   // {"inp", &inp}; a null tensor is left out

// "inp (2, 3), weight (4, 3), bias (4), out (2, 4)": every tensor of the call, for the messages.
std::string shapes_of(std::initializer_list<Named> all) {
    std::string s;
    for (const auto& [name, t] : all) {
        if (t == nullptr) continue;
        if (!s.empty()) s += ", ";
        s += std::string(name) + " " + t->shape().str();
    }
    return s;
}

void check_dtype_device(const Backend& be, const char* op, std::initializer_list<Named> all) {
    for (const auto& [name, t] : all) {
        if (t == nullptr) continue;
        LADDER_CHECK(t->dtype() == DType::f32, "{}: {} is {}, must be float32", op, name, dtype_name(t->dtype()));
        LADDER_CHECK(t->device() == be.device(), "{}: {} is on {} but the backend is {}", op, name,
                     device_name(t->device()), be.name());
    }
}

// True when a and b have the same rank and the same dims but the last.
bool same_leading(const Tensor& a, const Tensor& b) {
    if (a.rank() != b.rank()) return false;
    for (int i = 0; i + 1 < a.rank(); ++i)
        if (a.dim(i) != b.dim(i)) return false;
    return true;
}

// The sizes of one call: rows (N, the product of inp's leading dims), C and OC.
struct Dims {
    std::size_t N, C, OC;
};

// inp (...,C), weight (OC,C), bias (OC) (or dbias), y (...,OC) where y is out or dout.
Dims check_shapes(const char* op, const Tensor& inp, const Tensor& weight, const char* bias_name, const Tensor* bias,
                  const char* y_name, const Tensor& y, std::initializer_list<Named> all) {
    const std::string shapes = shapes_of(all);
    const char* expected = "expected inp (...,C), weight (OC,C), bias (OC)";
    LADDER_CHECK(inp.rank() >= 2, "{}: inp must have rank >= 2 (rows, C), got {}; {}", op, inp.shape().str(), shapes);
    LADDER_CHECK(weight.rank() == 2, "{}: weight must be a matrix (OC,C), got {}; {}", op, weight.shape().str(), shapes);
    const std::size_t C = inp.dim(-1), OC = weight.dim(0);
    LADDER_CHECK(weight.dim(1) == C, "{}: weight's C ({}) differs from inp's last dim ({}): {}; {}", op, weight.dim(1), C,
                 shapes, expected);
    LADDER_CHECK(bias == nullptr || (bias->rank() == 1 && bias->dim(0) == OC),
                 "{}: {} must be (OC) = ({}): {}; {}", op, bias_name, OC, shapes, expected);
    LADDER_CHECK(same_leading(y, inp) && y.dim(-1) == OC, "{}: {} must be inp's leading dims then OC = {}: {}", op,
                 y_name, OC, shapes);
    LADDER_CHECK(C > 0, "{}: C is 0: {}", op, shapes);
    return Dims{inp.numel() / C, C, OC};
}

}  // namespace

void linear_forward(const Backend& be, Tensor& out, const Tensor& inp, const Tensor& weight, const Tensor* bias) {
    const auto all = {Named{"inp", &inp}, Named{"weight", &weight}, Named{"bias", bias}, Named{"out", &out}};
    const Dims d = check_shapes("linear_forward", inp, weight, "bias", bias, "out", out, all);
    check_dtype_device(be, "linear_forward", all);
    const float* b = bias ? bias->data() : nullptr;
    if (be.device() == Device::cpu) {
        linear_forward_cpu(out.data(), inp.data(), weight.data(), b, d.N, d.C, d.OC);
    } else {
        LADDER_GPU_CALL(be.device(), linear_forward, be.version("linear", linear_forward_gpu_default), out.data(),
                        inp.data(), weight.data(), b, d.N, d.C, d.OC);
    }
}

void linear_backward(const Backend& be, Tensor* dinp, Tensor& dweight, Tensor* dbias, const Tensor& dout,
                     const Tensor& inp, const Tensor& weight) {
    const auto all = {Named{"dinp", dinp},   Named{"dweight", &dweight}, Named{"dbias", dbias},
                      Named{"dout", &dout},  Named{"inp", &inp},         Named{"weight", &weight}};
    const char* op = "linear_backward";
    const Dims d = check_shapes(op, inp, weight, "dbias", dbias, "dout", dout, all);
    LADDER_CHECK(dweight.shape() == weight.shape(), "{}: dweight must have weight's shape: {}", op, shapes_of(all));
    LADDER_CHECK(dinp == nullptr || dinp->shape() == inp.shape(), "{}: dinp must have inp's shape: {}", op,
                 shapes_of(all));
    check_dtype_device(be, op, all);
    float* dx = dinp ? dinp->data() : nullptr;
    float* db = dbias ? dbias->data() : nullptr;
    if (be.device() == Device::cpu) {
        linear_backward_cpu(dx, dweight.data(), db, dout.data(), inp.data(), weight.data(), d.N, d.C, d.OC);
    } else {
        LADDER_GPU_CALL(be.device(), linear_backward, be.version("linear_backward", linear_backward_gpu_default), dx,
                        dweight.data(), db, dout.data(), inp.data(), weight.data(), d.N, d.C, d.OC);
    }
}

}  // namespace ladder
