// sgns_test.cpp: the SGNS forward + backward: the reference against the definition on a
// worked example. GPU versions and the finite-difference gradient check: the registry loop
// (tests/kernels/ops_test.cpp).
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

