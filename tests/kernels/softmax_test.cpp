// softmax_test.cpp: what is specific to the softmax family: worked examples of the forward,
// the backward and the causal mask on cpu and on every GPU version (simt), exact zeros for
// -inf, invariance to a shift, the online-softmax merge, and the Tensor API's errors.
// (Every version on random rows, the race check and the gradient check: ops_test.cpp.)
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "core/backend.hpp"
#include "core/rng.hpp"
#include "kernels/softmax/softmax.hpp"
#include "tests/kernels/versions.hpp"

using namespace ladder;

namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr double u = 0x1.0p-24;

// The cpu reference and every GPU version of `op` on the emulator, by name.
using testing::Run;
std::vector<Run> runs(int versions) { return testing::cpu_and_simt(versions); }
Backend backend_for(const Run& r, const char* op) { return r.backend({op}); }

std::vector<float> forward(const Run& r, const std::vector<float>& x, Shape shape) {
    const Backend be = backend_for(r, "softmax");
    const Tensor inp = be.upload(x, shape);
    Tensor out = be.empty(shape);
    out.fill_nan();
    softmax_forward(be, out, inp);
    return out.to_vector();
}

}  // namespace

TEST_CASE("softmax forward: worked examples on cpu and every GPU version", "[softmax][simt]") {
    // Row 0: {0, ln 2, ln 3}: exp gives {1, 2, 3}, so the softmax is {1/6, 2/6, 3/6}.
    //   fl(ln 2), fl(ln 3) are within u ln 3 < 1.1u of ln 2, ln 3, which moves each exp by at
    //   most 2.2u relative; the op's own bound (softmax_op.cpp, C = 3, |t| <= ln 3, v4's five
    //   rescales) is below 40u; we allow 64u relative.
    // Row 1: {5, 5, 5, 5}: every t = 0, exp(0) = 1, sum 4, 1/4: exact on every device.
    // Row 2: {-inf, 0, -inf, -inf}: the masked entries give exactly 0, the finite one exactly 1.
    const std::vector<float> x{0.0f, std::log(2.0f), std::log(3.0f), -kInf,   // row 0 (and a masked 4th entry)
                               5.0f, 5.0f, 5.0f, 5.0f,                        // row 1
                               -kInf, 0.0f, -kInf, -kInf};                    // row 2
    for (const Run& r : runs(softmax_forward_gpu_versions)) {
        INFO(r.str());
        const std::vector<float> y = forward(r, x, {3, 4});
        for (int c = 0; c < 3; ++c) CHECK(y[c] == Approx((c + 1) / 6.0).epsilon(64 * u));
        CHECK(y[3] == 0.0f);
        for (int c = 4; c < 8; ++c) CHECK(y[c] == 0.25f);
        CHECK(y[8] == 0.0f);
        CHECK(y[9] == 1.0f);
        CHECK(y[10] == 0.0f);
        CHECK(y[11] == 0.0f);
    }
}

TEST_CASE("softmax forward: adding a constant to a row changes nothing, even past exp's range",
          "[softmax][simt]") {
    // Small integers plus 10000 are exact in fp32, so x - max is the same float with and
    // without the shift and the outputs must be the same bits. Without the max subtraction
    // exp(10000) would overflow to inf and every output would be NaN.
    const std::size_t C = 37;
    std::vector<float> x(C), shifted(C);
    Rng rng(6);
    for (std::size_t c = 0; c < C; ++c) {
        x[c] = static_cast<float>(static_cast<int>(rng.below(21)) - 10);
        shifted[c] = x[c] + 10000.0f;
    }
    for (const Run& r : runs(softmax_forward_gpu_versions)) {
        INFO(r.str());
        const std::vector<float> y = forward(r, x, {1, C}), ys = forward(r, shifted, {1, C});
        CHECK(y == ys);
        double sum = 0;
        for (float v : y) sum += v;
        // Each output is within the op's relative bound (softmax_op.cpp; here |t| <= 20, C = 37,
        // v4's k = 5: under 150u), and the weights add up to 1, so the sum is within 150u of 1
        // (added in double: no further rounding). We allow 300u.
        CHECK(sum == Approx(1.0).epsilon(300 * u));
    }
}

TEST_CASE("softmax forward cpu: a masked tail is skipped and gives the softmax of the rest", "[softmax][cpu]") {
    // {1, -inf, 2, -inf, -inf}: the trailing -inf run is zeroed without an exp; the -inf
    // inside the row goes through exp(-inf - max) = 0. The kept entries are the softmax of
    // {1, 2}, the same operations in the same order: the same bits.
    const float x[] = {1.0f, -kInf, 2.0f, -kInf, -kInf}, kept[] = {1.0f, 2.0f};
    float y[5], yk[2];
    softmax_forward_cpu(y, x, 1, 5);
    softmax_forward_cpu(yk, kept, 1, 2);
    CHECK(y[0] == yk[0]);
    CHECK(y[2] == yk[1]);
    CHECK(y[1] == 0.0f);
    CHECK(y[3] == 0.0f);
    CHECK(y[4] == 0.0f);
    // double: 1 / (1 + e) and e / (1 + e), e = exp(1), within a few ulp.
    const double xd[] = {1.0, 2.0};
    double yd[2];
    softmax_forward_cpu(yd, xd, 1, 2);
    CHECK(yd[0] == Approx(1 / (1 + std::exp(1.0))).epsilon(1e-15));
    CHECK(yd[1] == Approx(std::exp(1.0) / (1 + std::exp(1.0))).epsilon(1e-15));
    // A row with nothing finite has no softmax: an error naming the row.
    const float all_masked[] = {0.0f, 1.0f, -kInf, -kInf};
    float y2[4];
    REQUIRE_THROWS_WITH(softmax_forward_cpu(y2, all_masked, 2, 2),
                        Catch::Contains("row 1 of (2, 2) holds no finite value"));
}

