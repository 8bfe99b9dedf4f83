// ch07_exercises_test.cpp: checks chapter 7's exercises against the chapter's ops (layernorm,
// gelu_backward, kv_cache_append), core/nn's top_p_filter and direct computations, on fresh
// random inputs with outputs poisoned, plus two central-difference checks of the gradients.
// Tags [ch07][ex7.N]: `./ladder exercise ch07` runs them in order.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <numeric>
#include <span>
#include <sstream>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/gpu_dispatch.hpp"
#include "core/nn/sampling.hpp"
#include "exercises/ch07_gpt/exercises.hpp"
#include "exercises/common/exercise.hpp"
#include "kernels/error_bounds.hpp"
#include "kernels/gelu/gelu.hpp"
#include "kernels/layernorm/layernorm.hpp"

using namespace ladder;

namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr double u = kFp32Unit;
constexpr double u64 = 0x1.0p-53;   // double's unit roundoff

// ---- ex7.2: the slope against central differences ----

// Central differences of gelu_forward_cpu in double with step kH, at points x the learner's
// kernel sees with dout = 1 and dinp = 0 (so dinp comes back as the slope alone).
constexpr double kH = 1e-4;

// The gelu_backward op with its inputs and reference replaced: n = 4001 is a grid over [-8, 8]
// (the curved middle and both tails, step 0.004); other n are N(0, 2^2) values with 20x
// outliers (the flat tails out to |x| ~ 100).
OpSpec gelu_slope_op() {
    OpSpec op = registry().get("gelu_backward");
    op.versions.clear();
    op.cpu_peers.clear();
    op.differentiates.reset();
    op.test_cases = cases({"n"}, {{4001}, {300}});
    op.make = [](const Case& c, Rng& rng) {
        Problem p(c);
        const std::size_t n = c["n"], grid = n == 4001 ? n : 0;
        auto x = p.add_f32("inp", Role::in, Shape{n});
        for (std::size_t i = 0; i < grid; ++i) x[i] = static_cast<float>(-8.0 + 16.0 * static_cast<double>(i) / 4000.0);
        fill_test_values(rng, x.subspan(grid));
        for (std::size_t i = grid; i < n; ++i) x[i] *= 2.0f;
        auto dout = p.add_f32("dout", Role::in, Shape{n});
        std::fill(dout.begin(), dout.end(), 1.0f);
        auto dinp = p.add_f32("dinp", Role::inout, Shape{n});
        std::fill(dinp.begin(), dinp.end(), 0.0f);
        return p;
    };
    op.reference = {"central differences", "(gelu(x + h) - gelu(x - h)) / 2h, h = 1e-4, gelu_forward_cpu in double",
                    [](Problem& p) {
                        const std::size_t n = p["n"];
                        for (std::size_t i = 0; i < n; ++i) {
                            const double x = p.f32("inp")[i];
                            const double pts[2] = {x + kH, x - kH};
                            double g[2];
                            gelu_forward_cpu(g, pts, 2);
                            p.f32("dinp")[i] = static_cast<float>((g[0] - g[1]) / (2 * kH));
                        }
                    }};
    // [book:ex-gelu-slope-bounds]
    // The gelu_backward op's bound (two float implementations of the slope, each within its
    // first-order bound of the exact value; the reference's one rounding to float, u |slope|, is
    // far inside the second implementation's share) plus what central differences add:
    //   truncation  h^2 / 6 max |gelu'''| <= 1.3e-9 (|gelu'''| <= 0.78 over the reals: measured
    //               on a 1e-3 grid of [-20, 20]; it decays to 0 in both tails);
    //   rounding    gelu(x +- h) = 0.5 x (1 + t) in double: 1 + t is within a few ulp of 1
    //               (absolute, even where it cancels), so each value is within 8 * 2^-53 (|x| + h):
    //               2 * 8 * 2^-53 (|x| + h) / 2h <= 9e-12 (|x| + 1); x +- h rounds the step by
    //               2^-53 |x| at each end, a relative 1.1e-12 |x| of the slope (|slope| < 1.13).
    // We add 2e-9 + 3e-11 |x|. A slope with a dropped or doubled term is off by 0.01 to 1.
    // [/book]
    op.error_bounds = [](const Problem& ref) {
        auto b = registry().get("gelu_backward").error_bounds(ref);
        std::vector<double>& bd = b.at("dinp");
        for (std::size_t i = 0; i < bd.size(); ++i) bd[i] += 2e-9 + 3e-11 * std::fabs(ref.f32("inp")[i]);
        return b;
    };
    return op;
}

