// linear_test.cpp: what is specific to the linear layer: a worked example on cpu and simt,
// rank-3 inputs and views, the nullptr bias / dinp / dbias paths, and the Tensor API's shape
// errors. (GPU versions, CPU peers and the gradient check: the registry loop, ops_test.cpp.)
#include <catch2/catch.hpp>

#include <algorithm>
#include <vector>

#include "core/backend.hpp"
#include "core/rng.hpp"
#include "kernels/linear/linear.hpp"

using namespace ladder;

namespace {

// The worked example, small integers (every sum exact in fp32, so every device gives these bits):
//   inp (2,3) = [[1, 2, 3], [4, 5, 6]], weight (2,3) = [[1, 0, -1], [2, 1, 0]], bias = [0.5, -1]
//   out = inp weight^T + bias = [[1 - 3 + 0.5, 2 + 2 - 1], [4 - 6 + 0.5, 8 + 5 - 1]] = [[-1.5, 3], [-1.5, 12]]
// Backward with dout = [[1, 2], [-1, 3]], every gradient starting at 1 (they accumulate):
//   dinp = 1 + dout weight: row 0 = 1*[1, 0, -1] + 2*[2, 1, 0] = [5, 2, -1], row 1 = -[1, 0, -1] + 3*[2, 1, 0] = [5, 3, 1]
//   dweight = 1 + dout^T inp: row 0 = [1, 2, 3] - [4, 5, 6] = [-3, -3, -3], row 1 = 2*[1, 2, 3] + 3*[4, 5, 6] = [14, 19, 24]
//   dbias = 1 + column sums of dout = 1 + [0, 5]
const std::vector<float> kInp{1, 2, 3, 4, 5, 6}, kWeight{1, 0, -1, 2, 1, 0}, kBias{0.5f, -1}, kDout{1, 2, -1, 3};
const std::vector<float> kOut{-1.5f, 3, -1.5f, 12}, kOutNoBias{-2, 4, -2, 13};
const std::vector<float> kDinp{6, 3, 0, 6, 4, 2}, kDweight{-2, -2, -2, 15, 20, 25}, kDbias{1, 6};

std::vector<float> normals(Rng& rng, std::size_t n) {
    std::vector<float> v(n);
    for (float& x : v) x = static_cast<float>(rng.normal());
    return v;
}

}  // namespace

TEST_CASE("linear on Tensors: a worked example of forward and backward on cpu and simt", "[linear][simt]") {
    for (Device d : {Device::cpu, Device::simt}) {
        INFO("device " << device_name(d));
        const Backend be(d);
        const Tensor inp = be.upload(kInp, {2, 3}), weight = be.upload(kWeight, {2, 3}), bias = be.upload(kBias, {2});
        const Tensor dout = be.upload(kDout, {2, 2});
        Tensor out = be.empty({2, 2});
        out.fill_nan();
        linear_forward(be, out, inp, weight, &bias);
        CHECK(out.to_vector() == kOut);
        linear_forward(be, out, inp, weight, nullptr);
        CHECK(out.to_vector() == kOutNoBias);

        Tensor dinp = be.zeros({2, 3}), dweight = be.zeros({2, 3}), dbias = be.zeros({2});
        for (Tensor* g : {&dinp, &dweight, &dbias}) g->fill(1.0f);
        linear_backward(be, &dinp, dweight, &dbias, dout, inp, weight);
        CHECK(dinp.to_vector() == kDinp);
        CHECK(dweight.to_vector() == kDweight);
        CHECK(dbias.to_vector() == kDbias);
        // A second call adds the same gradients again: they accumulate, nothing is overwritten.
        linear_backward(be, &dinp, dweight, &dbias, dout, inp, weight);
        CHECK(dinp.to_vector() == std::vector<float>{11, 5, -1, 11, 7, 3});
        CHECK(dbias.to_vector() == std::vector<float>{1, 11});
    }
}

