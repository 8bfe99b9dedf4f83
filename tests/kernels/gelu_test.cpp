// gelu_test.cpp: what is specific to GELU: the references on values known independently, the
// backward against a central difference of the double forward at chosen points, cpu beside simt
// on Tensors, and the Tensor API's checks. (Every GPU version on random values, the race check
// and the gradient check on random inputs: ops_test.cpp.)
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "core/backend.hpp"
#include "kernels/gelu/gelu.hpp"

using namespace ladder;

TEST_CASE("gelu references: known values", "[gelu][cpu]") {
    // GELU (tanh form) at 0, +-1 and +-3, as PyTorch's gelu(x, approximate='tanh') gives them in
    // float64: 0.5 x (1 + tanh(0.7978845608 (x + 0.044715 x^3))).
    const std::vector<double> x{0.0, 1.0, -1.0, 3.0, -3.0};
    const std::vector<double> want{0.0, 0.8411919906082768, -0.15880800939172324, 2.996362607918227,
                                   -0.0036373920817729943};
    std::vector<double> y(x.size());
    gelu_forward_cpu(y.data(), x.data(), x.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
        INFO("x = " << x[i]);
        CHECK(y[i] == Approx(want[i]).epsilon(1e-12).margin(1e-15));
    }
    // In float: t within 2 ulp (4u) plus a few roundings, and 1 + t cancels at x = -3 (t = -0.9976),
    // so the error is absolute: 0.5 |x| (4u + 2u) < 1e-6 at |x| <= 3 (gelu_op.cpp derives it).
    std::vector<float> xf(x.begin(), x.end()), yf(x.size());
    gelu_forward_cpu(yf.data(), xf.data(), xf.size());
    for (std::size_t i = 0; i < x.size(); ++i) CHECK(yf[i] == Approx(want[i]).epsilon(1e-6).margin(1e-6));
}

TEST_CASE("gelu backward: the slope of the forward, and it accumulates", "[gelu][cpu]") {
    // gelu'(0) = 0.5 exactly; elsewhere a central difference of the double forward (h = 1e-5:
    // truncation h^2 |gelu'''| / 6 < 1e-10, rounding 1e-16 / h = 1e-11).
    const std::vector<double> x{0.0, 0.5, -0.7, 2.0, -4.0};
    std::vector<double> d(x.size(), 1.0), ones(x.size(), 1.0);
    gelu_backward_cpu(d.data(), x.data(), ones.data(), x.size());   // d = 1 + gelu'(x)
    CHECK(d[0] == 1.5);
    for (std::size_t i = 1; i < x.size(); ++i) {
        const double h = 1e-5, xp = x[i] + h, xm = x[i] - h;
        double yp, ym;
        gelu_forward_cpu(&yp, &xp, 1);
        gelu_forward_cpu(&ym, &xm, 1);
        INFO("x = " << x[i]);
        CHECK(d[i] - 1 == Approx((yp - ym) / (2 * h)).margin(1e-9));
    }
}

TEST_CASE("gelu on Tensors: cpu and simt agree, shapes are checked", "[gelu][simt]") {
    const std::vector<float> xs{-6.0f, -1.5f, -0.25f, 0.0f, 0.75f, 4.0f};
    auto run = [&](Device dev) {
        const Backend be(dev);
        Tensor x = be.upload(xs, {2, 3}), y = be.empty({2, 3}), dx = be.zeros({2, 3});
        gelu_forward(be, y, x);
        gelu_backward(be, dx, x, x);   // dout = x: any values will do
        return std::pair{y.to_vector(), dx.to_vector()};
    };
    const auto [y_cpu, dx_cpu] = run(Device::cpu);
    const auto [y_simt, dx_simt] = run(Device::simt);
    // The CPU's tanh_fast and the emulator's tanhf (glibc) differ by at most 4 ulp of t; through
    // 0.5 x (1 + t) and the slope's terms that is a few 1e-7 of values below 6: 1e-5 absolute.
    for (std::size_t i = 0; i < xs.size(); ++i) {
        CHECK(y_simt[i] == Approx(y_cpu[i]).margin(1e-5));
        CHECK(dx_simt[i] == Approx(dx_cpu[i]).margin(1e-5));
    }
    const Backend cpu(Device::cpu);
    Tensor x = cpu.zeros({2, 3}), y = cpu.empty({3, 2});
    CHECK_THROWS_WITH(gelu_forward(cpu, y, x), Catch::Contains("gelu_forward: out (3, 2) and inp (2, 3)"));
}