// ---- ex7.3: the residual add and layernorm ----

// Rows as the layernorm op draws them: x N(0, 1) with 20x outliers shifted by 3 (a mean far
// from 0), y N(0, 1) with outliers (an attention output), weight and bias random.
OpSpec residual_layernorm_op() {
    OpSpec op("residual_layernorm", "ch07",
              "residual (R,C) = x + y; out (R,C) = layernorm(residual) with weight, bias (C); mean, rstd (R)");
    op.test_cases = registry().get("layernorm").test_cases;
    op.make = [](const Case& c, Rng& rng) {
        Problem p(c);
        const std::size_t R = c["R"], C = c["C"];
        auto x = p.add_f32("x", Role::in, Shape{R, C});
        fill_test_values(rng, x, C);
        for (float& v : x) v += 3.0f;
        fill_test_values(rng, p.add_f32("y", Role::in, Shape{R, C}), C);
        fill_test_values(rng, p.add_f32("weight", Role::in, Shape{C}), C);
        fill_test_values(rng, p.add_f32("bias", Role::in, Shape{C}), C);
        p.add_f32("residual", Role::out, Shape{R, C});
        p.add_f32("out", Role::out, Shape{R, C});
        p.add_f32("mean", Role::out, Shape{R});
        p.add_f32("rstd", Role::out, Shape{R});
        return p;
    };
    op.reference = {"add, then layernorm", "residual = x + y, then layernorm_forward_cpu on it", [](Problem& p) {
                        const std::size_t R = p["R"], C = p["C"];
                        for (std::size_t i = 0; i < R * C; ++i) p.f32("residual")[i] = p.f32("x")[i] + p.f32("y")[i];
                        layernorm_forward_cpu(p.f32("out"), p.f32("mean"), p.f32("rstd"), p.f32("residual"),
                                              p.f32("weight"), p.f32("bias"), R, C, layernorm_eps);
                    }};
    // The residual is one float addition on both sides: the same bits (tolerance 0). So the
    // layernorm reads the same input on both sides, and the layernorm op's per-element bounds
    // (kernels/layernorm/layernorm_op.cpp derives them) hold for out, mean and rstd as they are.
    op.tolerance = [](const Case&) { return Tolerance{0, 0}; };
    op.error_bounds = [](const Problem& ref) {
        const std::size_t R = ref["R"], C = ref["C"];
        Problem ln(ref.sizes());
        auto inp = ln.add_f32("inp", Role::in, Shape{R, C});
        std::copy(ref.f32("residual"), ref.f32("residual") + R * C, inp.begin());
        auto w = ln.add_f32("weight", Role::in, Shape{C});
        std::copy(ref.f32("weight"), ref.f32("weight") + C, w.begin());
        auto b = ln.add_f32("bias", Role::in, Shape{C});
        std::copy(ref.f32("bias"), ref.f32("bias") + C, b.begin());
        return registry().get("layernorm").error_bounds(ln);   // "out", "mean", "rstd"
    };
    return op;
}

// ---- ex7.4: top-p ----

std::string str(const std::vector<float>& v) {
    std::ostringstream o;
    o << "{";
    for (std::size_t i = 0; i < v.size() && i < 12; ++i) o << (i ? ", " : "") << v[i];
    if (v.size() > 12) o << ", ... (" << v.size() << " values)";
    o << "}";
    return o.str();
}

const std::string hint_top_p =
    "p = 1: return unchanged; else stable_sort the ids by logit (largest first, ties by id), q = exp(logit - max) "
    "in double, keep ids while the kept sum is < p * sum, set the rest to -INFINITY.";

