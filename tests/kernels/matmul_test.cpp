// matmul_test.cpp: matmul's reference against plain double loops and the Tensor API's
// checks. GPU versions and CPU peers: the registry loop (ops_test.cpp).
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "core/backend.hpp"
#include "core/rng.hpp"
#include "kernels/matmul/matmul.hpp"
#include "tests/testing.hpp"

using namespace ladder;

namespace {
// C = alpha op(A) op(B) + beta C in long double, straight from the definition.
std::vector<double> naive(const std::vector<double>& a, const std::vector<double>& b, const std::vector<double>& c0,
                          const MatmulDims& d) {
    std::vector<double> c(d.M * d.N);
    for (std::size_t i = 0; i < d.M; ++i)
        for (std::size_t j = 0; j < d.N; ++j) {
            long double acc = 0;
            for (std::size_t k = 0; k < d.K; ++k)
                acc += static_cast<long double>(d.ta ? a[k * d.M + i] : a[i * d.K + k]) * (d.tb ? b[j * d.K + k] : b[k * d.N + j]);
            c[i * d.N + j] = static_cast<double>(d.alpha * acc + d.beta * c0[i * d.N + j]);
        }
    return c;
}
}  // namespace

TEST_CASE("matmul reference (double) matches the definition for every transpose form", "[matmul][cpu]") {
    Rng rng(7);
    for (int form = 0; form < 4; ++form) {
        MatmulDims d{.M = 9, .N = 13, .K = 17, .ta = (form & 1) != 0, .tb = (form & 2) != 0, .alpha = 0.5f, .beta = 1.0f};
        std::vector<double> a(d.M * d.K), b(d.K * d.N), c(d.M * d.N);
        for (auto* v : {&a, &b, &c})
            for (double& x : *v) x = rng.normal();
        const auto expected = naive(a, b, c, d);
        matmul_cpu(c.data(), a.data(), b.data(), d);
        for (std::size_t i = 0; i < c.size(); ++i) {
            INFO("form " << form << " index " << i);
            // double dgemm vs long double: 17 products of O(1) values, error ~ 17 * 2^-53.
            REQUIRE(c[i] == Approx(expected[i]).margin(1e-12));
        }
    }
}

TEST_CASE("matmul on Tensors checks shapes and devices", "[matmul][cpu]") {
    const Backend cpu(Device::cpu);
    Tensor a = cpu.zeros({3, 4}), b = cpu.zeros({5, 6}), c = cpu.zeros({3, 6});
    REQUIRE_THROWS_WITH(matmul(cpu, c, a, b), Catch::Contains("inner dimensions differ"));
    Tensor b_ok = cpu.zeros({4, 6}), c_bad = cpu.zeros({6, 3});
    REQUIRE_THROWS_WITH(matmul(cpu, c_bad, a, b_ok), Catch::Contains("c is (6, 3)"));
    const Backend simt(Device::simt);
    Tensor a_simt = simt.zeros({3, 4});
    REQUIRE_THROWS_WITH(matmul(cpu, c, a_simt, b_ok), Catch::Contains("the backend is cpu"));
}

TEST_CASE("matmul on Tensors gives the same answer on cpu and simt", "[matmul][simt]") {
    Rng rng(3);
    std::vector<float> av(37 * 29), bv(29 * 41);
    rng.fill_normal(av, 0, 1);
    rng.fill_normal(bv, 0, 1);
    auto run = [&](Device d) {
        const Backend be(d);
        Tensor a = be.upload(av, {37, 29}), b = be.upload(bv, {29, 41}), c = be.empty({37, 41});
        matmul(be, c, a, b);
        return c.to_vector();
    };
    const auto on_cpu = run(Device::cpu), on_simt = run(Device::simt);
    for (std::size_t i = 0; i < on_cpu.size(); ++i) {
        // 29 products of N(0,1) values: |sum| of |products| < ~60, error < 2 * 29 u * 60.
        REQUIRE(on_simt[i] == Approx(on_cpu[i]).margin(2 * 29 * 0x1.0p-24 * 60));
    }
}
