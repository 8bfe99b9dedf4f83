// layernorm_test.cpp: what is specific to layer normalisation: a worked example by hand, the
// properties its backward must have (the gradient of a normalised row is orthogonal to 1 and to
// n: shifting or scaling the row changes nothing), cpu beside simt on Tensors, and the Tensor
// API's errors. (Every GPU version on random values, the race check and the gradient check:
// ops_test.cpp.)
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "core/backend.hpp"
#include "core/rng.hpp"
#include "kernels/layernorm/layernorm.hpp"
#include "tests/kernels/versions.hpp"

using namespace ladder;

TEST_CASE("layernorm: a worked example", "[layernorm][cpu]") {
    // The row (1, 2, 3): mean 2, biased variance (1 + 0 + 1) / 3 = 2/3, so n = (-1, 0, 1) s with
    // s = 1 / sqrt(2/3 + eps); weight (1, 2, 3) and bias (0, 10, 0) give (-s, 10, 3 s).
    const std::vector<double> x{1, 2, 3}, w{1, 2, 3}, b{0, 10, 0};
    std::vector<double> y(3), mean(1), rstd(1);
    const double eps = 1e-5, s = 1 / std::sqrt(2.0 / 3 + eps);
    layernorm_forward_cpu(y.data(), mean.data(), rstd.data(), x.data(), w.data(), b.data(), 1, 3, eps);
    CHECK(mean[0] == Approx(2).epsilon(1e-15));
    CHECK(rstd[0] == Approx(s).epsilon(1e-14));
    CHECK(y[0] == Approx(-s).epsilon(1e-14));
    CHECK(y[1] == Approx(10).epsilon(1e-14));
    CHECK(y[2] == Approx(3 * s).epsilon(1e-14));
    // dout = (1, 0, 0): dweight += dout n = (-s, 0, 0), dbias += dout = (1, 0, 0); with a = dout w
    // = (1, 0, 0), mean(a) = 1/3 and mean(a n) = -s/3: dinp = s (a - 1/3 - n (-s/3)).
    const std::vector<double> dy{1, 0, 0};
    std::vector<double> dx(3, 0.0), dw(3, 0.0), db(3, 0.0);
    layernorm_backward_cpu(dx.data(), dw.data(), db.data(), dy.data(), x.data(), w.data(), mean.data(), rstd.data(), 1, 3);
    const double n[3] = {-s, 0, s};
    for (int c = 0; c < 3; ++c) {
        const double want = s * ((c == 0 ? 1.0 : 0.0) - 1.0 / 3 + n[c] * s / 3);
        CHECK(dx[c] == Approx(want).epsilon(1e-13));
    }
    CHECK(dw[0] == Approx(-s).epsilon(1e-14));
    CHECK(dw[1] == 0.0);
    CHECK(db[0] == 1.0);
    CHECK(db[2] == 0.0);
}

TEST_CASE("layernorm backward: a row's gradient is orthogonal to 1 and to n", "[layernorm][cpu]") {
    // out does not change when x shifts (x + a) and barely when it scales (eps aside), so
    // sum_c dinp_c = 0 and sum_c dinp_c n_c = 0 (up to eps's share, var / (var + eps)).
    const std::size_t R = 4, C = 50;
    Rng rng(5);
    std::vector<double> x(R * C), w(C), b(C), dy(R * C), y(R * C), mean(R), rstd(R);
    for (auto* v : {&x, &w, &b, &dy})
        for (double& e : *v) e = static_cast<double>(rng.normal());
    layernorm_forward_cpu(y.data(), mean.data(), rstd.data(), x.data(), w.data(), b.data(), R, C, 0.0);
    std::vector<double> dx(R * C, 0.0), dw(C, 0.0), db(C, 0.0);
    layernorm_backward_cpu(dx.data(), dw.data(), db.data(), dy.data(), x.data(), w.data(), mean.data(), rstd.data(), R, C);
    for (std::size_t r = 0; r < R; ++r) {
        double s1 = 0, sn = 0, scale = 0;
        for (std::size_t c = 0; c < C; ++c) {
            const double n = (x[r * C + c] - mean[r]) * rstd[r];
            s1 += dx[r * C + c];
            sn += dx[r * C + c] * n;
            scale += std::fabs(dx[r * C + c]) * (1 + std::fabs(n));
        }
        // In double, C = 50 terms of size `scale`: rounding leaves ~1e-15 of it.
        CHECK(std::fabs(s1) <= 1e-13 * scale);
        CHECK(std::fabs(sn) <= 1e-13 * scale);
    }
}