// Runs the learner's filter on a copy of `logits` and requires: the ids in `keep` hold their
// logits bit for bit, every other id is -inf.
void require_top_p(const std::vector<float>& logits, float p, const std::vector<std::size_t>& keep) {
    std::vector<float> got = logits;
    ex07::top_p_filter(got.data(), got.size(), p);
    std::vector<bool> kept(logits.size(), false);
    for (std::size_t id : keep) kept[id] = true;
    for (std::size_t i = 0; i < logits.size(); ++i) {
        const float want = kept[i] ? logits[i] : -kInf;
        if (!(got[i] == want || (std::isnan(got[i]) && std::isnan(want))))
            FAIL("ex7.4: top_p_filter(" << str(logits) << ", p = " << p << "): logit " << i << ": expected " << want
                                        << (kept[i] ? " (kept)" : " (dropped)") << ", got " << got[i]
                                        << "\n  hint: " << hint_top_p);
    }
}

// ---- ex7.6: the tied embedding's gradient ----

// dwte (V,C) += dlogits (N,V)^T h (N,C) + the rows of dx0 (N,C) scattered to ids (N).
OpSpec tied_embedding_grad_op() {
    OpSpec op("tied_embedding_grad", "ch07", "dwte (V,C) += dlogits^T h + scatter_add(dx0 at ids)");
    // One of everything; V > N, so some ids never occur; GPT-2-like ratios, small.
    op.test_cases = cases({"N", "V", "C"}, {{1, 1, 1}, {5, 7, 3}, {16, 50, 8}, {33, 65, 16}, {64, 300, 32}});
    op.make = [](const Case& c, Rng& rng) {
        Problem p(c);
        const std::size_t N = c["N"], V = c["V"], C = c["C"];
        fill_test_values(rng, p.add_f32("dlogits", Role::in, Shape{N, V}), V);
        fill_test_values(rng, p.add_f32("h", Role::in, Shape{N, C}), C);
        fill_test_values(rng, p.add_f32("dx0", Role::in, Shape{N, C}), C);
        auto ids = p.add_i32("ids", Role::in, Shape{N});
        for (auto& id : ids) id = static_cast<std::int32_t>(rng.below(V));
        if (N > 2) ids[N - 1] = ids[N - 2] = ids[0];   // a token three times: its rows add up
        // dwte accumulates: it starts with values, so code that overwrites it fails.
        fill_test_values(rng, p.add_f32("dwte", Role::inout, Shape{V, C}), C);
        return p;
    };
    op.reference = {"double", "the sums in double, rounded once", [](Problem& p) {
                        const std::size_t N = p["N"], V = p["V"], C = p["C"];
                        const float *g = p.f32("dlogits"), *h = p.f32("h"), *dx0 = p.f32("dx0");
                        const std::int32_t* ids = p.i32("ids");
                        float* dwte = p.f32("dwte");
                        for (std::size_t v = 0; v < V; ++v)
                            for (std::size_t c = 0; c < C; ++c) {
                                double s = dwte[v * C + c];
                                for (std::size_t n = 0; n < N; ++n) {
                                    s += static_cast<double>(g[n * V + v]) * h[n * C + c];
                                    if (static_cast<std::size_t>(ids[n]) == v) s += dx0[n * C + c];
                                }
                                dwte[v * C + c] = static_cast<float>(s);
                            }
                    }};
    // Element (v, c) is old + N products + cnt_v rows of dx0 (cnt_v = the times v occurs): a sum
    // of m = 1 + N + cnt_v terms, N of them products. In float, in any order, that is within
    // gamma_m (|old| + S) of the exact value (m - 1 additions and one rounding per product:
    // Higham 3.1), S = sum_n |dlogits[n][v] h[n][c]| + sum |dx0 rows|; |old| <= |new| + S. The
    // reference, exact in double but for the last rounding, adds u |new|. 1.01 covers second order.
    op.error_bounds = [](const Problem& ref) {
        const std::size_t N = ref["N"], V = ref["V"], C = ref["C"];
        const float *g = ref.f32("dlogits"), *h = ref.f32("h"), *dx0 = ref.f32("dx0"), *dwte = ref.f32("dwte");
        const std::int32_t* ids = ref.i32("ids");
        std::vector<double> b(V * C);
        for (std::size_t v = 0; v < V; ++v) {
            std::size_t cnt = 0;
            for (std::size_t n = 0; n < N; ++n) cnt += static_cast<std::size_t>(ids[n]) == v;
            const double gm = gamma_n(static_cast<double>(1 + N + cnt));
            for (std::size_t c = 0; c < C; ++c) {
                double S = 0;
                for (std::size_t n = 0; n < N; ++n) {
                    S += std::fabs(static_cast<double>(g[n * V + v]) * h[n * C + c]);
                    if (static_cast<std::size_t>(ids[n]) == v) S += std::fabs(dx0[n * C + c]);
                }
                const double now = std::fabs(dwte[v * C + c]);
                b[v * C + c] = 1.01 * (gm * (now + 2 * S) + u * now) + 1e-37;
            }
        }
        return std::map<std::string, std::vector<double>>{{"dwte", std::move(b)}};
    };
    return op;
}

