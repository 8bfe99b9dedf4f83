// tanh_test.cpp: what is specific to tanh: the references on a worked example and the
// Tensor API's checks. (GPU versions and the gradient check: the registry loop, ops_test.cpp.)
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "core/backend.hpp"
#include "kernels/tanh/tanh.hpp"

using namespace ladder;

TEST_CASE("tanh references: a worked example", "[tanh][cpu]") {
    // tanh(ln 2) = (2 - 1/2) / (2 + 1/2) = 3/5; tanh(0) = 0; tanh is odd.
    const std::vector<double> x{std::log(2.0), 0.0, -std::log(2.0)};
    std::vector<double> y(3), dx{1, 1, 1};
    tanh_forward_cpu(y.data(), x.data(), 3);
    CHECK(y[0] == Approx(0.6).epsilon(1e-15));
    CHECK(y[1] == 0.0);
    CHECK(y[2] == Approx(-0.6).epsilon(1e-15));
    // dinp += (1 - y^2) dout with dout = (2, 3, -1): 1 + 2 * 0.64, 1 + 3, 1 - 0.64.
    const std::vector<double> dy{2, 3, -1};
    tanh_backward_cpu(dx.data(), y.data(), dy.data(), 3);
    CHECK(dx[0] == Approx(1 + 2 * 0.64).epsilon(1e-15));
    CHECK(dx[1] == 4.0);
    CHECK(dx[2] == Approx(1 - 0.64).epsilon(1e-15));
}

TEST_CASE("tanh on Tensors: cpu and simt agree, shapes are checked", "[tanh][simt]") {
    const std::vector<float> xs{-3.0f, -0.5f, 0.0f, 0.25f, 2.0f, 10.0f};
    auto run = [&](Device d) {
        const Backend be(d);
        Tensor x = be.upload(xs, {2, 3}), y = be.empty({2, 3}), dx = be.zeros({2, 3});
        tanh_forward(be, y, x);
        tanh_backward(be, dx, y, x);   // dout = x, any values will do
        return std::pair{y.to_vector(), dx.to_vector()};
    };
    const auto [y_cpu, dx_cpu] = run(Device::cpu);
    const auto [y_simt, dx_simt] = run(Device::simt);
    // The emulator calls the same tanhf and does the same roundings: identical bits.
    CHECK(y_simt == y_cpu);
    CHECK(dx_simt == dx_cpu);
    const Backend cpu(Device::cpu);
    Tensor x = cpu.zeros({2, 3}), y = cpu.empty({3, 2});
    CHECK_THROWS_WITH(tanh_forward(cpu, y, x), Catch::Contains("tanh_forward: shapes differ"));
}
