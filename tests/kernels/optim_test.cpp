// optim_test.cpp: what is specific to sgd, adamw and global_norm: the references on worked
// examples computed by hand, the Tensor API's checks, and that the registry's tolerances catch
// a subtle bug. (GPU versions on simt and cuda: the registry loop, ops_test.cpp.) ch05.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "core/backend.hpp"
#include "kernels/adamw/adamw.hpp"
#include "kernels/global_norm/global_norm.hpp"
#include "kernels/harness.hpp"
#include "kernels/registry.hpp"
#include "kernels/sgd/sgd.hpp"

using namespace ladder;

TEST_CASE("sgd reference: a worked example", "[sgd][cpu]") {
    // lr 0.1, momentum 0.9, wd 0.1, grad_scale 0.5, p = (1, -2), buf = (0.5, 0), G = (2, 4):
    //   g   = G/2 + 0.1 p        = (1.1, 1.8)
    //   buf = 0.9 buf + g        = (1.55, 1.8)
    //   p   = p - 0.1 buf        = (0.845, -2.18)
    std::vector<double> p{1, -2}, buf{0.5, 0};
    const std::vector<double> grads{2, 4};
    sgd_update_cpu(p.data(), buf.data(), grads.data(), 2, SgdConfig{0.1f, 0.9f, 0.1f}, 0.5f);
    // The float config is promoted: 0.1f = 0.1 (1 + 1.5e-8), 0.9f = 0.9 (1 - 1.7e-8); those
    // relative changes, a few times over, stay below 1e-7.
    CHECK(buf[0] == Approx(1.55).epsilon(1e-7));
    CHECK(buf[1] == Approx(1.8).epsilon(1e-7));
    CHECK(p[0] == Approx(0.845).epsilon(1e-7));
    CHECK(p[1] == Approx(-2.18).epsilon(1e-7));
}

TEST_CASE("sgd with momentum 0 is plain gradient descent", "[sgd][cpu]") {
    // p - lr g exactly: buf = 0 * buf + g = g (one rounding of g s, none else), p - lr buf.
    std::vector<float> p{1.5f, -0.25f, 3.0f}, buf{7.0f, -1.0f, 0.0f};
    const std::vector<float> grads{0.5f, 2.0f, -1.0f};
    const std::vector<float> p0 = p;
    sgd_update_cpu(p.data(), buf.data(), grads.data(), 3, SgdConfig{0.25f, 0.0f, 0.0f}, 1.0f);
    for (std::size_t i = 0; i < 3; ++i) {
        CHECK(buf[i] == grads[i]);
        CHECK(p[i] == p0[i] - 0.25f * grads[i]);   // all exact in fp32 (quarters and halves)
    }
}

TEST_CASE("adamw reference: the first step moves each weight by about lr against its gradient", "[adamw][cpu]") {
    // Step 1 from m = v = 0: m = (1-b1) g, v = (1-b2) g^2, so mhat = g and vhat = g^2:
    // u = g / (|g| + eps), p = p - lr (u + wd p). With G = (0.4, -6, 0), s = 0.5:
    // g = (0.2, -3, 0), u = (1 - 5e-8, -1 + 3e-9, 0); a zero gradient gives 0 / eps = 0.
    std::vector<double> p{1, -1, 2}, m{0, 0, 0}, v{0, 0, 0};
    const std::vector<double> grads{0.4, -6, 0};
    const AdamWConfig cfg{0.1f, 0.9f, 0.999f, 1e-8f, 0.5f};
    adamw_update_cpu(p.data(), m.data(), v.data(), grads.data(), 3, cfg, 1, 0.5f);
    // The formulas in double with the config's float values (0.999f is 0.999 + 1.3e-8, so
    // 1 - b2 differs from 0.001 by 1.3e-5 relative); the reference does the same few
    // roundings in double: 1e-14 relative is ~50 of them.
    const double lr = cfg.lr, wd = cfg.weight_decay, eps = cfg.eps, b1 = cfg.beta1, b2 = cfg.beta2;
    const double g[3] = {0.2, -3, 0};
    for (int i = 0; i < 3; ++i) {
        const double mhat = (1 - b1) * g[i] / (1 - b1), vhat = (1 - b2) * g[i] * g[i] / (1 - b2);
        const double p0 = i == 0 ? 1 : i == 1 ? -1 : 2;
        CHECK(m[i] == Approx((1 - b1) * g[i]).epsilon(1e-14));
        CHECK(v[i] == Approx((1 - b2) * g[i] * g[i]).epsilon(1e-14));
        CHECK(p[i] == Approx(p0 - lr * (mhat / (std::sqrt(vhat) + eps) + wd * p0)).epsilon(1e-14));
    }
    // About lr against the gradient's sign, plus the decay lr wd p: 1 - 0.1 (1 + 0.5) = 0.85.
    CHECK(p[0] == Approx(0.85).epsilon(1e-6));
    CHECK(p[1] == Approx(-1 + 0.1 * (1 + 0.5)).epsilon(1e-6));
    CHECK(p[2] == Approx(2 - 0.1 * 0.5 * 2).epsilon(1e-7));
}

