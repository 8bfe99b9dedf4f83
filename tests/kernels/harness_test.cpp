// harness_test.cpp: the equivalence harness must catch every planted bug: an unwritten
// element, a write past the end, a NaN, an infinity, an error just past the tolerance,
// an integer off by one. Versions here write simt memory directly (it is host memory).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>

#include "kernels/harness.hpp"

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

TEST_CASE("every version of every registered op agrees with its reference on simt (smoke)", "[harness][registry][simt]") {
    // The per-op tests run every case and seed; this one makes sure no registered op is
    // left without a check on the emulator, whatever tests its chapter wrote.
    for (const auto& op : registry().ops()) {
        for (const auto& v : op.versions) {
            for (std::size_t i = 0; i < std::min<std::size_t>(2, op.test_cases.size()); ++i) {
                INFO(op.name << " " << v.name << ", " << op.test_cases[i].str());
                const CheckResult r = check_gpu(op, v, Device::simt, op.test_cases[i], 1);
                INFO(r.failure);
                CHECK(r.ok);
            }
        }
    }
}
