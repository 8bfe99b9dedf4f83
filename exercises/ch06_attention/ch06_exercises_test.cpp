// ch06_exercises_test.cpp: checks chapter 6's exercises against the chapter's ops (softmax,
// causal_mask, merge_heads, attention_backward_cpu) and core/nn's sinusoidal_positions, on
// fresh random inputs with outputs poisoned. Tags [ch06][ex6.N]: `./ladder exercise ch06` runs
// them in order.
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/gpu_dispatch.hpp"
#include "core/nn/positions.hpp"
#include "exercises/ch06_attention/exercises.hpp"
#include "exercises/common/exercise.hpp"
#include "kernels/attention/attention.hpp"
#include "kernels/error_bounds.hpp"

using namespace ladder;

namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr double u = kFp32Unit;

// [book:ex-online-bounds]
// Exercise 6.2's row softmax against a reference, per element, first order in u (the 1.01
// covers the rest). With t_c = x_c - max, e_c = exp(t_c), S = sum_c e_c, W = sum_c e_c |t_c| / S:
//   the online pass: e_c is first computed against the max so far, exp(x_c - m') (the
//     subtraction moves the exponent by u |x_c - m'|; exp within 2 ulp, 4u); whenever the max
//     then grows by D its partial sum is multiplied by exp(-D) (exponent u D, exp 4u, product u).
//     The D's along a term's path add up to at most |t_c| - |x_c - m'|, so the exponent errors
//     total at most |t_c| u, and a term is rescaled at most k = C - 1 times (the max can grow
//     at every entry: an ascending row): the C - 1 additions give gamma_{C-1}, so S is within
//     gamma_{C-1} + (2W + 4 + 5k) u, relative; out_c = exp(t_c) / S adds (|t_c| + 4) u + u.
//     rel_ex(c) = (|t_c| + 4) u + gamma_{C-1} + (2W + 4 + 5 (C - 1)) u + u.
//   softmax_forward_cpu (kernels/softmax/softmax_op.cpp derives it): exp within 1 ulp,
//     rel_ref(c) = (|t_c| + 2) u + gamma_{C-1} + (W + 2) u + u.
//   the direct two-pass form below, in double, then rounded once to float: rel_2p = u.
// Two sides differ by at most the sum of their two relative bounds times |out_c|. The floor
// 1e-37 covers outputs below float's normal range (an absolute 2^-149, not a relative u);
// masked entries are 0 on both sides, exactly.
// [/book]
std::map<std::string, std::vector<double>> online_bounds(const Problem& ref, bool against_double) {
    const std::size_t R = ref["R"], C = ref["C"];
    const float *x = ref.f32("inp"), *y = ref.f32("out");
    const double g = gamma_n(static_cast<double>(C - 1)), k = static_cast<double>(C - 1);
    std::vector<double> b(R * C);
    for (std::size_t r = 0; r < R; ++r) {
        const float* x_r = x + r * C;
        const double m = *std::max_element(x_r, x_r + C);
        double S = 0, SW = 0;
        for (std::size_t c = 0; c < C; ++c)
            if (x_r[c] != -kInf) {
                const double t = x_r[c] - m, e = std::exp(t);
                S += e;
                SW += e * -t;
            }
        const double W = SW / S;
        for (std::size_t c = 0; c < C; ++c) {
            const double t = std::fabs(x_r[c] - m);
            if (std::isinf(t)) {
                b[r * C + c] = 0;
                continue;
            }
            const double rel_ex = (t + 4) * u + g + (2 * W + 4 + 5 * k) * u + u;
            const double rel_other = against_double ? u : (t + 2) * u + g + (W + 2) * u + u;
            b[r * C + c] = 1.01 * (rel_ex + rel_other) * std::fabs(y[r * C + c]) + 1e-37;
        }
    }
    return {{"out", std::move(b)}};
}