TEST_CASE("linear: nullptr dinp and dbias are skipped while the others accumulate", "[linear][simt]") {
    for (Device d : {Device::cpu, Device::simt}) {
        INFO("device " << device_name(d));
        const Backend be(d);
        const Tensor inp = be.upload(kInp, {2, 3}), weight = be.upload(kWeight, {2, 3}), dout = be.upload(kDout, {2, 2});
        Tensor dinp = be.zeros({2, 3}), dweight = be.zeros({2, 3}), dbias = be.zeros({2});
        for (Tensor* g : {&dinp, &dweight, &dbias}) g->fill(1.0f);
        linear_backward(be, nullptr, dweight, &dbias, dout, inp, weight);
        CHECK(dweight.to_vector() == kDweight);
        CHECK(dbias.to_vector() == kDbias);
        linear_backward(be, &dinp, dweight, nullptr, dout, inp, weight);
        CHECK(dinp.to_vector() == kDinp);
        CHECK(dbias.to_vector() == kDbias);   // untouched by the second call
        linear_backward(be, nullptr, dweight, nullptr, dout, inp, weight);
        // dweight took part in all three calls: 1 + 3 dout^T inp = 1 + 3 [[-3, -3, -3], [14, 19, 24]].
        CHECK(dweight.to_vector() == std::vector<float>{-8, -8, -8, 43, 58, 73});
    }
}

TEST_CASE("linear: rank-3 inputs and views flatten their leading dims into rows", "[linear][simt]") {
    // (B,T,C) = (2,3,5) -> (B,T,OC) = (2,3,4), against the same values as a (6,5) matrix on
    // the same device: the same rows through the same code, so the same bits.
    const std::size_t B = 2, T = 3, C = 5, OC = 4;
    Rng rng(13);
    const auto x = normals(rng, B * T * C), w = normals(rng, OC * C), b = normals(rng, OC), dy = normals(rng, B * T * OC);
    for (Device d : {Device::cpu, Device::simt}) {
        INFO("device " << device_name(d));
        const Backend be(d);
        // weight and bias as views into one parameter buffer (how models hold them), offset 3.
        std::vector<float> params(3 + OC * C + OC, -7.0f);
        std::copy(w.begin(), w.end(), params.begin() + 3);
        std::copy(b.begin(), b.end(), params.begin() + 3 + OC * C);
        const Tensor buf = be.upload(params, {params.size()});
        const Tensor weight = buf.view({OC, C}, 3), bias = buf.view({OC}, 3 + OC * C);

        const Tensor inp3 = be.upload(x, {B, T, C}), inp2 = be.upload(x, {B * T, C});
        Tensor out3 = be.empty({B, T, OC}), out2 = be.empty({B * T, OC});
        linear_forward(be, out3, inp3, weight, &bias);
        linear_forward(be, out2, inp2, weight, &bias);
        CHECK(out3.to_vector() == out2.to_vector());

        const Tensor dout3 = be.upload(dy, {B, T, OC}), dout2 = be.upload(dy, {B * T, OC});
        Tensor dinp3 = be.zeros({B, T, C}), dinp2 = be.zeros({B * T, C});
        Tensor dw3 = be.zeros({OC, C}), dw2 = be.zeros({OC, C}), db3 = be.zeros({OC}), db2 = be.zeros({OC});
        linear_backward(be, &dinp3, dw3, &db3, dout3, inp3, weight);
        linear_backward(be, &dinp2, dw2, &db2, dout2, inp2, weight);
        CHECK(dinp3.to_vector() == dinp2.to_vector());
        CHECK(dw3.to_vector() == dw2.to_vector());
        CHECK(db3.to_vector() == db2.to_vector());
        // A nonzero result, so that the equalities above could fail.
        CHECK(db2.to_vector() != std::vector<float>(OC, 0.0f));
    }
}

