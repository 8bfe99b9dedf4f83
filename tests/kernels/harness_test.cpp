// harness_test.cpp: the equivalence harness must catch every planted bug: an unwritten
// element, a write past the end, a NaN, an infinity, an error just past the tolerance,
// an integer off by one. Versions here write simt memory directly (it is host memory).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>

#include "kernels/harness.hpp"
#include "tests/kernels/planted_kernels.hpp"

using namespace ladder;

namespace {

// out = a + b with a planted defect at element `bad` (or none).
enum class Defect { none, skip, past_end, nan, inf, small_error, large_error };

OpSpec add_op(Defect defect) {
    OpSpec op;
    op.name = "planted_add";
    op.chapter = "test";
    op.test_cases = {{{{"n", 37}}}};
    op.make = [](const Case& c, Rng& rng) {
        Problem p(c);
        fill_test_values(rng, p.add_f32("a", Role::in, Shape{c["n"]}));
        fill_test_values(rng, p.add_f32("b", Role::in, Shape{c["n"]}));
        p.add_f32("out", Role::out, Shape{c["n"]});
        return p;
    };
    op.reference = {"ref", "", [](Problem& p) {
                        for (std::size_t i = 0; i < p["n"]; ++i) p.f32("out")[i] = p.f32("a")[i] + p.f32("b")[i];
                    }};
    op.tolerance = [](const Case&) { return Tolerance{1e-6, 1e-6}; };
    op.versions = {{"planted", "", [defect](Device, Problem& p) {
                        const std::size_t n = p["n"];
                        float* out = p.f32("out");
                        for (std::size_t i = 0; i < n; ++i) {
                            if (defect == Defect::skip && i == 17) continue;
                            out[i] = p.f32("a")[i] + p.f32("b")[i];
                        }
                        if (defect == Defect::past_end) out[n + 2] = 1.0f;
                        if (defect == Defect::nan) out[5] = std::nanf("1");
                        if (defect == Defect::inf) out[6] = std::numeric_limits<float>::infinity();
                        // Just outside abs + rel * |x|, and far outside.
                        if (defect == Defect::small_error) out[9] += 3e-6f + 3e-6f * std::fabs(out[9]);
                        if (defect == Defect::large_error) out[11] += 1.0f;
                    }}};
    return op;
}

CheckResult run(Defect d) {
    const OpSpec op = add_op(d);
    return check_gpu(op, op.versions[0], Device::simt, op.test_cases[0], 1);
}

}  // namespace

TEST_CASE("harness passes a correct implementation", "[harness]") {
    const CheckResult r = run(Defect::none);
    INFO(r.failure);
    REQUIRE(r.ok);
    REQUIRE(r.checked == 37);
    REQUIRE(r.max_abs == 0.0);
}

TEST_CASE("harness reports an unwritten element as NaN poison", "[harness]") {
    const CheckResult r = run(Defect::skip);
    REQUIRE_FALSE(r.ok);
    REQUIRE_THAT(r.failure, Catch::Contains("out[17] was never written"));
    REQUIRE(r.first->index == 17);
}

TEST_CASE("harness reports a write past the end through the guard zone", "[harness]") {
    const CheckResult r = run(Defect::past_end);
    REQUIRE_FALSE(r.ok);
    REQUIRE_THAT(r.failure, Catch::Contains("out-of-bounds write: out[39]") && Catch::Contains("3 element(s) past the end"));
}

TEST_CASE("harness reports NaN and infinity", "[harness]") {
    const CheckResult nan = run(Defect::nan);
    REQUIRE_FALSE(nan.ok);
    REQUIRE_THAT(nan.failure, Catch::Contains("out[5] is NaN"));
    const CheckResult inf = run(Defect::inf);
    REQUIRE_FALSE(inf.ok);
    REQUIRE_THAT(inf.failure, Catch::Contains("out[6]") && Catch::Contains("infinity"));
}

TEST_CASE("harness reports an error just outside the tolerance with first and worst", "[harness]") {
    const CheckResult small = run(Defect::small_error);
    REQUIRE_FALSE(small.ok);
    REQUIRE(small.bad == 1);
    REQUIRE(small.first->index == 9);
    const CheckResult large = run(Defect::large_error);
    REQUIRE_FALSE(large.ok);
    REQUIRE(large.worst->index == 11);
    REQUIRE(large.max_abs == Approx(1.0).epsilon(1e-5));
    REQUIRE_THAT(large.failure, Catch::Contains("first out[11]"));
}

