// sgns_test.cpp: the SGNS forward + backward: the reference against the definition on a
// worked example, its gradients against central finite differences in double, and every
// GPU version on the emulator (and on a GPU when there is one).
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "core/rng.hpp"
#include "kernels/embedding_gather/embedding_gather.hpp"
#include "kernels/sgns/sgns.hpp"
#include "tests/testing.hpp"

using namespace ladder;

TEST_CASE("sgns reference: a worked example", "[sgns][cpu]") {
    // u = (1, 0), positive v0 = (2, 0), negative v1 = (0, 3): s = (2, 0).
    const std::vector<double> w_in{1, 0}, w_out{2, 0, 0, 3};
    const std::vector<std::int32_t> in_ids{0}, out_ids{0, 1};
    std::vector<double> loss(1), d_in(2), d_out(4);
    sgns_cpu(loss.data(), d_in.data(), d_out.data(), w_in.data(), w_out.data(), in_ids.data(), out_ids.data(),
             SgnsDims{1, 2, 2, 2});
    auto sig = [](double x) { return 1 / (1 + std::exp(-x)); };
    REQUIRE(loss[0] == Approx(-std::log(sig(2)) - std::log(sig(-0.0))).epsilon(1e-12));
    const double g0 = sig(2) - 1, g1 = sig(0);
    REQUIRE(d_in[0] == Approx(g0 * 2).epsilon(1e-12));
    REQUIRE(d_in[1] == Approx(g1 * 3).epsilon(1e-12));
    REQUIRE(d_out == std::vector<double>{g0 * 1, 0, g1 * 1, 0});
}

// L(w_in, w_out) = sum_b loss[b]. Its gradient with respect to a table row is the sum of
// the per-pair gradients of every slot that reads that row (a scatter-add).
TEST_CASE("sgns gradients match central finite differences in double", "[sgns][cpu][grad]") {
    const SgnsDims d{6, 4, 5, 7};   // repeats: 6 pairs x 4 outputs over 5 rows
    Rng rng(11);
    std::vector<double> w_in(d.V * d.D), w_out(d.V * d.D);
    for (auto* w : {&w_in, &w_out})
        for (double& x : *w) x = 0.5 * rng.normal();
    std::vector<std::int32_t> in_ids(d.B), out_ids(d.B * d.K1);
    for (auto& i : in_ids) i = static_cast<std::int32_t>(rng.below(d.V));
    for (auto& i : out_ids) i = static_cast<std::int32_t>(rng.below(d.V));
    std::vector<double> loss(d.B), d_in(d.B * d.D), d_out(d.B * d.K1 * d.D);
    auto total = [&](const std::vector<double>& wi, const std::vector<double>& wo) {
        std::vector<double> l(d.B), a(d.B * d.D), b(d.B * d.K1 * d.D);
        sgns_cpu(l.data(), a.data(), b.data(), wi.data(), wo.data(), in_ids.data(), out_ids.data(), d);
        double s = 0;
        for (double x : l) s += x;
        return s;
    };
    sgns_cpu(loss.data(), d_in.data(), d_out.data(), w_in.data(), w_out.data(), in_ids.data(), out_ids.data(), d);
    std::vector<double> g_in(d.V * d.D, 0.0), g_out(d.V * d.D, 0.0);
    embedding_scatter_add_cpu(g_in.data(), d_in.data(), in_ids.data(), d.B, d.V, d.D, 1.0);
    embedding_scatter_add_cpu(g_out.data(), d_out.data(), out_ids.data(), d.B * d.K1, d.V, d.D, 1.0);
    // Central differences have error O(h^2 L''') ~ 1e-10 here, plus rounding ~ 1e-16 / h.
    const double h = 1e-5;
    for (int which = 0; which < 2; ++which) {
        auto& w = which == 0 ? w_in : w_out;
        const auto& g = which == 0 ? g_in : g_out;
        for (std::size_t i = 0; i < w.size(); ++i) {
            const double keep = w[i];
            w[i] = keep + h;
            const double up = total(w_in, w_out);
            w[i] = keep - h;
            const double down = total(w_in, w_out);
            w[i] = keep;
            INFO((which == 0 ? "w_in" : "w_out") << "[" << i << "]");
            REQUIRE(g[i] == Approx((up - down) / (2 * h)).margin(1e-7));
        }
    }
}

TEST_CASE("sgns: every GPU version matches the reference on simt", "[sgns][simt]") {
    testing::require_gpu_versions_match("sgns", Device::simt);
}

TEST_CASE("sgns: every GPU version matches the reference on cuda", "[sgns][cuda]") {
    testing::require_gpu_versions_match("sgns", Device::cuda);
}