TEST_CASE("layernorm on Tensors: cpu and simt agree, shapes are checked", "[layernorm][simt]") {
    const std::size_t B = 2, T = 3, C = 40;
    Rng rng(9);
    std::vector<float> x(B * T * C), w(C), b(C), dy(B * T * C);
    for (auto* v : {&x, &w, &b, &dy}) rng.fill_normal(*v, 0.0f, 1.0f);
    auto run = [&](Device dev) {
        const Backend be(dev);
        Tensor xt = be.upload(x, {B, T, C}), wt = be.upload(w, {C}), bt = be.upload(b, {C}), gt = be.upload(dy, {B, T, C});
        Tensor y = be.empty({B, T, C}), mean = be.empty({B, T}), rstd = be.empty({B, T});
        Tensor dx = be.zeros({B, T, C}), dw = be.zeros({C}), db = be.zeros({C});
        layernorm_forward(be, y, mean, rstd, xt, wt, bt);
        layernorm_backward(be, dx, dw, db, gt, xt, wt, mean, rstd);
        return std::vector{y.to_vector(), dx.to_vector(), dw.to_vector(), db.to_vector()};
    };
    const auto cpu = run(Device::cpu), simt = run(Device::simt);
    // Values of order 1-10 from sums of 40 (per row) or 6 (per column) terms, in other orders on
    // the two sides: gamma_40 * 10 * a few < 1e-4 absolute (layernorm_op.cpp derives the exact bounds).
    for (std::size_t k = 0; k < cpu.size(); ++k)
        for (std::size_t i = 0; i < cpu[k].size(); ++i) CHECK(simt[k][i] == Approx(cpu[k][i]).margin(1e-4));
    const Backend be(Device::cpu);
    Tensor xt = be.zeros({2, 5}), y = be.empty({2, 5}), mean = be.empty({2}), rstd = be.empty({2});
    Tensor w4 = be.zeros({4}), b5 = be.zeros({5}), w5 = be.zeros({5});
    CHECK_THROWS_WITH(layernorm_forward(be, y, mean, rstd, xt, w4, b5),
                      Catch::Contains("weight has shape (4,) (4 values); expected 5 (one per column C)"));
    Tensor mean3 = be.empty({3});
    CHECK_THROWS_WITH(layernorm_forward(be, y, mean3, rstd, xt, w5, b5),
                      Catch::Contains("mean has shape (3,) (3 values); expected 2 (one per row)"));
    CHECK_THROWS_WITH(layernorm_forward(be, y, mean, rstd, xt, w5, b5, 0.0f), Catch::Contains("eps = 0 must be positive"));
}

TEST_CASE("residual_layernorm: in place, the same bits as the add then layernorm, on cpu and every GPU version",
          "[layernorm][simt]") {
    // The fusion changes where the sum lives, not its arithmetic: each side's fused op must give
    // exactly what the same side's add + layernorm gives (same additions, same reduction order),
    // with the sum written over a (as GPT-2's block does: m += x, then ln_2(m)).
    const std::size_t R = 5, C = 70;
    Rng rng(4);
    std::vector<float> a(R * C), b(R * C), w(C), bias(C);
    for (auto* v : {&a, &b, &w, &bias}) rng.fill_normal(*v, 0.0f, 1.0f);
    for (const testing::Run& r : testing::cpu_and_simt(residual_layernorm_gpu_versions)) {
        INFO(r.str());
        const Backend be = r.backend({"residual_layernorm"});
        const Tensor bt = be.upload(b, {R, C}), wt = be.upload(w, {C}), biast = be.upload(bias, {C});
        // Unfused: a + b into its own tensor, then layernorm.
        Tensor sum = be.empty({R, C}), y0 = be.empty({R, C}), m0 = be.empty({R}), s0 = be.empty({R});
        const std::vector<float> expected_sum = [&] {
            std::vector<float> s(R * C);
            for (std::size_t i = 0; i < s.size(); ++i) s[i] = a[i] + b[i];
            return s;
        }();
        sum = be.upload(expected_sum, {R, C});
        layernorm_forward(be, y0, m0, s0, sum, wt, biast);
        // Fused, in place over a.
        Tensor at = be.upload(a, {R, C}), y1 = be.empty({R, C}), m1 = be.empty({R}), s1 = be.empty({R});
        residual_layernorm_forward(be, at, y1, m1, s1, at, bt, wt, biast);
        CHECK(at.to_vector() == expected_sum);
        CHECK(y1.to_vector() == y0.to_vector());
        CHECK(m1.to_vector() == m0.to_vector());
        CHECK(s1.to_vector() == s0.to_vector());
    }
    const Backend cpu(Device::cpu);
    Tensor x = cpu.zeros({2, 5}), y = cpu.empty({2, 5}), mean = cpu.empty({2}), rstd = cpu.empty({2});
    CHECK_THROWS_WITH(residual_layernorm_forward(cpu, x, y, mean, rstd, x, cpu.zeros({2, 4}), cpu.zeros({5}),
                                                 cpu.zeros({5})),
                      Catch::Contains("residual_layernorm_forward: b has shape (2, 4); expected (2, 5) (inp's)"));
}