TEST_CASE("adamw reference: step 10 applies the bias corrections", "[adamw][cpu]") {
    // From m = 0.05, v = 0.01, g = 0.3, step 10, wd 0, lr 0.01:
    //   m' = b1 0.05 + (1-b1) 0.3 (= 0.075); v' = b2 0.01 + (1-b2) 0.09 (= 0.01008)
    //   p' = p - lr (m' / (1 - b1^10)) / (sqrt(v' / (1 - b2^10)) + eps)
    // Without the corrections the step would be 0.075 / sqrt(0.01008) = 0.747 lr; with them
    // mhat = 0.075 / 0.65132 = 0.11515, sqrt(vhat) = sqrt(0.01008 / 0.0099551) = 1.00625:
    // 0.11444 lr. A missing correction (of either) shows far outside the tolerance.
    double p = 0.7, m = 0.05, v = 0.01;
    const double g = 0.3;
    const AdamWConfig cfg{0.01f, 0.9f, 0.999f, 1e-8f, 0.0f};
    adamw_update_cpu(&p, &m, &v, &g, 1, cfg, 10, 1.0f);
    const double b1 = cfg.beta1, b2 = cfg.beta2, lr = cfg.lr, eps = cfg.eps;
    const double m1 = b1 * 0.05 + (1 - b1) * 0.3, v1 = b2 * 0.01 + (1 - b2) * 0.09;
    const double mhat = m1 / (1 - std::pow(b1, 10)), vhat = v1 / (1 - std::pow(b2, 10));
    // Roundings in double only (as above): 1e-14 relative.
    CHECK(m == Approx(m1).epsilon(1e-14));
    CHECK(v == Approx(v1).epsilon(1e-14));
    CHECK(p == Approx(0.7 - lr * mhat / (std::sqrt(vhat) + eps)).epsilon(1e-14));
    CHECK(0.7 - p == Approx(0.01 * 0.11515 / 1.00625).epsilon(1e-4));   // the numbers in words
}

TEST_CASE("global_norm reference: a worked example", "[global_norm][cpu]") {
    // 3^2 + 4^2 + 12^2 = 169 = 13^2; the float reference is exact on small integers.
    const std::vector<float> x{3, -4, 12};
    float out = -1;
    global_norm_sq_cpu(&out, x.data(), 3);
    CHECK(out == 169.0f);
    // Accumulated in double: 2^24 + 2 ones. A float running sum stops at 2^24 (2^24 + 1
    // rounds back to 2^24, to even); in double the sum is exact, and 2^24 + 2 is a float.
    std::vector<float> ones((1u << 24) + 2, 1.0f);
    global_norm_sq_cpu(&out, ones.data(), ones.size());
    CHECK(out == static_cast<float>((1u << 24) + 2));   // float sum would stop at 2^24
}

TEST_CASE("optimizers and global_norm on Tensors: cpu and simt agree, bad input is named",
          "[sgd][adamw][global_norm][simt]") {
    const std::vector<float> p0{0.5f, -1.25f, 2.0f, 0.0f, -0.75f, 3.5f}, g0{0.1f, -0.2f, 0.05f, 0.0f, 1.0f, -0.5f};
    auto run = [&](Device d) {
        const Backend be(d);
        Tensor p = be.upload(p0, {2, 3}), m = be.zeros({6}), v = be.zeros({6}), g = be.upload(g0, {2, 3});
        Tensor p2 = be.upload(p0, {6}), buf = be.zeros({6}), norm = be.empty({1});
        const AdamWConfig acfg{0.01f, 0.9f, 0.999f, 1e-8f, 0.1f};
        for (int t = 1; t <= 3; ++t) adamw_update(be, p, m, v, g, acfg, t, 0.5f);
        for (int t = 1; t <= 3; ++t) sgd_update(be, p2, buf, g, SgdConfig{0.1f, 0.9f, 0.01f}, 0.5f);
        global_norm_sq(be, norm, g);
        return std::vector{p.to_vector(), m.to_vector(), v.to_vector(), p2.to_vector(), buf.to_vector(),
                           norm.to_vector()};
    };
    const auto cpu = run(Device::cpu), simt = run(Device::simt);
    // The registry's bounds for these sizes (|p| <= 4, lr U <= 0.01, three steps) stay
    // below 2 (gamma_4 4 + gamma_14 0.01) 3 < 4e-6; global_norm_sq of 6 terms within gamma_23:
    // we allow 1e-5 relative (and 1e-12 absolute for zeros).
    for (std::size_t k = 0; k < cpu.size(); ++k)
        for (std::size_t i = 0; i < cpu[k].size(); ++i)
            CHECK(simt[k][i] == Approx(cpu[k][i]).epsilon(1e-5).margin(1e-12));

    const Backend be(Device::cpu);
    Tensor p = be.zeros({6}), m = be.zeros({6}), v = be.zeros({6}), g = be.zeros({6}), small = be.zeros({5});
    CHECK_THROWS_WITH(adamw_update(be, p, m, v, g, AdamWConfig{}, 0, 1.0f),
                      Catch::Contains("adamw_update: step must be >= 1"));
    CHECK_THROWS_WITH(
        adamw_update(be, p, m, small, g, AdamWConfig{}, 1, 1.0f),
        Catch::Contains("adamw_update: params Tensor(f32, (6,), cpu) and Tensor(f32, (5,), cpu) differ in size"));
    CHECK_THROWS_WITH(adamw_update(be, p, m, v, g, AdamWConfig{.beta1 = 1.0f}, 1, 1.0f),
                      Catch::Contains("beta1 must be in [0, 1)"));
    CHECK_THROWS_WITH(sgd_update(be, p, small, g, SgdConfig{}, 1.0f), Catch::Contains("sgd_update: params"));
    CHECK_THROWS_WITH(sgd_update(be, p, m, g, SgdConfig{}, NAN), Catch::Contains("grad_scale must be finite"));
    CHECK_THROWS_WITH(global_norm_sq(be, small, g), Catch::Contains("global_norm_sq: out must hold one element"));
    const Backend sim(Device::simt);
    Tensor on_simt = sim.zeros({1});
    CHECK_THROWS_WITH(global_norm_sq(be, on_simt, g), Catch::Contains("is on simt but the backend is cpu"));
}

