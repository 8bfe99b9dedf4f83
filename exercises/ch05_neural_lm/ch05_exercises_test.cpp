// ch05_exercises_test.cpp: checks chapter 5's exercises against the chapter's count model,
// core/nn's sample_token and the reference kernels (tanh, linear, adamw, matmul), on fresh
// random inputs with outputs poisoned. Tags [ch05][ex5.N]: `./ladder exercise ch05` runs them in order.
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <sstream>

#include "chapters/ch05_neural_lm/bigram_count.hpp"
#include "core/gpu_dispatch.hpp"
#include "core/nn/sampling.hpp"
#include "exercises/ch05_neural_lm/exercises.hpp"
#include "exercises/common/exercise.hpp"
#include "kernels/error_bounds.hpp"
#include "kernels/matmul/matmul.hpp"
#include "kernels/tanh/tanh.hpp"

using namespace ladder;

namespace {

// A token stream of n ids in [0, V), skewed toward small ids (id = V u^3): some pairs occur
// hundreds of times, most never, and for V large many ids never appear as "prev" at all.
std::vector<std::int32_t> skewed_tokens(Rng& rng, std::size_t n, std::size_t V) {
    std::vector<std::int32_t> t(n);
    for (auto& id : t) {
        const float u = rng.uniform();
        id = static_cast<std::int32_t>(std::min<std::size_t>(V - 1, static_cast<std::size_t>(V * u * u * u)));
    }
    return t;
}

// The adamw registry entry's case -> config (kernels/adamw/adamw_op.cpp: lr 0.05, weight decay
// 0.1 under wd, grad_scale 0.37 under clip, PyTorch's betas and eps). If that entry changes
// and this does not, the solution's test fails: the mismatch is seen, not hidden.
struct AdamWStep {
    AdamWConfig cfg;
    int step = 1;
    float grad_scale = 1.0f;
};
AdamWStep adamw_step(const Case& c) {
    AdamWStep a;
    a.cfg.lr = 0.05f;
    a.cfg.weight_decay = c.get("wd", 0) ? 0.1f : 0.0f;
    a.step = static_cast<int>(c["t"]);
    a.grad_scale = c.get("clip", 0) ? 0.37f : 1.0f;
    return a;
}

// S = abs_a |op(b)| per element (abs_a already >= 0, in double): the S of the dot-product bounds.
std::vector<double> abs_products(const std::vector<double>& abs_a, const float* b, MatmulDims d) {
    std::vector<double> abs_b(d.K * d.N), s(d.M * d.N);
    for (std::size_t i = 0; i < abs_b.size(); ++i) abs_b[i] = std::fabs(b[i]);
    d.alpha = 1;
    d.beta = 0;
    matmul_cpu(s.data(), abs_a.data(), abs_b.data(), d);
    return s;
}

// Exercise 5.6's op: one step of RnnLm::backward's loop, referenced by the same calls it makes
// (tanh_backward_cpu into a zeroed dpre, then two matmuls with beta = 1).
OpSpec bptt_step_op() {
    OpSpec op("bptt_step", "ch05", "dpre = (1 - h_t^2) dh_t; dw_hh += dpre^T h_prev; dh_prev += dpre w_hh");
    // One row and one unit, sizes off any blocking, and H = 129 with B = 64.
    op.test_cases = cases({"B", "H"}, {{1, 1}, {2, 5}, {7, 33}, {33, 70}, {64, 129}});
    op.make = [](const Case& c, Rng& rng) {
        Problem p(c);
        const std::size_t B = c["B"], H = c["H"];
        // h_t and h_prev are real tanh outputs of test values (in [-1, 1], some saturated).
        std::vector<float> x(B * H);
        for (const char* name : {"h_t", "h_prev"}) {
            fill_test_values(rng, x, H);
            auto h = p.add_f32(name, Role::in, Shape{B, H});
            tanh_forward_cpu(h.data(), x.data(), B * H);
        }
        fill_test_values(rng, p.add_f32("dh_t", Role::in, Shape{B, H}), H);
        fill_test_values(rng, p.add_f32("w_hh", Role::in, Shape{H, H}), H);
        p.add_f32("dpre", Role::out, Shape{B, H});
        // The gradients accumulate: they start with values, so code that overwrites fails.
        fill_test_values(rng, p.add_f32("dw_hh", Role::inout, Shape{H, H}), H);
        fill_test_values(rng, p.add_f32("dh_prev", Role::inout, Shape{B, H}), H);
        return p;
    };
    op.reference = {
        "composed", "tanh_backward_cpu, then matmul_cpu twice with beta = 1 (RnnLm::backward)", [](Problem& p) {
            const std::size_t B = p["B"], H = p["H"];
            float* dpre = p.f32("dpre");
            std::fill(dpre, dpre + B * H, 0.0f);
            tanh_backward_cpu(dpre, p.f32("h_t"), p.f32("dh_t"), B * H);
            // dw_hh (H,H) += dpre^T (H,B) h_prev (B,H);  dh_prev (B,H) += dpre (B,H) w_hh (H,H)
            matmul_cpu(p.f32("dw_hh"), dpre, p.f32("h_prev"),
                       MatmulDims{.M = H, .N = H, .K = B, .ta = true, .beta = 1.0f});
            matmul_cpu(p.f32("dh_prev"), dpre, p.f32("w_hh"), MatmulDims{.M = B, .N = H, .K = H, .beta = 1.0f});
        }};
    // dpre: each side computes (1 - h h) dh in 3 roundings (4 with the reference's + 0, which is
    // exact), so within gamma_4 T of the exact value, T = |dh| (1 + h^2); they differ by 2 gamma_4 T.
    // dw_hh and dh_prev: each side's dot product uses its own dpre, within gamma_4 T of exact, so
    // its sum is within gamma_{K+2} (S + |old|) + gamma_4 S of the exact one (S the sum of
    // |products| with T for |dpre|, K = B for dw_hh, H for dh_prev); gamma_a + gamma_b <=
    // gamma_{a+b}, so that is within gamma_{K+6} (S + |old|): dot_product_bounds with n = K + 4.
    op.error_bounds = [](const Problem& ref) {
        const std::size_t B = ref["B"], H = ref["H"];
        const float *h_t = ref.f32("h_t"), *dh_t = ref.f32("dh_t");
        std::vector<double> t(B * H), b_dpre(B * H);
        for (std::size_t k = 0; k < B * H; ++k) {
            t[k] = std::fabs(dh_t[k]) * (1 + static_cast<double>(h_t[k]) * h_t[k]);
            b_dpre[k] = 2 * gamma_n(4) * t[k] + 1e-37;
        }
        auto b_dw = abs_products(t, ref.f32("h_prev"), MatmulDims{.M = H, .N = H, .K = B, .ta = true});
        dot_product_bounds(b_dw, B + 4, 1.0f, 1.0f, ref.f32("dw_hh"));
        auto b_dh = abs_products(t, ref.f32("w_hh"), MatmulDims{.M = B, .N = H, .K = H});
        dot_product_bounds(b_dh, H + 4, 1.0f, 1.0f, ref.f32("dh_prev"));
        return std::map<std::string, std::vector<double>>{
            {"dpre", std::move(b_dpre)}, {"dw_hh", std::move(b_dw)}, {"dh_prev", std::move(b_dh)}};
    };
    return op;
}

}  // namespace