TEST_CASE("measure() checks before it times, on an unpoisoned copy of the reference", "[harness]") {
    for (Defect d : {Defect::none, Defect::large_error, Defect::skip}) {
        const OpSpec op = add_op(d);
        const Problem host = make_problem(op, op.test_cases[0], 1);
        const Problem expected = run_reference(op, host);
        const Measured m = measure(op, host, expected, Device::simt, [&](Problem& p) { op.versions[0].run(Device::simt, p); }, 1, 0);
        INFO(m.check.failure);
        REQUIRE(m.check.ok == (d == Defect::none));
        REQUIRE(m.check.checked == 37);
        REQUIRE((m.timing.repeats > 0) == (d == Defect::none));   // wrong results are not timed
    }
}

TEST_CASE("a NaN in the reference where the implementation has a number is a mismatch", "[harness]") {
    OpSpec op = add_op(Defect::none);
    op.reference.run = [](Problem& p) {
        for (std::size_t i = 0; i < p["n"]; ++i) p.f32("out")[i] = i == 3 ? std::nanf("") : p.f32("a")[i] + p.f32("b")[i];
    };
    const CheckResult r = check_gpu(op, op.versions[0], Device::simt, op.test_cases[0], 1);
    REQUIRE_FALSE(r.ok);
    REQUIRE_THAT(r.failure, Catch::Contains("out[3]") && Catch::Contains("the reference gives NaN"));
}

TEST_CASE("harness compares integer outputs exactly", "[harness]") {
    OpSpec op;
    op.name = "planted_count";
    op.chapter = "test";
    op.test_cases = {{{{"n", 10}}}};
    op.make = [](const Case& c, Rng&) {
        Problem p(c);
        p.add_i32("counts", Role::out, Shape{c["n"]});
        return p;
    };
    op.reference = {"ref", "", [](Problem& p) {
                        for (std::size_t i = 0; i < p["n"]; ++i) p.i32("counts")[i] = static_cast<int>(i * i);
                    }};
    op.tolerance = [](const Case&) { return Tolerance{100, 100}; };   // must be ignored for integers
    op.versions = {{"off_by_one", "", [](Device, Problem& p) {
                        for (std::size_t i = 0; i < p["n"]; ++i) p.i32("counts")[i] = static_cast<int>(i * i) + (i == 4);
                    }}};
    const CheckResult r = check_gpu(op, op.versions[0], Device::simt, op.test_cases[0], 1);
    REQUIRE_FALSE(r.ok);
    REQUIRE_THAT(r.failure, Catch::Contains("counts[4]: expected 16, got 17"));
}

TEST_CASE("every registered op is complete", "[harness][registry]") {
    const Registry& reg = registry();
    REQUIRE_FALSE(reg.ops().empty());
    for (const auto& op : reg.ops()) {
        INFO(op.name);
        CHECK_FALSE(op.chapter.empty());
        CHECK_FALSE(op.summary.empty());
        CHECK_FALSE(op.versions.empty());   // every op has at least one GPU version
        CHECK(op.test_cases.size() >= 2);
        // An op that opts out of the race check says why, in one line.
        CHECK(op.no_race_check.find('\n') == std::string::npos);
        // A backward op's forward is registered and runs in double.
        if (op.differentiates) {
            const std::string& fwd = op.differentiates->forward;
            CHECK((fwd == op.name ? op : reg.get(fwd)).reference_f64);
        }
        // The reference writes every output (nothing left as NaN poison).
        for (const auto& c : op.test_cases) {
            const Problem ref = run_reference(op, make_problem(op, c, 1));
            for (const auto& b : ref.buffers()) {
                if (b.role == Role::in || b.dtype != DType::f32) continue;
                const float* x = ref.f32(b.name);
                for (std::size_t i = 0; i < b.shape.numel(); ++i) {
                    INFO(c.str() << " " << b.name << "[" << i << "]");
                    REQUIRE_FALSE(std::isnan(x[i]));
                }
            }
        }
    }
}