// The tiny tied model of ex7.6's second check, in double: wte (V,C), positions P (N,C), token
// ids (N), weights G (N,V):
//   h = wte[ids] + P (N,C),   logits = h wte^T (N,V),   loss = sum_nv G[n][v] logits[n][v].
// wte appears in h and in the output layer; dloss/dwte is what ex7.6 computes, with
// dlogits = G and dx0 = dh = G wte.
struct TinyTied {
    std::size_t N, V, C;
    std::vector<double> wte, P, G;
    std::vector<std::int32_t> ids;
    std::vector<double> h(const std::vector<double>& w) const {
        std::vector<double> out(N * C);
        for (std::size_t n = 0; n < N; ++n)
            for (std::size_t c = 0; c < C; ++c) out[n * C + c] = w[static_cast<std::size_t>(ids[n]) * C + c] + P[n * C + c];
        return out;
    }
    double loss(const std::vector<double>& w) const {
        const std::vector<double> hw = h(w);
        double L = 0;
        for (std::size_t n = 0; n < N; ++n)
            for (std::size_t v = 0; v < V; ++v) {
                double logit = 0;
                for (std::size_t c = 0; c < C; ++c) logit += hw[n * C + c] * w[v * C + c];
                L += G[n * V + v] * logit;
            }
        return L;
    }
    // sum_nv |G| sum_c |h| |w|: what the rounding errors of loss() scale with.
    double abs_loss(const std::vector<double>& w) const {
        const std::vector<double> hw = h(w);
        double L = 0;
        for (std::size_t n = 0; n < N; ++n)
            for (std::size_t v = 0; v < V; ++v)
                for (std::size_t c = 0; c < C; ++c)
                    L += std::fabs(G[n * V + v] * hw[n * C + c] * w[v * C + c]);
        return L;
    }
};

}  // namespace

TEST_CASE("ex7.1 layernorm_forward_kernel matches the layernorm op", "[ch07][ex7.1]") {
    // The layernorm op's cases (C = 1, rows off the warp, GPT-2's 768, 257 rows of 3), rows with
    // mean 3 (a one-pass variance loses digits there), and its per-element bounds for a GPU version.
    const OpSpec& op = registry().get("layernorm");
    exercise::check_gpu_exercise(
        "ex7.1", op, op.test_cases,
        [](Device d, Problem& p) {
            LADDER_GPU_CALL(d, ex07::layernorm_forward_kernel, p.f32("out"), p.f32("mean"), p.f32("rstd"),
                            p.f32("inp"), p.f32("weight"), p.f32("bias"), p["R"], p["C"], layernorm_eps);
        },
        "row r = global thread / 32, lane = threadIdx.x % 32 takes c = lane, lane + 32, ...; the mean by warp_sum, "
        "then warp_sum of (x - mean)^2, both divided by C; rstd = 1 / sqrtf(var + eps); lane 0 writes mean and rstd.");
}

TEST_CASE("ex7.2 gelu_backward_kernel matches the gelu op and central differences", "[ch07][ex7.2]") {
    const std::string hint =
        "dinp[i] += (0.5 (1 + t) + 0.5 x (1 - t^2) k (1 + 3 c x^2)) * dout[i], t = tanhf(k (x + c x^3)); add, do not "
        "assign.";
    // The gelu_backward op's cases (1 .. 300001 elements, dinp starting with values) and bounds.
    const OpSpec& op = registry().get("gelu_backward");
    exercise::check_gpu_exercise(
        "ex7.2", op, op.test_cases,
        [](Device d, Problem& p) {
            LADDER_GPU_CALL(d, ex07::gelu_backward_kernel, p.f32("dinp"), p.f32("inp"), p.f32("dout"), p["n"]);
        },
        hint);
    // The slope itself, against central differences of the forward in double (no shared formula).
    const OpSpec slope = gelu_slope_op();
    exercise::check_gpu_exercise(
        "ex7.2 (slope against central differences of gelu_forward_cpu)", slope, slope.test_cases,
        [](Device d, Problem& p) {
            LADDER_GPU_CALL(d, ex07::gelu_backward_kernel, p.f32("dinp"), p.f32("inp"), p.f32("dout"), p["n"]);
        },
        hint);
}