TEST_CASE("ex5.1 count_bigrams and bigram_log_probs match the chapter's count model", "[ch05][ex5.1]") {
    Rng rng(51);
    // (V, n): one token type, streams with no pair and one pair, and V = 300 with most rows empty.
    const std::vector<std::pair<std::size_t, std::size_t>> shapes = {{1, 5},   {2, 0},     {2, 1},     {7, 2},
                                                                     {7, 500}, {50, 3000}, {300, 2000}};
    for (const auto& [V, n] : shapes) {
        const std::vector<std::int32_t> tokens = skewed_tokens(rng, n, V);
        const std::vector<std::uint32_t> want = ch05::count_bigrams(tokens, V);
        const std::vector<std::uint32_t> got = ex05::count_bigrams(tokens, V);
        if (got.size() != want.size())
            FAIL("ex5.1: count_bigrams for V = " << V << " returned " << got.size()
                                                 << " counts, expected V * V = " << want.size());
        for (std::size_t k = 0; k < want.size(); ++k)
            if (got[k] != want[k])
                FAIL("ex5.1: count_bigrams, V = " << V << ", " << n << " tokens: counts[" << k << "] (prev " << k / V
                                                  << ", next " << k % V << "): expected " << want[k] << ", got "
                                                  << got[k]
                                                  << "\n  hint: pairs are (tokens[i], tokens[i + 1]) for i + 1 < n; "
                                                     "the row is the first token.");
        // The reference's counts, so that a counting bug above is not reported twice.
        for (const double alpha : {1.0, 0.1, 1e-3}) {
            const std::vector<float> lp_want = ch05::bigram_log_probs(want, V, alpha);
            const std::vector<float> lp_got = ex05::bigram_log_probs(want, V, alpha);
            if (lp_got.size() != lp_want.size())
                FAIL("ex5.1: bigram_log_probs for V = " << V << " returned " << lp_got.size() << " values, expected "
                                                        << lp_want.size());
            for (std::size_t prev = 0; prev < V; ++prev) {
                double total = 0;
                for (std::size_t next = 0; next < V; ++next) total += want[prev * V + next];
                const double l2 = std::log(total + alpha * static_cast<double>(V));
                for (std::size_t next = 0; next < V; ++next) {
                    const std::size_t k = prev * V + next;
                    // The reference works in double and rounds once (within u |lp|). Code in float
                    // rounds each log's argument (up to 2 roundings: u each, absolute, in the
                    // log), each logf is within 1 ulp (2u |L|) and the difference rounds once
                    // (u |lp|): within 2u (|L1| + |L2|) + 3u + u |lp|. With |lp| <= |L1| + |L2|,
                    // both sides together stay within 4u (|L1| + |L2| + 1), L1 = log(count + alpha),
                    // L2 = log(total + alpha V).
                    const double l1 = std::log(want[k] + alpha);
                    const double tol = 4 * kFp32Unit * (std::fabs(l1) + std::fabs(l2) + 1);
                    if (!(std::fabs(static_cast<double>(lp_got[k]) - lp_want[k]) <= tol))
                        FAIL("ex5.1: bigram_log_probs, V = " << V << ", alpha " << alpha << ": log_probs[" << k
                                                             << "] (prev " << prev << ", next " << next << ", count "
                                                             << want[k] << ", row total " << total << "): expected "
                                                             << lp_want[k] << ", got " << lp_got[k]
                                                             << "\n  hint: log(count + alpha) - log(row total + alpha "
                                                                "V), in double; the row total is over next.");
                }
            }
        }
    }
}