// The softmax op's cases and inputs (rows off the warp and block sizes, causal rows with
// trailing -inf, 20x outliers), with exercise 6.2's bounds; against_double: the reference is
// the direct two-pass computation in double instead of softmax_forward_cpu.
OpSpec online_softmax_op(bool against_double) {
    OpSpec op = registry().get("softmax");
    op.versions.clear();
    op.error_bounds = [against_double](const Problem& ref) { return online_bounds(ref, against_double); };
    if (against_double)
        op.reference = {"two-pass", "max, then sum of exp in double, then divide; rounded once", [](Problem& p) {
                            const std::size_t R = p["R"], C = p["C"];
                            for (std::size_t r = 0; r < R; ++r) {
                                const float* x = p.f32("inp") + r * C;
                                float* y = p.f32("out") + r * C;
                                const double m = *std::max_element(x, x + C);
                                double S = 0;
                                for (std::size_t c = 0; c < C; ++c) S += std::exp(static_cast<double>(x[c]) - m);
                                for (std::size_t c = 0; c < C; ++c)
                                    y[c] = static_cast<float>(std::exp(static_cast<double>(x[c]) - m) / S);
                            }
                        }};
    return op;
}

std::string str(ex06::MaxSum s) {
    std::ostringstream o;
    o << "{max " << s.max << ", sum " << s.sum << "}";
    return o.str();
}

// Exercise 6.4's op: dv of attention_backward_cpu (which computes dq, dk and dpreatt too) on
// a real causal attention matrix, from the forward reference on random q, k, v.
OpSpec attention_dv_op() {
    OpSpec op("attention_dv", "ch06", "dv (BH,T,hs) = att (BH,T,T)^T dout (BH,T,hs), per head (overwritten)");
    // One head of one position, sizes off any blocking, and GPT-2's hs 64.
    op.test_cases = cases({"BH", "T", "hs"}, {{1, 1, 1}, {2, 5, 3}, {3, 17, 8}, {2, 33, 16}, {1, 70, 64}});
    op.make = [](const Case& c, Rng& rng) {
        Problem p(c);
        const std::size_t BH = c["BH"], T = c["T"], hs = c["hs"];
        for (const char* name : {"q", "k", "v"}) fill_test_values(rng, p.add_f32(name, Role::in, Shape{BH, T, hs}), hs);
        std::vector<float> out(BH * T * hs);
        auto att = p.add_f32("att", Role::in, Shape{BH, T, T});
        attention_forward_cpu(out.data(), att.data(), p.f32("q"), p.f32("k"), p.f32("v"), BH, T, hs,
                              1.0f / std::sqrt(static_cast<float>(hs)));
        fill_test_values(rng, p.add_f32("dout", Role::in, Shape{BH, T, hs}), hs);
        p.add_f32("dv", Role::out, Shape{BH, T, hs});
        return p;
    };
    op.reference = {"attention", "the dv of attention_backward_cpu", [](Problem& p) {
                        const std::size_t BH = p["BH"], T = p["T"], hs = p["hs"];
                        std::vector<float> dq(BH * T * hs), dk(BH * T * hs), dpreatt(BH * T * T);
                        attention_backward_cpu(dq.data(), dk.data(), p.f32("dv"), dpreatt.data(), p.f32("dout"),
                                               p.f32("q"), p.f32("k"), p.f32("v"), p.f32("att"), BH, T, hs,
                                               1.0f / std::sqrt(static_cast<float>(hs)));
                    }};
    // dv[s][i] = sum_t att[t][s] dout[t][i]: a dot product of T terms (the zeros above the
    // diagonal are exact), in any order on either side: the bound of error_bounds.hpp with
    // alpha = 1, beta = 0, 2 gamma_{T+2} 2 S, S = sum_t |att[t][s]| |dout[t][i]|.
    op.error_bounds = [](const Problem& ref) {
        const std::size_t BH = ref["BH"], T = ref["T"], hs = ref["hs"];
        const float *att = ref.f32("att"), *dout = ref.f32("dout");
        std::vector<double> S(BH * T * hs, 0.0);
        for (std::size_t bh = 0; bh < BH; ++bh)
            for (std::size_t t = 0; t < T; ++t)
                for (std::size_t s = 0; s < T; ++s)
                    for (std::size_t i = 0; i < hs; ++i)
                        S[(bh * T + s) * hs + i] +=
                            std::fabs(static_cast<double>(att[(bh * T + t) * T + s]) * dout[(bh * T + t) * hs + i]);
        dot_product_bounds(S, T, 1.0f, 0.0f, ref.f32("dv"));
        return std::map<std::string, std::vector<double>>{{"dv", std::move(S)}};
    };
    return op;
}

}  // namespace