TEST_CASE("ex7.3 residual_layernorm_kernel matches the add, then layernorm_forward_cpu", "[ch07][ex7.3]") {
    const OpSpec op = residual_layernorm_op();
    exercise::check_gpu_exercise(
        "ex7.3", op, op.test_cases,
        [](Device d, Problem& p) {
            LADDER_GPU_CALL(d, ex07::residual_layernorm_kernel, p.f32("residual"), p.f32("out"), p.f32("mean"),
                            p.f32("rstd"), p.f32("x"), p.f32("y"), p.f32("weight"), p.f32("bias"), p["R"], p["C"],
                            layernorm_eps);
        },
        "a warp per row as in ex7.1; pass 1 writes residual[c] = x[c] + y[c] and sums it; passes 2 and 3 read "
        "residual[c] back (this lane's own writes) for the variance and the outputs.");
}

TEST_CASE("ex7.4 top_p_filter matches core/nn's nucleus filter", "[ch07][ex7.4]") {
    // Worked cases. Probabilities of {1, 3, 2, 0}: 0.644 (id 1), 0.237 (id 2), 0.087, 0.032.
    const std::vector<float> l4 = {1, 3, 2, 0};
    require_top_p(l4, 1.0f, {0, 1, 2, 3});    // p = 1 keeps all
    require_top_p(l4, 0.05f, {1});            // p below the top token's probability: the top alone
    require_top_p(l4, 0.6f, {1});
    require_top_p(l4, 0.65f, {1, 2});         // 0.644 < 0.65: one more
    require_top_p(l4, 0.95f, {1, 2, 0});      // 0.968 >= 0.95
    // Ties go by id: ids 1 and 2 have probability 0.4835 each.
    require_top_p({2, 5, 5, 1}, 0.3f, {1});
    require_top_p({2, 5, 5, 1}, 0.6f, {1, 2});
    // Four equal logits: every probability is 1/4 and every partial sum exact, so p = 0.5 stops
    // at exactly 0.5 (">= p": two tokens, not three), the lower ids first.
    require_top_p({0, 0, 0, 0}, 0.25f, {0});
    require_top_p({0, 0, 0, 0}, 0.5f, {0, 1});
    require_top_p({0, 0, 0, 0}, 0.75f, {0, 1, 2});
    // Many ties, past the size where std::sort stops being an insertion sort (which happens to
    // keep equal ids in order): 128 equal logits, each 1/128, every partial sum exact, so
    // p = 0.25 keeps exactly ids 0 .. 31. Then 200 logits in four tied groups, logit = id % 4:
    // the top group (ids 3, 7, 11, ...) has 50 tokens of probability q each; p = 10.5 q keeps
    // its first 11 (a margin of q / 2 = 0.0065 of the total either way).
    {
        std::vector<std::size_t> first32(32);
        std::iota(first32.begin(), first32.end(), std::size_t{0});
        require_top_p(std::vector<float>(128, 0.5f), 0.25f, first32);
        std::vector<float> groups(200);
        for (std::size_t i = 0; i < groups.size(); ++i) groups[i] = static_cast<float>(i % 4);
        const double e3 = std::exp(3.0), q = e3 / (50 * (e3 + std::exp(2.0) + std::exp(1.0) + 1));
        std::vector<std::size_t> first11;
        for (std::size_t i = 3; first11.size() < 11; i += 4) first11.push_back(i);
        require_top_p(groups, static_cast<float>(10.5 * q), first11);
    }
    // p = 1 keeps a token whose probability underflows (exp(-1000) = 0 even in double).
    require_top_p({0, -1000, 5}, 1.0f, {0, 1, 2});
    // Logits already masked stay -inf; one token is always kept.
    require_top_p({-kInf, 1, 0, -kInf}, 0.9f, {1, 2});
    require_top_p({-kInf, 1, 0, -kInf}, 1.0f, {1, 2});
    require_top_p({4.5f}, 0.1f, {0});

    // Random logits (N(0, 1) with 20x outliers, times 0.5, 1 or 3), against core/nn's
    // top_p_filter and against the count the test expects. p is put halfway into the
    // probability q_r of the r-th most likely token (the mass of the r before it plus q_r / 2),
    // so the r + 1 most likely are kept. The walk's comparison then has a margin of q_r / 2 of
    // the total; r is drawn among the tokens with q_r >= 4e-3 of it, a margin >= 2e-3, while
    // floats summed in any order lose at most gamma_V <= 3e-4 of it per side at V = 5000: even
    // a float computation cannot land on the wrong side. r = 0 is always allowed: the
    // comparison is then q_0 against q_0 / 2, a factor of 2 apart.
    Rng rng(74);
    for (std::size_t V : {1, 2, 3, 7, 64, 1000, 5000})
        for (int trial = 0; trial < 6; ++trial) {
            std::vector<float> logits(V);
            fill_test_values(rng, logits);
            const float scale = trial % 3 == 0 ? 0.5f : trial % 3 == 1 ? 1.0f : 3.0f;
            for (float& l : logits) l *= scale;
            std::vector<std::size_t> order(V);
            std::iota(order.begin(), order.end(), std::size_t{0});
            std::stable_sort(order.begin(), order.end(),
                             [&](std::size_t a, std::size_t b) { return logits[a] > logits[b]; });
            std::vector<double> q(V);
            double S = 0;
            for (std::size_t r = 0; r < V; ++r) S += q[r] = std::exp(static_cast<double>(logits[order[r]]) - logits[order[0]]);
            std::vector<std::size_t> candidates = {0};
            for (std::size_t r = 1; r < V; ++r)
                if (q[r] / S >= 4e-3) candidates.push_back(r);
            const std::size_t r = candidates[rng.below(candidates.size())];
            double before = 0;
            for (std::size_t i = 0; i < r; ++i) before += q[i];
            const float p = static_cast<float>((before + q[r] / 2) / S);
            const std::vector<std::size_t> keep(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(r + 1));
            // The reference agrees with the count (a check of this test's own arithmetic).
            std::vector<float> ref = logits;
            top_p_filter(std::span<float>(ref), p, 1.0f);
            const auto n_ref = static_cast<std::size_t>(std::count_if(ref.begin(), ref.end(), [](float l) { return l != -kInf; }));
            REQUIRE(n_ref == r + 1);
            require_top_p(logits, p, keep);
        }

    // p outside (0, 1] is an error, not a filter that keeps nothing or everything.
    for (const float p : {0.0f, -0.5f, 1.5f, std::numeric_limits<float>::quiet_NaN()}) {
        std::vector<float> l = l4;
        try {
            ex07::top_p_filter(l.data(), l.size(), p);
            FAIL("ex7.4: top_p_filter with p = " << p << " returned\n  hint: LADDER_CHECK(p > 0 && p <= 1, ...) "
                                                  "(written that way round, NaN fails it too).");
        } catch (const Error&) {
            SUCCEED("p = " << p << " is a ladder::Error");
        }
    }
}