TEST_CASE("ex5.2 sample_temperature draws what sample_token draws", "[ch05][ex5.2]") {
    Rng make(52);
    for (const std::size_t V : {1u, 2u, 5u, 64u, 1000u}) {
        for (int variant = 0; variant < 3; ++variant) {
            // N(0, 1) logits with 20x outliers (peaked rows), scaled by 1, 4 or 0.25; variant 1 ties
            // the max at a later index (the argmax is the first), variant 2 masks every 7th
            // logit with -inf (never the first, so something stays drawable).
            std::vector<float> logits(V);
            fill_test_values(make, logits, V);
            const float scale = variant == 0 ? 1.0f : variant == 1 ? 4.0f : 0.25f;
            for (float& l : logits) l *= scale;
            if (variant == 1 && V > 1) {
                std::size_t best = 0;
                for (std::size_t i = 1; i < V; ++i)
                    if (logits[i] > logits[best]) best = i;
                logits[V - 1] = logits[best];
            }
            if (variant == 2)
                for (std::size_t i = 6; i < V; i += 7) logits[i] = -std::numeric_limits<float>::infinity();
            for (const float temperature : {0.0f, 0.3f, 1.0f, 2.5f}) {
                // Two generators of one seed: the same uniforms in the same order give the same
                // ids, exactly (both sides sum the same doubles in the same order).
                Rng ref_rng(1000 + V + variant), ex_rng(1000 + V + variant);
                for (int draw = 0; draw < 200; ++draw) {
                    const std::int32_t want = sample_token(logits, temperature, ref_rng);
                    const std::int32_t got = ex05::sample_temperature(logits, temperature, ex_rng);
                    if (got != want) {
                        std::ostringstream where;
                        where << "V = " << V << ", temperature " << temperature << ", draw " << draw;
                        FAIL("ex5.2: " << where.str() << ": expected id " << want << " (logit " << logits[want]
                                       << "), got " << got
                                       << "\n  hint: temperature 0 is the FIRST argmax; otherwise u = uniform() * sum "
                                          "and the first id whose running sum exceeds u (u < cdf).");
                    }
                    if (!(ex_rng.state() == ref_rng.state()))
                        FAIL("ex5.2: V = "
                             << V << ", temperature " << temperature << ", draw " << draw
                             << ": the right id, but your Rng is not where the reference's is"
                             << "\n  hint: exactly one rng.uniform() per call, and none at temperature 0.");
                }
            }
        }
    }
}

