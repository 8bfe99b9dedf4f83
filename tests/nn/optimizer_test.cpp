// optimizer_test.cpp: the frame's Optimizer over a ParamSet: a few steps equal the formulas
// computed here in double, weight decay skips decay=false views, simt matches cpu, momentum 0 is
// gradient descent, the state resumes, and the gradient norm and clip_scale. ch05.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "core/backend.hpp"
#include "core/nn/optimizer.hpp"
#include "core/nn/params.hpp"
#include "core/rng.hpp"

using namespace ladder;

namespace {

// Three views: a decayed matrix, a bias without decay, a decayed embedding (runs: decay,
// no decay, decay; padding between them).
const std::vector<ParamSpec> kSpecs = {{"w", {3, 5}, true}, {"b", {5}, false}, {"e", {4, 3}, true}};
constexpr int kSteps = 3;
const float kLr[kSteps] = {0.01f, 0.02f, 0.015f};   // as a schedule gives them
constexpr float kScale = 0.8f;                       // a clipping scale

// Initial values and each step's gradients per view, uniform in [-1, 1).
struct Draws {
    std::vector<std::vector<float>> p0;                  // [view][i]
    std::vector<std::vector<std::vector<float>>> grads;  // [step][view][i]
};
Draws draw() {
    Rng rng(13);
    Draws d;
    for (const ParamSpec& s : kSpecs) {
        d.p0.emplace_back(s.shape.numel());
        rng.fill_uniform(d.p0.back(), -1, 1);
    }
    for (int t = 0; t < kSteps; ++t) {
        d.grads.emplace_back();
        for (const ParamSpec& s : kSpecs) {
            d.grads.back().emplace_back(s.shape.numel());
            rng.fill_uniform(d.grads.back().back(), -1, 1);
        }
    }
    return d;
}

// Runs the steps on `device`; returns per view the final values and, per state tensor, its
// elements of that view.
struct Result {
    std::vector<std::vector<float>> p;                   // [view][i]
    std::vector<std::vector<std::vector<float>>> state;  // [state][view][i]
};
Result run(Device device, const OptimizerConfig& cfg, const Draws& d, int steps = kSteps) {
    const Backend be(device);
    ParamSet params(kSpecs, device);
    for (std::size_t k = 0; k < kSpecs.size(); ++k) params.set_value(kSpecs[k].name, d.p0[k]);
    Optimizer opt(cfg, params);
    for (int t = 0; t < steps; ++t) {
        for (std::size_t k = 0; k < kSpecs.size(); ++k) params.grad(kSpecs[k].name).copy_from(d.grads[t][k]);
        opt.step(be, params, kLr[t], kScale);
    }
    CHECK(opt.steps_taken() == steps);
    Result r;
    for (const ParamSpec& s : kSpecs) r.p.push_back(params.host_value(s.name));
    for (auto& [name, tensor] : opt.state()) {
        const std::vector<float> all = tensor.to_vector();
        r.state.emplace_back();
        for (const ParamView& v : params.views())
            r.state.back().emplace_back(all.begin() + v.offset, all.begin() + v.offset + v.shape.numel());
    }
    return r;
}

// The formulas of adamw.hpp and sgd.hpp in double, with the config's float values.
Result exact(const OptimizerConfig& cfg, const Draws& d) {
    Result r;
    r.state.assign(cfg.kind == OptimizerKind::adamw ? 2 : 1, {});
    for (std::size_t k = 0; k < kSpecs.size(); ++k) {
        std::vector<double> p(d.p0[k].begin(), d.p0[k].end()), m(p.size(), 0.0), v(p.size(), 0.0);
        for (int t = 0; t < kSteps; ++t) {
            const double lr = kLr[t];
            for (std::size_t i = 0; i < p.size(); ++i) {
                const double g = static_cast<double>(d.grads[t][k][i]) * kScale;
                if (cfg.kind == OptimizerKind::adamw) {
                    const double b1 = cfg.adamw.beta1, b2 = cfg.adamw.beta2, eps = cfg.adamw.eps;
                    const double wd = kSpecs[k].decay ? cfg.adamw.weight_decay : 0.0;
                    m[i] = b1 * m[i] + (1 - b1) * g;
                    v[i] = b2 * v[i] + (1 - b2) * g * g;
                    const double mhat = m[i] / (1 - std::pow(b1, t + 1)), vhat = v[i] / (1 - std::pow(b2, t + 1));
                    p[i] = p[i] - lr * (mhat / (std::sqrt(vhat) + eps) + wd * p[i]);
                } else {
                    const double wd = kSpecs[k].decay ? cfg.sgd.weight_decay : 0.0;
                    m[i] = cfg.sgd.momentum * m[i] + g + wd * p[i];
                    p[i] = p[i] - lr * m[i];
                }
            }
        }
        r.p.emplace_back(p.begin(), p.end());
        r.state[0].emplace_back(m.begin(), m.end());
        if (cfg.kind == OptimizerKind::adamw) r.state[1].emplace_back(v.begin(), v.end());
    }
    return r;
}

OptimizerConfig adamw_config() {
    OptimizerConfig cfg;
    cfg.kind = OptimizerKind::adamw;
    cfg.adamw.weight_decay = 0.1f;
    return cfg;
}
OptimizerConfig sgd_config(float momentum) {
    OptimizerConfig cfg;
    cfg.kind = OptimizerKind::sgd;
    cfg.sgd.momentum = momentum;
    cfg.sgd.weight_decay = 0.05f;
    return cfg;
}

void check_close(const Result& got, const Result& want, double tol) {
    REQUIRE(got.state.size() == want.state.size());
    for (std::size_t k = 0; k < kSpecs.size(); ++k) {
        INFO("view " << kSpecs[k].name);
        for (std::size_t i = 0; i < got.p[k].size(); ++i) CHECK(got.p[k][i] == Approx(want.p[k][i]).margin(tol));
        for (std::size_t s = 0; s < got.state.size(); ++s)
            for (std::size_t i = 0; i < got.state[s][k].size(); ++i)
                CHECK(got.state[s][k][i] == Approx(want.state[s][k][i]).margin(tol));
    }
}

// One side's error after three steps. Per step, adamw_op.cpp's derivation gives
// gamma_4 (1 + lr wd) |p| + gamma_14 lr U, and two more roundings (bc1, bc2 as floats):
// within gamma_16 (|p| + lr U) with |p| <= 1.1, lr <= 0.02 and U <= 3.2 (|mhat| / sqrt(vhat)
// <= (1 - b1) / sqrt(1 - b2) over three steps): 1.2e-6. Three steps: 3.5e-6; the errors m and
// v carry enter later updates relatively (u is of degree 0 in m, sqrt v), at most
// 2 gamma_16 lr U = 1.2e-7 a step. SGD's (gamma_5 (|p| + lr A_b), |buf| <= 3) is smaller.
// We allow 1e-5; simt against cpu, twice that.
constexpr double kTol = 1e-5;

}  // namespace

