// softmax_xent_test.cpp: the reference on a worked example and the Tensor API. GPU versions
// and the backward's finite-difference check: the registry loop (ops_test.cpp).
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