namespace {
// c (M,N) = a (M,K) b (K,N) with matmul v2's tiles, missing its second __syncthreads.
OpSpec planted_race_op() {
    OpSpec op;
    op.name = "planted_race";
    op.chapter = "test";
    // Three tiles of K, so a thread that runs ahead overwrites tiles others still read.
    op.test_cases = cases({"M", "N", "K"}, {{20, 20, 40}, {16, 16, 48}});
    op.make = [](const Case& c, Rng& rng) {
        Problem p(c);
        fill_small_ints(rng, p.add_f32("a", Role::in, Shape{c["M"], c["K"]}), -4, 4);
        fill_small_ints(rng, p.add_f32("b", Role::in, Shape{c["K"], c["N"]}), -4, 4);
        p.add_f32("c", Role::out, Shape{c["M"], c["N"]});
        return p;
    };
    op.reference = {"loops", "", [](Problem& p) {
                        const std::size_t M = p["M"], N = p["N"], K = p["K"];
                        for (std::size_t i = 0; i < M; ++i)
                            for (std::size_t j = 0; j < N; ++j) {
                                float acc = 0;
                                for (std::size_t k = 0; k < K; ++k) acc += p.f32("a")[i * K + k] * p.f32("b")[k * N + j];
                                p.f32("c")[i * N + j] = acc;
                            }
                    }};
    // Small integers: every sum is exact in fp32, in any order.
    op.tolerance = [](const Case&) { return Tolerance{0, 0}; };
    op.versions = {{"v2-nosync", "matmul v2 without its second barrier", [](Device, Problem& p) {
                        simt::planted_tiled_matmul_missing_sync(p.f32("c"), p.f32("a"), p.f32("b"), p["M"], p["N"],
                                                                p["K"]);
                    }}};
    return op;
}
}  // namespace

TEST_CASE("the harness's emulator checks catch a missing __syncthreads in a tiled kernel", "[harness][simt]") {
    const OpSpec op = planted_race_op();
    // The race check runs first (seed 0 of every case) and names the barrier.
    REQUIRE(simt_modes(op, 0) == std::vector{SimtMode::race_check});
    std::vector<std::string> failures;
    check_gpu_all(op, op.versions[0], Device::simt, [&](const std::string& what, const CheckResult& r) {
        if (!r.ok) failures.push_back(what + ": " + r.failure);
    });
    REQUIRE_FALSE(failures.empty());
    INFO(failures.front());
    CHECK_THAT(failures.front(), Catch::Contains("race check") && Catch::Contains("__syncthreads"));
    // An op that opts out of the race check still meets both thread orders, each compared with the
    // reference: the planted bug gives wrong sums in at least one of them.
    OpSpec opted = op;
    opted.no_race_check = "(test) order-dependent by design";
    REQUIRE(simt_modes(opted, 0) == std::vector{SimtMode::forward, SimtMode::reverse});
    bool caught = false;
    for (SimtMode m : simt_modes(opted, 0)) caught |= !check_gpu(opted, opted.versions[0], Device::simt, opted.test_cases[0], 1, m).ok;
    CHECK(caught);
}

TEST_CASE("the case builder names dimensions and leaves out zero flags", "[harness][registry]") {
    const auto cs = cases({"M", "N", "tb?"}, {{7, 5, 0}, {65, 129, 1}});
    REQUIRE(cs.size() == 2);
    CHECK(cs[0].str() == "M=7 N=5");
    CHECK(cs[1].str() == "M=65 N=129 tb=1");
    CHECK(cs[0].get("tb", 0) == 0);
    CHECK(cs[1]["tb"] == 1);
    CHECK_THROWS_WITH(cases({"M", "N"}, {{1}}), Catch::Contains("1 sizes for 2 dimensions"));
}

TEST_CASE("a float output with neither a tolerance nor an error bound is an error, not a pass", "[harness]") {
    OpSpec op = add_op(Defect::none);
    op.tolerance = nullptr;
    CHECK_THROWS_WITH(check_gpu(op, op.versions[0], Device::simt, op.test_cases[0], 1),
                      Catch::Contains("float output 'out' has neither"));
}