TEST_CASE("ex5.3 tanh_backward_kernel matches the reference", "[ch05][ex5.3]") {
    const OpSpec& op = registry().get("tanh_backward");
    exercise::check_gpu_exercise(
        "ex5.3", op, op.test_cases,
        [](Device d, Problem& p) {
            LADDER_GPU_CALL(d, ex05::tanh_backward_kernel, p.f32("dinp"), p.f32("out"), p.f32("dout"), p["n"]);
        },
        "dinp[i] += (1 - out[i] * out[i]) * dout[i]: add, do not overwrite; enough blocks for n threads.");
}

TEST_CASE("ex5.4 linear_dweight_kernel matches the reference", "[ch05][ex5.4]") {
    // The registry's linear_backward with no dinp and no bias: only dweight is computed and
    // compared. Its shapes: one weight, sizes off the 256-thread block (33 x 70 = 2310, 129 x 70),
    // and N = 2000 rows for a long sum per thread.
    const OpSpec& op = registry().get("linear_backward");
    const std::vector<Case> dweight_only = cases({"N", "C", "OC", "nobias?", "nodinp?"}, {{1, 1, 1, 1, 1},
                                                                                          {3, 17, 33, 1, 1},
                                                                                          {17, 70, 129, 1, 1},
                                                                                          {129, 33, 3, 1, 1},
                                                                                          {33, 70, 33, 1, 1},
                                                                                          {2000, 3, 40, 1, 1}});
    exercise::check_gpu_exercise(
        "ex5.4", op, dweight_only,
        [](Device d, Problem& p) {
            LADDER_GPU_CALL(d, ex05::linear_dweight_kernel, p.f32("dweight"), p.f32("dout"), p.f32("inp"), p["N"],
                            p["C"], p["OC"]);
        },
        "dweight[o * C + c] += sum over n of dout[n * OC + o] * inp[n * C + c] (o = i / C, c = i % C).");
}

TEST_CASE("ex5.5 adamw_kernel matches the reference", "[ch05][ex5.5]") {
    const OpSpec& op = registry().get("adamw");
    exercise::check_gpu_exercise(
        "ex5.5", op, op.test_cases,
        [](Device d, Problem& p) {
            const AdamWStep a = adamw_step(p.sizes());
            LADDER_GPU_CALL(d, ex05::adamw_kernel, p.f32("params"), p.f32("m"), p.f32("v"), p.f32("grads"), p["n"],
                            a.cfg, a.step, a.grad_scale);
        },
        "g = grads * grad_scale first; mhat = m / (1 - b1^t), vhat = v / (1 - b2^t); "
        "p -= lr * (mhat / (sqrt(vhat) + eps) + weight_decay * p).");
}

TEST_CASE("ex5.6 bptt_step matches RnnLm's backward step", "[ch05][ex5.6]") {
    const OpSpec op = bptt_step_op();
    exercise::check_cpu_exercise(
        "ex5.6", op, op.test_cases,
        [](Problem& p) {
            ex05::bptt_step(p.f32("dpre"), p.f32("dw_hh"), p.f32("dh_prev"), p.f32("h_t"), p.f32("h_prev"),
                            p.f32("dh_t"), p.f32("w_hh"), p["B"], p["H"]);
        },
        "dw_hh[i][j] += sum_b dpre[b][i] h_prev[b][j] (a transpose on dpre); dh_prev[b][j] += sum_i dpre[b][i] "
        "w_hh[i][j]; add to both, overwrite dpre.");
}