TEST_CASE("global_norm v2 is deterministic: it passes the race check that v1 opts out of", "[global_norm][simt]") {
    const OpSpec& op = registry().get("global_norm");
    REQUIRE(!op.no_race_check.empty());
    REQUIRE(op.versions.size() == 2);
    // Past v2's grid (1024 x 256), so its threads stride and the final block sums 1024 partials.
    for (const Case& c : cases({"n"}, {{257}, {300001}})) {
        const CheckResult r = check_gpu(op, op.versions[1], Device::simt, c, 1, SimtMode::race_check);
        CHECK(r.ok);
        if (!r.ok) FAIL_CHECK(c.str() << ": " << r.failure);
    }
}

TEST_CASE("the registry's tolerances catch subtle bugs", "[sgd][adamw][global_norm][cpu]") {
    // Each buggy variant below is a mistake a learner makes; the derived bound must reject it.
    SECTION("adamw: eps inside the square root") {
        const OpSpec& op = registry().get("adamw");
        const Case c = cases({"n", "t", "wd?"}, {{5000, 10, 1}})[0];
        const Problem host = make_problem(op, c, 1);
        const Problem expected = run_reference(op, host);
        Problem got = run_reference(op, host);
        // Redo the step with sqrt(vhat + eps) from the inputs.
        const AdamWConfig cfg{0.05f, 0.9f, 0.999f, 1e-8f, 0.1f};
        const auto [c1, c2] = adamw_bias_correction(cfg, 10);
        float* p = got.f32("params");
        const float *p_in = host.f32("params"), *m_new = expected.f32("m"), *v_new = expected.f32("v");
        for (std::size_t i = 0; i < c["n"]; ++i) {
            const float mhat = m_new[i] / static_cast<float>(c1), vhat = v_new[i] / static_cast<float>(c2);
            p[i] = p_in[i] - cfg.lr * (mhat / std::sqrt(vhat + cfg.eps) + cfg.weight_decay * p_in[i]);
        }
        const CheckResult r = compare_outputs(op, expected, got);
        CHECK_FALSE(r.ok);
        INFO(r.failure);
        CHECK(r.failure.find("params") != std::string::npos);
    }
    SECTION("sgd: the weight decay left out of the momentum buffer") {
        const OpSpec& op = registry().get("sgd");
        const Case c = cases({"n", "mom?", "wd?"}, {{257, 1, 1}})[0];
        const Problem host = make_problem(op, c, 2);
        const Problem expected = run_reference(op, host);
        Problem got = run_reference(op, host);
        // buf = 0.9 buf + G; p = p - lr (buf + wd p)  (decay outside the buffer, as in AdamW)
        float *p = got.f32("params"), *buf = got.f32("velocity");
        const float *p_in = host.f32("params"), *buf_in = host.f32("velocity"), *g = host.f32("grads");
        for (std::size_t i = 0; i < c["n"]; ++i) {
            buf[i] = 0.9f * buf_in[i] + g[i];
            p[i] = p_in[i] - 0.1f * (buf[i] + 0.1f * p_in[i]);
        }
        CHECK_FALSE(compare_outputs(op, expected, got).ok);
    }
    SECTION("global_norm: a grid one block short (n / 256 blocks, not ceil_div)") {
        // n = 5000 leaves out the last 136 elements, ~3% of the sum; the bound is gamma_30 = 1.8e-6.
        const OpSpec& op = registry().get("global_norm");
        const Case c = cases({"n"}, {{5000}})[0];
        const Problem host = make_problem(op, c, 3);
        const Problem expected = run_reference(op, host);
        Problem got = run_reference(op, host);
        global_norm_sq_cpu(got.f32("out"), host.f32("x"), c["n"] / 256 * 256);
        CHECK_FALSE(compare_outputs(op, expected, got).ok);
    }
}