TEST_CASE("linear: shape, dtype, device and version errors name the tensors", "[linear]") {
    const Backend cpu(Device::cpu);
    const Tensor inp = cpu.zeros({2, 3}), weight = cpu.zeros({4, 3}), bias = cpu.zeros({4});
    Tensor out = cpu.zeros({2, 4});
    const Tensor weight_bad = cpu.zeros({4, 5}), bias_bad = cpu.zeros({3}), vec = cpu.zeros({3});
    Tensor out_bad = cpu.zeros({2, 5}), out_rows = cpu.zeros({3, 4});
    CHECK_THROWS_WITH(linear_forward(cpu, out, inp, weight_bad, &bias),
                      Catch::Contains("linear_forward: weight's C (5) differs from inp's last dim (3)") &&
                          Catch::Contains("inp (2, 3), weight (4, 5), bias (4,), out (2, 4)"));
    CHECK_THROWS_WITH(linear_forward(cpu, out, inp, weight, &bias_bad),
                      Catch::Contains("linear_forward: bias must be (OC) = (4)") && Catch::Contains("bias (3,)"));
    CHECK_THROWS_WITH(linear_forward(cpu, out_bad, inp, weight, &bias),
                      Catch::Contains("linear_forward: out must be inp's leading dims then OC = 4") &&
                          Catch::Contains("out (2, 5)"));
    CHECK_THROWS_WITH(linear_forward(cpu, out_rows, inp, weight, nullptr),
                      Catch::Contains("out must be inp's leading dims") && Catch::Contains("out (3, 4)"));
    CHECK_THROWS_WITH(linear_forward(cpu, out, vec, weight, nullptr),
                      Catch::Contains("linear_forward: inp must have rank >= 2 (rows, C), got (3,)"));
    const Tensor ids = cpu.zeros({2, 3}, DType::i32);
    CHECK_THROWS_WITH(linear_forward(cpu, out, ids, weight, nullptr),
                      Catch::Contains("linear_forward: inp is i32, must be float32"));

    const Tensor dout = cpu.zeros({2, 4});
    Tensor dinp = cpu.zeros({2, 3}), dweight = cpu.zeros({4, 3}), dbias = cpu.zeros({4});
    Tensor dweight_bad = cpu.zeros({3, 4}), dinp_bad = cpu.zeros({3, 2}), dbias_bad = cpu.zeros({5});
    CHECK_THROWS_WITH(linear_backward(cpu, &dinp, dweight_bad, &dbias, dout, inp, weight),
                      Catch::Contains("linear_backward: dweight must have weight's shape") &&
                          Catch::Contains("dweight (3, 4)") && Catch::Contains("weight (4, 3)"));
    CHECK_THROWS_WITH(linear_backward(cpu, &dinp_bad, dweight, &dbias, dout, inp, weight),
                      Catch::Contains("linear_backward: dinp must have inp's shape") && Catch::Contains("dinp (3, 2)"));
    CHECK_THROWS_WITH(linear_backward(cpu, &dinp, dweight, &dbias_bad, dout, inp, weight),
                      Catch::Contains("linear_backward: dbias must be (OC) = (4)"));
    CHECK_THROWS_WITH(linear_backward(cpu, &dinp, dweight, &dbias, out_bad, inp, weight),
                      Catch::Contains("linear_backward: dout must be inp's leading dims then OC = 4") &&
                          Catch::Contains("dout (2, 5)"));

    const Backend simt(Device::simt);
    CHECK_THROWS_WITH(linear_forward(simt, out, inp, weight, &bias),
                      Catch::Contains("linear_forward: inp is on cpu but the backend is simt"));
    CHECK_THROWS_WITH(simt::linear_forward(3, nullptr, nullptr, nullptr, nullptr, 1, 1, 1),
                      Catch::Contains("linear_forward: no GPU version v3 (there are v1..v2)"));
    CHECK_THROWS_WITH(simt::linear_backward(0, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, 1, 1, 1),
                      Catch::Contains("linear_backward: no GPU version v0"));
}