TEST_CASE("softmax backward: a worked example on cpu and every GPU version, dinp overwritten",
          "[softmax][simt]") {
    // Row 0: out {1/4, 1/4, 1/2}, dout {4, 0, 2}: d = 1 + 0 + 1 = 2,
    //   dinp = {1/4 (4 - 2), 1/4 (0 - 2), 1/2 (2 - 2)} = {1/2, -1/2, 0} (exact in fp32), summing to 0.
    // Row 1: out {1/2, 1/2, 0} (a masked third entry), dout {1, 3, 100}: d = 2,
    //   dinp = {-1/2, 1/2, 0}: the masked entry's gradient is 0 whatever its dout.
    const std::vector<float> out{0.25f, 0.25f, 0.5f, 0.5f, 0.5f, 0.0f}, dout{4, 0, 2, 1, 3, 100};
    const std::vector<float> expected{0.5f, -0.5f, 0.0f, -0.5f, 0.5f, 0.0f};
    for (const Run& r : runs(softmax_backward_gpu_versions)) {
        INFO(r.str());
        const Backend be = backend_for(r, "softmax_backward");
        const Tensor y = be.upload(out, {2, 3}), dy = be.upload(dout, {2, 3});
        Tensor dx = be.empty({2, 3});
        dx.fill(7.0f);   // overwritten, not added to
        softmax_backward(be, dx, y, dy);
        CHECK(dx.to_vector() == expected);
    }
}

TEST_CASE("causal_mask: a worked example on cpu and simt, rank 3 and rank 4", "[softmax][simt]") {
    // scores 1..9 as (3,3): row t keeps s <= t.
    std::vector<float> scores(18);
    for (std::size_t i = 0; i < scores.size(); ++i) scores[i] = static_cast<float>(i % 9 + 1);
    const std::vector<float> one{1, -kInf, -kInf, 4, 5, -kInf, 7, 8, 9};
    std::vector<float> two = one;
    two.insert(two.end(), one.begin(), one.end());
    for (const Run& r : runs(causal_mask_gpu_versions)) {
        INFO(r.str());
        const Backend be = backend_for(r, "causal_mask");
        Tensor s3 = be.upload(std::span(scores).first(9), {3, 3});
        causal_mask(be, s3);
        CHECK(s3.to_vector() == one);
        Tensor s4 = be.upload(scores, {1, 2, 3, 3});   // (B, NH, T, T): two heads
        causal_mask(be, s4);
        CHECK(s4.to_vector() == two);
        causal_mask(be, s4);   // idempotent
        CHECK(s4.to_vector() == two);
    }
}

TEST_CASE("causal_mask then softmax: equal scores give each query a uniform average over its past",
          "[softmax][simt]") {
    // Row t of equal scores, masked, is uniform over the t + 1 keys s <= t: {1, 0, 0},
    // {1/2, 1/2, 0}, {1/3, 1/3, 1/3}; every exp is exp(0) = 1 and the sums are exact, so the
    // results are the correctly rounded 1/(t + 1) on every device and version.
    const std::vector<float> x(9, 0.75f);
    const float third = 1.0f / 3.0f;
    const std::vector<float> expected{1, 0, 0, 0.5f, 0.5f, 0, third, third, third};
    for (const Run& r : runs(softmax_forward_gpu_versions)) {
        INFO(r.str());
        const Backend be = backend_for(r, "softmax");
        Tensor s = be.upload(x, {1, 3, 3});
        causal_mask(be, s);
        Tensor att = be.empty({1, 3, 3});
        softmax_forward(be, att, s);
        CHECK(att.to_vector() == expected);
    }
}

