// gradcheck_test.cpp: the gradient check must pass a right backward and catch a wrong one
// (a factor, a sign, an index, an accumulation into the wrong place), and report where.
#include <catch2/catch.hpp>

#include <cmath>

#include "kernels/gradcheck.hpp"

using namespace ladder;

namespace {

enum class Defect { none, factor, sign, index, small };

// Forward: y[i] = x[i]^2 * w + sin(x[i]); a second output z = sum(x) (not in the objective
// unless named). Backward: dx[i] = dy[i] (2 x[i] w + cos(x[i])), dw = sum_i dy[i] x[i]^2.
struct Planted {
    OpSpec forward, backward;
};

Planted planted(Defect defect) {
    Planted p;
    OpSpec& f = p.forward;
    f.name = "planted_fwd";
    f.chapter = "test";
    f.test_cases = cases({"n"}, {{1}, {9}});
    f.make = [](const Case& c, Rng& rng) {
        Problem q(c);
        fill_test_values(rng, q.add_f32("x", Role::in, Shape{c["n"]}));
        fill_test_values(rng, q.add_f32("w", Role::in, Shape{1}));
        q.add_f32("y", Role::out, Shape{c["n"]});
        return q;
    };
    f.reference = {"ref", "", [](Problem&) {}};
    f.reference_f64 = [](Problem64& q) {
        const double w = q.f64("w")[0];
        for (std::size_t i = 0; i < q["n"]; ++i)
            q.f64("y")[i] = q.f64("x")[i] * q.f64("x")[i] * w + std::sin(q.f64("x")[i]);
    };
    OpSpec& b = p.backward;
    b.name = "planted_bwd";
    b.chapter = "test";
    b.test_cases = f.test_cases;
    b.make = f.make;
    b.reference = f.reference;
    b.differentiates = Differentiates{
        .forward = "planted_fwd",
        .outputs = {"y"},
        .wrt = {"x", "w"},
        .backward_f64 =
            [defect](Problem64& q) {
                const std::size_t n = q["n"];
                const double w = q.f64("w")[0];
                for (std::size_t i = 0; i < n; ++i) {
                    const double x = q.f64("x")[i], dy = q.f64("dy")[i];
                    double g = dy * (2 * x * w + std::cos(x));
                    if (defect == Defect::factor) g = dy * (x * w + std::cos(x));
                    if (defect == Defect::sign) g = dy * (2 * x * w - std::cos(x));
                    if (defect == Defect::small && i == n - 1) g *= 1 + 1e-6;
                    const std::size_t at = defect == Defect::index ? (i + 1) % n : i;
                    q.f64("dx")[at] += g;
                    q.f64("dw")[0] += dy * x * x;
                }
            },
        .cases = cases({"n"}, {{1}, {9}}),
    };
    return p;
}

GradResult run(Defect d, std::size_t n = 9) {
    const Planted p = planted(d);
    return check_gradient(p.forward, p.backward, Case{{{"n", n}}}, 3);
}

}  // namespace

TEST_CASE("gradient check passes a correct backward", "[grad]") {
    const GradResult r = run(Defect::none);
    INFO(r.failure << " worst " << r.worst);
    CHECK(r.ok);
    CHECK(r.checked == 9 + 1);  // every element of x and of w
    CHECK(r.worst_ratio <= 1);
}

TEST_CASE("gradient check catches a wrong factor, sign, index and a 1e-6 relative error", "[grad]") {
    for (Defect d : {Defect::factor, Defect::sign, Defect::index, Defect::small}) {
        const GradResult r = run(d);
        INFO(static_cast<int>(d) << ": " << r.failure);
        CHECK_FALSE(r.ok);
        CHECK_THAT(r.failure, Catch::Contains("planted_bwd differentiates planted_fwd wrongly at dx["));
    }
}

TEST_CASE("gradient check refuses an op that names another forward", "[grad]") {
    Planted p = planted(Defect::none);
    p.backward.differentiates->forward = "something_else";
    CHECK_THROWS_WITH(check_gradient(p.forward, p.backward, Case{{{"n", 3}}}, 1), Catch::Contains("something_else"));
}
