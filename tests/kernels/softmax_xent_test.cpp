// softmax_xent_test.cpp: forward and backward GPU versions vs the references, the backward
// reference against finite differences of the forward reference in double, and the Tensor API.
#include <catch2/catch.hpp>

#include <cmath>

#include "core/backend.hpp"
#include "core/rng.hpp"
#include "kernels/softmax_xent/softmax_xent.hpp"
#include "tests/testing.hpp"

using namespace ladder;

TEST_CASE("softmax_xent forward reference: a worked example", "[softmax_xent][cpu]") {
    // logits [0, ln 3] -> probs [1/4, 3/4]; target 0 -> loss ln 4.
    const double logits[] = {0, std::log(3.0)};
    const std::int32_t target[] = {0};
    double loss, probs[2];
    softmax_xent_forward_cpu(&loss, probs, logits, target, 1, 2);
    REQUIRE(probs[0] == Approx(0.25).epsilon(1e-15));
    REQUIRE(probs[1] == Approx(0.75).epsilon(1e-15));
    REQUIRE(loss == Approx(std::log(4.0)).epsilon(1e-15));
    const std::int32_t bad[] = {2};
    REQUIRE_THROWS_WITH(softmax_xent_forward_cpu(&loss, probs, logits, bad, 1, 2), Catch::Contains("targets[0] = 2"));
}

TEST_CASE("softmax_xent backward reference equals finite differences of the forward (double)", "[softmax_xent][cpu]") {
    // f(x) = sum_b dloss_b * loss_b(x) / scale; backward must give df/dx.
    const std::size_t B = 4, V = 7;
    const double scale = 3.0;
    Rng rng(11);
    std::vector<double> x(B * V), dloss(B), probs(B * V), losses(B), grad(B * V);
    for (double& v : x) v = 3 * rng.normal();
    for (double& v : dloss) v = rng.normal();
    std::vector<std::int32_t> targets(B);
    for (auto& t : targets) t = static_cast<std::int32_t>(rng.below(V));
    auto f = [&](const std::vector<double>& xs) {
        std::vector<double> l(B), p(B * V);
        softmax_xent_forward_cpu(l.data(), p.data(), xs.data(), targets.data(), B, V);
        double s = 0;
        for (std::size_t b = 0; b < B; ++b) s += dloss[b] * l[b] / scale;
        return s;
    };
    softmax_xent_forward_cpu(losses.data(), probs.data(), x.data(), targets.data(), B, V);
    softmax_xent_backward_cpu(grad.data(), probs.data(), targets.data(), dloss.data(), B, V, scale);
    const double h = 1e-5;
    for (std::size_t i = 0; i < B * V; ++i) {
        auto xp = x, xm = x;
        xp[i] += h;
        xm[i] -= h;
        const double numeric = (f(xp) - f(xm)) / (2 * h);
        INFO("element " << i);
        // Central differences: truncation ~ h^2 |f'''| ~ 1e-10, rounding ~ 1e-16 / h ~ 1e-11.
        REQUIRE(grad[i] == Approx(numeric).margin(1e-8));
    }
}

TEST_CASE("softmax_xent: every forward GPU version matches the CPU reference on simt", "[softmax_xent][simt]") {
    testing::require_gpu_versions_match("softmax_xent", Device::simt);
}

TEST_CASE("softmax_xent: every forward GPU version matches the CPU reference on cuda", "[softmax_xent][cuda]") {
    testing::require_gpu_versions_match("softmax_xent", Device::cuda);
}

TEST_CASE("softmax_xent_backward: every GPU version matches the CPU reference on simt", "[softmax_xent][simt]") {
    testing::require_gpu_versions_match("softmax_xent_backward", Device::simt);
}

TEST_CASE("softmax_xent_backward: every GPU version matches the CPU reference on cuda", "[softmax_xent][cuda]") {
    testing::require_gpu_versions_match("softmax_xent_backward", Device::cuda);
}

TEST_CASE("softmax_xent on Tensors: cpu and simt agree, shapes are checked", "[softmax_xent][simt]") {
    const std::size_t B = 5, V = 11;
    Rng rng(2);
    std::vector<float> logits(B * V), dloss(B, 1.0f);
    rng.fill_normal(logits, 0, 2);
    std::vector<std::int32_t> targets = {0, 10, 3, 3, 7};
    auto run = [&](Device d) {
        const Backend be(d);
        Tensor x = be.upload(logits, {B, V}), t = be.upload(targets, {B}), dl = be.upload(dloss, {B});
        Tensor losses = be.empty({B}), probs = be.empty({B, V}), g = be.empty({B, V});
        softmax_xent_forward(be, losses, probs, x, t);
        softmax_xent_backward(be, g, probs, t, dl, static_cast<float>(B));
        return std::pair{losses.to_vector(), g.to_vector()};
    };
    const auto [l_cpu, g_cpu] = run(Device::cpu);
    const auto [l_simt, g_simt] = run(Device::simt);
    for (std::size_t b = 0; b < B; ++b) REQUIRE(l_simt[b] == Approx(l_cpu[b]).margin(1e-5));
    for (std::size_t i = 0; i < B * V; ++i) REQUIRE(g_simt[i] == Approx(g_cpu[i]).margin(1e-6));
    const Backend cpu(Device::cpu);
    Tensor x = cpu.zeros({B, V}), t = cpu.zeros({B + 1}, DType::i32), losses = cpu.empty({B}), probs = cpu.empty({B, V});
    REQUIRE_THROWS_WITH(softmax_xent_forward(cpu, losses, probs, x, t), Catch::Contains("targets"));
}