TEST_CASE("online softmax: merging states is the state of the union, in any order, and -inf is safe",
          "[softmax][cpu]") {
    Rng rng(11);
    std::vector<float> x(200);
    rng.fill_normal(x, 0.0f, 3.0f);
    x[17] = -kInf;
    double m = -kInf, S = 0;   // the exact state, in double
    for (float v : x) m = std::max(m, static_cast<double>(v));
    for (float v : x) S += std::exp(v - m);
    // Left to right, and as two halves merged.
    OnlineSoftmax all, left, right;
    for (std::size_t i = 0; i < x.size(); ++i) {
        all = online_softmax_add(all, x[i]);
        OnlineSoftmax& half = i < 77 ? left : right;
        half = online_softmax_add(half, x[i]);
    }
    const OnlineSoftmax merged = online_softmax_merge(left, right);
    // The max is exact in any order. The sum: 199 finite terms, each rescaled at most 199
    // times by exp(-D) (D adding up to at most max - x_j <= 25 here) with 5u per rescale
    // (softmax_op.cpp), plus gamma_199: under (2 * 25 + 4 + 5 * 199 + 199) u ~ 1250u; we allow 2000u.
    CHECK(all.max == static_cast<float>(m));
    CHECK(merged.max == all.max);
    CHECK(all.sum == Approx(S).epsilon(2000 * u));
    CHECK(merged.sum == Approx(S).epsilon(2000 * u));
    // Bitwise symmetric (what keeps a butterfly's lanes equal), a tie included.
    const OnlineSoftmax a{1.5f, 3.25f}, b{-0.5f, 7.0f}, tie{1.5f, 0.1f};
    for (const auto& [p, q] : {std::pair{a, b}, std::pair{a, tie}, std::pair{left, right}}) {
        CHECK(online_softmax_merge(p, q).max == online_softmax_merge(q, p).max);
        CHECK(online_softmax_merge(p, q).sum == online_softmax_merge(q, p).sum);
    }
    // {1.5, 3.25} with {-0.5, 7}: 3.25 + 7 exp(-2) (one exp, one product, one sum: a few u).
    CHECK(online_softmax_merge(a, b).max == 1.5f);
    CHECK(online_softmax_merge(a, b).sum == Approx(3.25 + 7 * std::exp(-2.0)).epsilon(8 * u));
    // The empty state {-inf, 0} is the identity; two empties stay empty (no -inf - -inf = NaN);
    // adding -inf changes nothing.
    const OnlineSoftmax empty;
    CHECK(online_softmax_merge(a, empty).max == a.max);
    CHECK(online_softmax_merge(empty, a).sum == a.sum);
    const OnlineSoftmax ee = online_softmax_merge(empty, empty);
    CHECK(ee.max == -kInf);
    CHECK(ee.sum == 0.0f);
    CHECK(online_softmax_add(empty, -kInf).sum == 0.0f);
    CHECK(online_softmax_add(a, -kInf).sum == a.sum);
    // A value alone: {x, 1}. A larger one rescales: {0, 1} + 1 = {1, 1 + exp(-1)}.
    CHECK(online_softmax_add(empty, 0.0f).sum == 1.0f);
    const OnlineSoftmax two = online_softmax_add(online_softmax_add(empty, 0.0f), 1.0f);
    CHECK(two.max == 1.0f);
    CHECK(two.sum == Approx(1 + std::exp(-1.0)).epsilon(8 * u));
}

TEST_CASE("softmax, softmax_backward, causal_mask on Tensors: shape, dtype and device errors", "[softmax][cpu]") {
    const Backend be(Device::cpu);
    Tensor a = be.zeros({2, 3}), b = be.zeros({2, 4}), c = be.zeros({2, 3});
    REQUIRE_THROWS_WITH(softmax_forward(be, b, a), Catch::Contains("out (2, 4) and inp (2, 3) must have the same shape"));
    Tensor scalar = be.zeros(Shape{}), scalar_out = be.zeros(Shape{});
    REQUIRE_THROWS_WITH(softmax_forward(be, scalar_out, scalar), Catch::Contains("needs rank >= 1"));
    Tensor ints = be.zeros({2, 3}, DType::i32);
    REQUIRE_THROWS_WITH(softmax_forward(be, c, ints), Catch::Contains("must be float32"));
    REQUIRE_THROWS_WITH(softmax_backward(be, b, a, c), Catch::Contains("dinp (2, 4) and out (2, 3)"));
    REQUIRE_THROWS_WITH(softmax_backward(be, c, a, b), Catch::Contains("dout (2, 4) and out (2, 3)"));
    Tensor not_square = be.zeros({2, 3, 4});
    REQUIRE_THROWS_WITH(causal_mask(be, not_square), Catch::Contains("(2, 3, 4)") && Catch::Contains("(..., T, T)"));
    Tensor row = be.zeros({5});
    REQUIRE_THROWS_WITH(causal_mask(be, row), Catch::Contains("scores has shape (5,)"));
    const Backend simt(Device::simt);
    Tensor on_simt = simt.zeros({2, 3});
    REQUIRE_THROWS_WITH(softmax_forward(be, c, on_simt), Catch::Contains("inp is on simt but the backend is cpu"));
    // Rank 1 and rank 4: the last dimension is the row, whatever comes before.
    Tensor x1 = be.upload(std::vector<float>{0.0f, 0.0f}, {2}), y1 = be.empty({2});
    softmax_forward(be, y1, x1);
    CHECK(y1.to_vector() == std::vector<float>{0.5f, 0.5f});
    Tensor x4 = be.zeros({2, 1, 2, 4}), y4 = be.empty({2, 1, 2, 4});
    softmax_forward(be, y4, x4);
    CHECK(y4.to_vector() == std::vector<float>(16, 0.25f));
}