TEST_CASE("ex6.1 softmax_block_kernel matches the softmax op", "[ch06][ex6.1]") {
    // The softmax op's cases (rows of 1..1000 entries, causal rows whose blocks hold mostly
    // -inf) and its per-element bound for a GPU version (kernels/softmax/softmax_op.cpp).
    const OpSpec& op = registry().get("softmax");
    exercise::check_gpu_exercise(
        "ex6.1", op, op.test_cases,
        [](Device d, Problem& p) {
            LADDER_GPU_CALL(d, ex06::softmax_block_kernel, p.f32("out"), p.f32("inp"), p["R"], p["C"]);
        },
        "one block per row (blockIdx.x); start max at -INFINITY and sum at 0 for threads with no entries; "
        "__syncthreads() after writing partial, after each tree level, and after reading partial[0].");
}

TEST_CASE("ex6.2 merge_max_sum and softmax_online: the online softmax", "[ch06][ex6.2]") {
    const std::string hint_merge =
        "hi = the side with the larger max; return hi when lo.max is -inf; else {hi.max, hi.sum + lo.sum * "
        "exp(lo.max - hi.max)}.";
    auto require_same = [&](ex06::MaxSum a, ex06::MaxSum b, ex06::MaxSum want) {
        for (const auto& [x, y] : {std::pair{a, b}, std::pair{b, a}}) {
            const ex06::MaxSum got = ex06::merge_max_sum(x, y);
            if (!(got.max == want.max && got.sum == want.sum))
                FAIL("ex6.2: merge_max_sum(" << str(x) << ", " << str(y) << ") = " << str(got) << ", expected "
                                             << str(want) << "\n  hint: " << hint_merge);
        }
    };
    // The empty state {-inf, 0} is the identity, exactly, and two empty states merge into one
    // (the naive formula gives 0 * exp(-inf - -inf) = 0 * exp(NaN) = NaN there). A masked value
    // {-inf, 1} adds nothing either. Equal maxima: the sums add (exp(0) = 1; 2 + 3 is exact).
    const ex06::MaxSum empty{-kInf, 0.0f};
    require_same(empty, empty, empty);
    require_same(empty, {2.0f, 3.0f}, {2.0f, 3.0f});
    require_same({-kInf, 1.0f}, {-1.5f, 2.0f}, {-1.5f, 2.0f});
    require_same({0.5f, 2.0f}, {0.5f, 3.0f}, {0.5f, 5.0f});
    // Random states (maxima N(0, 1) with 20x outliers, sums in [1, 100]) against the formula in
    // double on the same floats. The max is exact. The sum: the exponent lo.max - hi.max = -D
    // rounds (u D), exp within 2 ulp (4u), the product and the addition round (u each), so
    // the rescaled term is within (D + 5) u and the total within (D + 6) u of S, relative
    // (both terms positive); 1.01 covers the second-order terms.
    Rng rng(62);
    std::vector<float> maxima(400);
    fill_test_values(rng, maxima, 20);
    for (std::size_t j = 0; j + 1 < maxima.size(); j += 2) {
        const ex06::MaxSum a{maxima[j], 1 + 99 * rng.uniform()}, b{maxima[j + 1], 1 + 99 * rng.uniform()};
        const ex06::MaxSum& hi = a.max >= b.max ? a : b;
        const ex06::MaxSum& lo = a.max >= b.max ? b : a;
        const double D = static_cast<double>(hi.max) - lo.max;
        const double S = hi.sum + static_cast<double>(lo.sum) * std::exp(-D);
        for (const auto& [x, y] : {std::pair{a, b}, std::pair{b, a}}) {
            const ex06::MaxSum got = ex06::merge_max_sum(x, y);
            if (!(got.max == hi.max && std::fabs(got.sum - S) <= 1.01 * (D + 6) * u * S))
                FAIL("ex6.2: merge_max_sum(" << str(x) << ", " << str(y) << ") = " << str(got) << ", expected {max "
                                             << hi.max << ", sum " << S << "}\n  hint: " << hint_merge);
        }
    }
    // The row softmax, on the softmax op's rows, against softmax_forward_cpu and against the
    // direct two-pass computation in double.
    const std::string hint_row =
        "start from MaxSum{} (the empty state), merge {inp[c], 1} for every c, then out[c] = exp(inp[c] - max) / sum.";
    auto run = [](Problem& p) {
        const std::size_t R = p["R"], C = p["C"];
        for (std::size_t r = 0; r < R; ++r) ex06::softmax_online(p.f32("out") + r * C, p.f32("inp") + r * C, C);
    };
    for (const bool against_double : {false, true}) {
        const OpSpec op = online_softmax_op(against_double);
        exercise::check_cpu_exercise(against_double ? "ex6.2 (against two passes in double)"
                                                    : "ex6.2 (against softmax_forward_cpu)",
                                     op, op.test_cases, run, hint_row);
    }
}