TEST_CASE("ex7.5 kv_cache_append_kernel matches the kv_cache_append op", "[ch07][ex7.5]") {
    // The kv_cache op's cases (decoding n = 1 at the first, a middle and the last position; a
    // prefill of the whole window; a chunk in the middle; hs 1 .. 128), the caches' other rows
    // filled with values that must survive, and an exact comparison: a copy is the same bits.
    const OpSpec& op = registry().get("kv_cache_append");
    exercise::check_gpu_exercise(
        "ex7.5", op, op.test_cases,
        [](Device d, Problem& p) {
            LADDER_GPU_CALL(d, ex07::kv_cache_append_kernel, p.f32("cache_k"), p.f32("cache_v"), p.f32("k"),
                            p.f32("v"), p["BH"], p["n"], p["Tmax"], p["hs"], p["pos"]);
        },
        "one thread per element of k: j = i % hs, t = (i / hs) % n, bh = i / (n * hs); write both caches at "
        "(bh * Tmax + pos + t) * hs + j.");
}

TEST_CASE("ex7.6 tied_embedding_grad: the direct sums and central differences of a tiny tied model", "[ch07][ex7.6]") {
    const std::string hint =
        "dwte[v][c] += sum_n dlogits[n][v] * h[n][c] for every v (the output layer), then dwte[ids[n]][c] += "
        "dx0[n][c] for every n (the input); never zero dwte.";
    const OpSpec op = tied_embedding_grad_op();
    exercise::check_cpu_exercise(
        "ex7.6", op, op.test_cases,
        [](Problem& p) {
            ex07::tied_embedding_grad(p.f32("dwte"), p.f32("dlogits"), p.f32("h"), p.f32("dx0"), p.i32("ids"), p["N"],
                                      p["V"], p["C"]);
        },
        hint);

    // The gradient of a tiny tied model (TinyTied above), by central differences in double.
    // N = 5 positions over V = 6 tokens: id 2 occurs twice, ids 3 and 4 never (they get only the
    // output part). All inputs are floats, so the learner's float inputs are exact but for h and
    // dx0, which are computed in double and rounded once.
    TinyTied m{5, 6, 4, {}, {}, {}, {2, 0, 2, 5, 1}};
    Rng rng(76);
    std::vector<float> wf(m.V * m.C), Pf(m.N * m.C), Gf(m.N * m.V);
    fill_test_values(rng, wf, m.C);
    fill_test_values(rng, Pf, m.C);
    fill_test_values(rng, Gf, m.V);
    m.wte.assign(wf.begin(), wf.end());
    m.P.assign(Pf.begin(), Pf.end());
    m.G.assign(Gf.begin(), Gf.end());
    const std::vector<double> h = m.h(m.wte);
    std::vector<float> hf(h.begin(), h.end()), dx0f(m.N * m.C), dwte(m.V * m.C, 0.0f);
    for (std::size_t n = 0; n < m.N; ++n)   // dx0 = dh = dlogits wte: (N,V) x (V,C)
        for (std::size_t c = 0; c < m.C; ++c) {
            double s = 0;
            for (std::size_t v = 0; v < m.V; ++v) s += m.G[n * m.V + v] * m.wte[v * m.C + c];
            dx0f[n * m.C + c] = static_cast<float>(s);
        }
    ex07::tied_embedding_grad(dwte.data(), Gf.data(), hf.data(), dx0f.data(), m.ids.data(), m.N, m.V, m.C);
    // The loss is quadratic in wte, so central differences have no truncation error: only the
    // rounding of the two losses, each within gamma_{C + 2} (double) of sum |G h w| (a C-term
    // dot product, a product, then N V terms summed: gamma_{C + NV + 2} to be safe), divided by
    // 2 eps. The learner's float sums: at most N + 2 terms per element (N products, up to two
    // dx0 rows; dwte starts at 0), so gamma_{N + 2} S with S = sum_n |G h| + sum |dx0 rows|,
    // plus u S for h and dx0 rounded to float (we allow 2u S). A missing part is off by |dx0|
    // or |G h|, order 1.
    const double eps = 1e-2;
    const double g64 = gamma_n(static_cast<double>(m.C + m.N * m.V + 2), u64);
    for (std::size_t v = 0; v < m.V; ++v)
        for (std::size_t c = 0; c < m.C; ++c) {
            std::vector<double> wp = m.wte, wm = m.wte;
            wp[v * m.C + c] += eps;
            wm[v * m.C + c] -= eps;
            const double fd = (m.loss(wp) - m.loss(wm)) / (2 * eps);
            const double fd_err = g64 * (m.abs_loss(wp) + m.abs_loss(wm)) / (2 * eps);
            double S = 0;
            for (std::size_t n = 0; n < m.N; ++n) {
                S += std::fabs(m.G[n * m.V + v] * h[n * m.C + c]);
                if (static_cast<std::size_t>(m.ids[n]) == v) S += std::fabs(dx0f[n * m.C + c]);
            }
            const double tol = 1.01 * (gamma_n(static_cast<double>(m.N + 2)) + 2 * u) * S + fd_err + 1e-30;
            const double got = dwte[v * m.C + c];
            if (!(std::fabs(got - fd) <= tol))
                FAIL("ex7.6 (central differences of the tiny tied model): dwte[" << v << "][" << c << "]: expected "
                                                                                  << fd << ", got " << got
                                                                                  << "\n  hint: " << hint);
        }
}