TEST_CASE("optimizer: three AdamW steps on cpu equal the formulas in double", "[optimizer][cpu]") {
    const Draws d = draw();
    const OptimizerConfig cfg = adamw_config();
    check_close(run(Device::cpu, cfg, d), exact(cfg, d), kTol);
}

TEST_CASE("optimizer: three SGD steps (momentum 0.9) on cpu equal the formulas in double", "[optimizer][cpu]") {
    const Draws d = draw();
    const OptimizerConfig cfg = sgd_config(0.9f);
    check_close(run(Device::cpu, cfg, d), exact(cfg, d), kTol);
}

TEST_CASE("optimizer: simt gives what cpu gives", "[optimizer][simt]") {
    const Draws d = draw();
    for (const OptimizerConfig& cfg : {adamw_config(), sgd_config(0.9f)})
        check_close(run(Device::simt, cfg, d), run(Device::cpu, cfg, d), 2 * kTol);
}

TEST_CASE("optimizer: weight decay skips the views with decay = false", "[optimizer][cpu]") {
    // Zero gradients from a fresh state: AdamW's u = 0 / (0 + eps) = 0 and SGD's buf = wd p,
    // so only the decay moves p: p (1 - lr wd) where decay = true (within 2 roundings of the
    // product, and 3 of the operations: 1e-6 relative is 16 u), p exactly where it is false.
    Draws d = draw();
    for (auto& step : d.grads)
        for (auto& g : step) std::fill(g.begin(), g.end(), 0.0f);
    for (const OptimizerConfig& cfg : {adamw_config(), sgd_config(0.0f)}) {
        const Result r = run(Device::cpu, cfg, d, 1);
        const double wd = cfg.kind == OptimizerKind::adamw ? cfg.adamw.weight_decay : cfg.sgd.weight_decay;
        for (std::size_t k = 0; k < kSpecs.size(); ++k) {
            INFO("view " << kSpecs[k].name);
            for (std::size_t i = 0; i < d.p0[k].size(); ++i) {
                if (kSpecs[k].decay)
                    CHECK(r.p[k][i] == Approx(d.p0[k][i] * (1 - kLr[0] * wd)).epsilon(1e-6));
                else
                    CHECK(r.p[k][i] == d.p0[k][i]);
            }
        }
    }
}

