// spmm_test.cpp: the spmm reference against a dense product in double, and the Tensor
// API's checks. GPU versions (both forms) and the CPU peer: the registry loop (ops_test.cpp).
#include <catch2/catch.hpp>

#include "core/backend.hpp"
#include "core/rng.hpp"
#include "kernels/spmm/spmm.hpp"
#include "tests/testing.hpp"

using namespace ladder;

TEST_CASE("spmm reference (double) equals the dense product, in both forms", "[spmm][cpu]") {
    // A (3,4) = [[0 2 0 1], [0 0 0 0], [5 0 -1 0]] in CSR.
    const std::int32_t row_ptr[] = {0, 2, 2, 4}, col[] = {1, 3, 0, 2};
    const double val[] = {2, 1, 5, -1};
    const double dense[3][4] = {{0, 2, 0, 1}, {0, 0, 0, 0}, {5, 0, -1, 0}};
    Rng rng(5);
    std::vector<double> b(4 * 2), bt(3 * 2);
    for (double& x : b) x = rng.normal();
    for (double& x : bt) x = rng.normal();
    std::vector<double> c(3 * 2, 1.0), ct(4 * 2, 1.0);
    spmm_cpu(c.data(), row_ptr, col, val, b.data(), SpmmDims{.R = 3, .K = 4, .N = 2, .alpha = 2, .beta = 1});
    spmm_cpu(ct.data(), row_ptr, col, val, bt.data(), SpmmDims{.R = 3, .K = 4, .N = 2, .ta = true, .alpha = -1});
    for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 2; ++j) {
            double e = 0;
            for (int k = 0; k < 4; ++k) e += dense[i][k] * b[k * 2 + j];
            REQUIRE(c[i * 2 + j] == Approx(2 * e + 1).margin(1e-14));
        }
    for (int k = 0; k < 4; ++k)
        for (int j = 0; j < 2; ++j) {
            double e = 0;
            for (int i = 0; i < 3; ++i) e += dense[i][k] * bt[i * 2 + j];
            REQUIRE(ct[k * 2 + j] == Approx(1 - e).margin(1e-14));
        }
}

TEST_CASE("spmm on Tensors checks shapes and the transposed form's beta", "[spmm][cpu]") {
    const Backend cpu(Device::cpu);
    const std::int32_t rp[] = {0, 1, 2}, cl[] = {0, 2};
    Tensor row_ptr = cpu.upload(std::span<const std::int32_t>(rp), {3}), col = cpu.upload(std::span<const std::int32_t>(cl), {2});
    Tensor val = cpu.zeros({2}), b = cpu.zeros({3, 4}), c = cpu.zeros({2, 4});
    spmm(cpu, c, row_ptr, col, val, 3, b);   // (2,3) x (3,4): fine
    Tensor b_bad = cpu.zeros({5, 4});
    REQUIRE_THROWS_WITH(spmm(cpu, c, row_ptr, col, val, 3, b_bad), Catch::Contains("b is (5, 4)"));
    Tensor ct = cpu.zeros({3, 4}), bt = cpu.zeros({2, 4});
    REQUIRE_THROWS_WITH(spmm(cpu, ct, row_ptr, col, val, 3, bt, true, 1.0f, 0.0f), Catch::Contains("always accumulates"));
}