TEST_CASE("ex6.3 causal_mask_kernel matches the causal_mask op", "[ch06][ex6.3]") {
    const OpSpec& op = registry().get("causal_mask");
    exercise::check_gpu_exercise(
        "ex6.3", op, op.test_cases,
        [](Device d, Problem& p) { LADDER_GPU_CALL(d, ex06::causal_mask_kernel, p.f32("scores"), p["BH"], p["T"]); },
        "key s = i % T, query t = (i / T) % T; -INFINITY only where s > t; the rest stays as it was.");
}

TEST_CASE("ex6.4 attention_dv matches attention_backward_cpu's dv", "[ch06][ex6.4]") {
    const OpSpec op = attention_dv_op();
    exercise::check_cpu_exercise(
        "ex6.4", op, op.test_cases,
        [](Problem& p) { ex06::attention_dv(p.f32("dv"), p.f32("att"), p.f32("dout"), p["BH"], p["T"], p["hs"]); },
        "dv[bh][s][i] = sum over t of att[bh][t][s] * dout[bh][t][i] (att transposed: its row is the query t); "
        "zero dv first.");
}

TEST_CASE("ex6.5 merge_heads_kernel matches the merge_heads op", "[ch06][ex6.5]") {
    // The heads op's cases (hs 1, 5, 24, 33, 64: warps that span runs) and its exact comparison.
    const OpSpec& op = registry().get("merge_heads");
    exercise::check_gpu_exercise(
        "ex6.5", op, op.test_cases,
        [](Device d, Problem& p) {
            LADDER_GPU_CALL(d, ex06::merge_heads_kernel, p.f32("out"), p.f32("inp"), p["B"], p["T"], p["NH"],
                            p["hs"]);
        },
        "one thread per element of out: j = i % hs, h = (i / hs) % NH, t = (i / C) % T, b = i / (C * T); "
        "read inp[((b * NH + h) * T + t) * hs + j].");
}

TEST_CASE("ex6.6 sinusoidal_positions matches core/nn's table", "[ch06][ex6.6]") {
    // Both compute in double and round once to float: each is within 2^-53-ish relative of
    // the true value before the rounding (pow and the product t * frequency: about 2 ulp of
    // double, so the angle is within 4.5e-13 for t < 2048; sin and cos move by at most that),
    // so the two doubles differ by under 1e-12 and the floats they round to by at most that
    // plus one ulp of float (<= 2u |P|). We allow 4u |P| + 1e-12. Code that forms the angle in
    // float is off by up to t * 2^-24 (6e-5 at t = 1000): far outside.
    const std::vector<std::pair<std::size_t, std::size_t>> shapes = {{1, 2}, {5, 2}, {7, 6}, {64, 16}, {2048, 96}};
    for (const auto& [T, C] : shapes) {
        const std::vector<float> want = sinusoidal_positions(T, C);
        const std::vector<float> got = ex06::sinusoidal_positions(T, C);
        if (got.size() != want.size())
            FAIL("ex6.6: sinusoidal_positions(" << T << ", " << C << ") returned " << got.size()
                                                << " values, expected T * C = " << want.size());
        for (std::size_t k = 0; k < want.size(); ++k) {
            const double tol = 4 * u * std::fabs(want[k]) + 1e-12;
            if (!(std::fabs(static_cast<double>(got[k]) - want[k]) <= tol))
                FAIL("ex6.6: sinusoidal_positions(" << T << ", " << C << "): P[" << k / C << "][" << k % C
                                                    << "]: expected " << want[k] << ", got " << got[k]
                                                    << "\n  hint: column 2i is sin, 2i+1 cos, of t * 10000^(-2i/C), "
                                                       "computed in double.");
        }
    }
    // An odd width has no (sin, cos) pairs: an error, not a half-filled table.
    try {
        (void)ex06::sinusoidal_positions(4, 5);
        FAIL("ex6.6: sinusoidal_positions(4, 5) returned a table\n  hint: LADDER_CHECK that C is even and positive.");
    } catch (const Error&) {
        SUCCEED("an odd C is a ladder::Error");
    }
}