TEST_CASE("optimizer: SGD with momentum 0 is plain gradient descent", "[optimizer][cpu]") {
    // buf = 0 * buf + (g s + 0) is g s exactly as the float product, so p - lr (g s) with the
    // same two roundings: the same bits.
    Draws d = draw();
    OptimizerConfig cfg = sgd_config(0.0f);
    cfg.sgd.weight_decay = 0;
    const Result r = run(Device::cpu, cfg, d);
    for (std::size_t k = 0; k < kSpecs.size(); ++k) {
        std::vector<float> p = d.p0[k];
        for (int t = 0; t < kSteps; ++t)
            for (std::size_t i = 0; i < p.size(); ++i) p[i] = p[i] - kLr[t] * (d.grads[t][k][i] * kScale);
        CHECK(r.p[k] == p);
    }
}

TEST_CASE("optimizer: the state and step count resume a run exactly", "[optimizer][cpu]") {
    // Two steps, then the state copied into a fresh optimizer with set_steps_taken(2) (what a
    // checkpoint load does), then the third step: the same bits as three steps in one go.
    const Draws d = draw();
    const OptimizerConfig cfg = adamw_config();
    const Backend be(Device::cpu);
    ParamSet params(kSpecs, Device::cpu);
    for (std::size_t k = 0; k < kSpecs.size(); ++k) params.set_value(kSpecs[k].name, d.p0[k]);
    Optimizer first(cfg, params);
    auto grads = [&](int t) {
        for (std::size_t k = 0; k < kSpecs.size(); ++k) params.grad(kSpecs[k].name).copy_from(d.grads[t][k]);
    };
    for (int t = 0; t < 2; ++t) grads(t), first.step(be, params, kLr[t], kScale);
    Optimizer resumed(cfg, params);
    auto from = first.state(), to = resumed.state();
    REQUIRE(to.size() == 2);
    CHECK(to[0].first == "adamw.m");
    CHECK(to[1].first == "adamw.v");
    for (std::size_t s = 0; s < to.size(); ++s) {
        CHECK(to[s].second.shape() == Shape{params.numel()});
        to[s].second.copy_from(from[s].second.to_vector());   // writes into the optimizer's own buffers
    }
    resumed.set_steps_taken(first.steps_taken());
    grads(2);
    resumed.step(be, params, kLr[2], kScale);
    const Result whole = run(Device::cpu, cfg, d);
    for (std::size_t k = 0; k < kSpecs.size(); ++k) CHECK(params.host_value(kSpecs[k].name) == whole.p[k]);
    CHECK(resumed.steps_taken() == 3);
    CHECK(Optimizer(sgd_config(0.9f), params).state().at(0).first == "sgd.momentum");
    CHECK_THROWS_WITH(resumed.set_steps_taken(-1), Catch::Contains("must be >= 0"));
    ParamSet other({{"w", {2, 2}}}, Device::cpu);
    CHECK_THROWS_WITH(resumed.step(be, other, 0.1f, 1.0f), Catch::Contains("Optimizer::step: made for"));
}

TEST_CASE("optimizer: global_grad_norm and clip_scale", "[optimizer][cpu][simt]") {
    // The norm of every gradient taken as one vector (the padding holds zeros): sqrt of the
    // sum of squares in double here. cpu: the sum rounded once, then sqrt: within 2u of it.
    // simt: the sum within gamma_23 (global_norm_rounding_depth(48) = 22, plus 1), half that
    // after the square root, plus u: under 1e-6.
    const Draws d = draw();
    double sum = 0;
    for (const auto& g : d.grads[0])
        for (float x : g) sum += static_cast<double>(x) * x;
    for (Device device : {Device::cpu, Device::simt}) {
        const Backend be(device);
        ParamSet params(kSpecs, device);
        for (std::size_t k = 0; k < kSpecs.size(); ++k) params.grad(kSpecs[k].name).copy_from(d.grads[0][k]);
        const double tol = device == Device::cpu ? 2 * 0x1p-24 : 1e-6;
        CHECK(global_grad_norm(be, params) == Approx(std::sqrt(sum)).epsilon(tol));
    }
    CHECK(clip_scale(5.0f, 0.0f) == 1.0f);    // no clipping
    CHECK(clip_scale(5.0f, -1.0f) == 1.0f);
    CHECK(clip_scale(0.5f, 1.0f) == 1.0f);    // under the limit: unchanged
    CHECK(clip_scale(4.0f, 1.0f) == Approx(1.0 / (4.0 + 1e-6)).epsilon(1e-7));   // scaled to norm 1
    CHECK_THROWS_WITH(clip_scale(NAN, 1.0f), Catch::Contains("clip_scale: the gradient norm is nan"));
    CHECK_THROWS_WITH(clip_scale(INFINITY, 1.0f), Catch::Contains("a gradient holds NaN or Inf"));
}
