// softmax_op.cpp: the registry entries of the softmax family: "softmax" (the forward pass),
// "softmax_backward" (which names the forward it differentiates) and "causal_mask" (in
// place). Introduced in ch06.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "core/gpu_dispatch.hpp"
#include "kernels/error_bounds.hpp"
#include "kernels/registry.hpp"
#include "kernels/softmax/softmax.hpp"

namespace ladder {

namespace {

// A case's rows, as attention sees them: with the flag `causal`, row r is query t = r % C of a
// (C, C) block of scores and its entries s > t are -inf, so rows hold 1..C finite values: a
// row whose only finite entry is the first, warps and blocks whose lanes see only -inf.
void fill_rows(Rng& rng, std::span<float> x, const Case& c) {
    const std::size_t R = c["R"], C = c["C"];
    fill_test_values(rng, x, C);   // N(0, 1), three 20x outliers per row of more than 8
    if (c.get("causal", 0) == 0) return;
    for (std::size_t r = 0; r < R; ++r)
        std::fill(x.begin() + static_cast<std::ptrdiff_t>(r * C + r % C + 1),
                  x.begin() + static_cast<std::ptrdiff_t>((r + 1) * C), -std::numeric_limits<float>::infinity());
}

Problem make_forward(const Case& c, Rng& rng) {
    Problem p(c);
    const std::size_t R = c["R"], C = c["C"];
    fill_rows(rng, p.add_f32("inp", Role::in, Shape{R, C}), c);
    p.add_f32("out", Role::out, Shape{R, C});
    return p;
}

// [book:softmax-bounds]
// The forward's error, per element, u = 2^-24 (first order in u; the 1.01 below covers the
// second-order terms: the first-order sum is under 1e-3 for every case here).
// With t_c = x_c - max and e_c = exp(t_c), S = sum_c e_c, an implementation computes:
//   t_c: max is exact; the subtraction rounds, relative u |t_c|, and exp(t_c (1 + d)) =
//        e_c exp(t_c d) moves e_c by a relative |t_c| u.
//   e_c: exp within E ulp, 1 ulp <= 2u relative: E = 2 for CUDA's expf (documented), so 4u;
//        E = 1 for the CPU's exp_nonpositive (kernels/fast_math.hpp), so 2u.
//   S:   C positive terms summed in any order (tree, strided, 8 partial sums): gamma_{C-1}
//        (Higham 3.1), plus each term's own error, weighted: sum_c e_c (|t_c| + E') u / S =
//        (W + E') u with W = sum_c e_c |t_c| / S.
//   v4's S is online: a lane adds exp(x - max so far) and, when the max grows by D, rescales
//        its sum by exp(-D) (the subtraction, exp and product: (D + 4 + 1) u). Along any
//        term's path the D's add up to at most max - x_c = |t_c|, and a term is rescaled at
//        most k = ceil(C/32) - 1 + 5 times (its lane's later maxima, then the 5 merges), so
//        S's relative error is gamma_{C-1} + (2W + 4 + 5k) u, which covers v1..v3's too.
//   out_c = e_c / S: one division, u.
// So the reference is within rel_ref(c) = (|t_c| + 2) u + gamma_{C-1} + (W + 2) u + u of the
// exact out_c, a GPU version within rel_gpu(c) = (|t_c| + 4) u + gamma_{C-1} + (2W + 4 + 5k) u
// + u, and the two within (rel_ref + rel_gpu) out_c. The absolute floor 1e-37: exp_nonpositive
// gives 0 where exp(t) < 2^-126 (t < -87.3) and expf a subnormal, outputs that small differ by
// under 1.2e-38 (S >= 1); and a subnormal out_c carries an absolute 2^-149, not a relative u.
// Masked entries are 0 exactly on both sides.
// [/book]
std::map<std::string, std::vector<double>> forward_bounds(const Problem& ref) {
    const std::size_t R = ref["R"], C = ref["C"];
    const float* x = ref.f32("inp");
    const float* y = ref.f32("out");
    constexpr double u = kFp32Unit;
    const double g = gamma_n(static_cast<double>(C - 1));
    const double k = static_cast<double>((C + 31) / 32 - 1 + 5);
    std::vector<double> b(R * C);
    for (std::size_t r = 0; r < R; ++r) {
        const float* x_r = x + r * C;
        const double m = *std::max_element(x_r, x_r + C);
        double S = 0, SW = 0;
        for (std::size_t c = 0; c < C; ++c) {
            const double t = x_r[c] - m, e = std::exp(t);   // t = -inf: e = 0, and no term
            if (e > 0) {
                S += e;
                SW += e * -t;
            }
        }
        const double W = SW / S;
        for (std::size_t c = 0; c < C; ++c) {
            const double t = std::fabs(x_r[c] - m);
            if (std::isinf(t)) {
                b[r * C + c] = 0;   // masked: exactly 0 on both sides
                continue;
            }
            const double rel_ref = (t + 2) * u + g + (W + 2) * u + u;
            const double rel_gpu = (t + 4) * u + g + (2 * W + 4 + 5 * k) * u + u;
            b[r * C + c] = 1.01 * (rel_ref + rel_gpu) * std::fabs(y[r * C + c]) + 1e-37;
        }
    }
    return {{"out", std::move(b)}};
}

Problem make_backward(const Case& c, Rng& rng) {
    Problem p(c);
    const std::size_t R = c["R"], C = c["C"];
    // out: a real softmax of test rows (masked ones too: exact zeros), as the forward saves it.
    std::vector<float> x(R * C);
    fill_rows(rng, x, c);
    auto out = p.add_f32("out", Role::in, Shape{R, C});
    softmax_forward_cpu(out.data(), x.data(), R, C);
    fill_test_values(rng, p.add_f32("dout", Role::in, Shape{R, C}), C);
    // dinp is overwritten: poisoned with NaN before each run, so a kernel that adds into it fails.
    p.add_f32("dinp", Role::out, Shape{R, C});
    return p;
}

// [book:softmax-backward-bounds]
// dinp_c = out_c (dout_c - d), d = sum_j dout_j out_j. An implementation computes d within
// gamma_C A, A = sum_j |dout_j out_j| (C products and C - 1 sums in any order, FMA or not:
// Higham 3.1), then rounds the subtraction and the product (gamma_2):
//   |computed - exact| <= |out_c| (gamma_C A (1 + gamma_2) + gamma_2 |dout_c - d|)
// and two implementations differ by at most twice that. The floor 1e-37 covers subnormal
// products (an absolute 2^-149 each). Where out_c = 0 (masked) both give exactly 0.
// [/book]
std::map<std::string, std::vector<double>> backward_bounds(const Problem& ref) {
    const std::size_t R = ref["R"], C = ref["C"];
    const float* y = ref.f32("out");
    const float* dy = ref.f32("dout");
    const double gC = gamma_n(static_cast<double>(C)), g2 = gamma_n(2);
    std::vector<double> b(R * C);
    for (std::size_t r = 0; r < R; ++r) {
        double d = 0, A = 0;
        for (std::size_t c = 0; c < C; ++c) {
            d += static_cast<double>(dy[r * C + c]) * y[r * C + c];
            A += std::fabs(static_cast<double>(dy[r * C + c]) * y[r * C + c]);
        }
        for (std::size_t c = 0; c < C; ++c) {
            const std::size_t i = r * C + c;
            b[i] = 2 * std::fabs(y[i]) * (gC * A * (1 + g2) + g2 * std::fabs(dy[i] - d)) + 1e-37;
        }
    }
    return {{"dinp", std::move(b)}};
}

}  // namespace

void register_softmax(Registry& r) {
    // Row lengths off the warp and block sizes (1, 7, 32, 33, 100, 257, 1000), a few rows each;
    // rows per case off the 8 rows of v3/v4's blocks and v1's 256 (257 rows: two blocks of v1,
    // 33 of v3/v4, the last one short); causal rows on every version
    // (one finite entry, lanes and threads that see only -inf), 40 x 33 wrapping past row C.
    const std::vector<Case> rc_cases = cases({"R", "C", "causal?"}, {{1, 1, 0},
                                                                     {3, 7, 0},
                                                                     {5, 32, 0},
                                                                     {9, 33, 0},
                                                                     {4, 100, 0},
                                                                     {3, 257, 0},
                                                                     {2, 1000, 0},
                                                                     {257, 3, 0},
                                                                     {7, 7, 1},
                                                                     {40, 33, 1},
                                                                     {5, 100, 1},
                                                                     {3, 1000, 1}});
    // Memory-bound sizes, and attention's (B*NH*T, T) = (8*1024, 1024) with its causal mask.
    const std::vector<Case> rc_bench =
        cases({"R", "C", "causal?"}, {{4096, 1024, 0}, {16384, 256, 0}, {1024, 4096, 0}, {8192, 1024, 1}});
    {
        OpSpec op("softmax", "ch06", "out (R,C) = softmax of inp (R,C) over each row (-inf entries give 0)");
        op.test_cases = rc_cases;
        op.bench_cases = rc_bench;
        op.make = make_forward;
        op.reference = {"loops", "max, exp_nonpositive, 8 partial sums, divide; a row at a time, vectorised",
                        [](Problem& p) { softmax_forward_cpu(p.f32("out"), p.f32("inp"), p["R"], p["C"]); }};
        op.reference_f64 = [](Problem64& p) { softmax_forward_cpu(p.f64("out"), p.f64("inp"), p["R"], p["C"]); };
        op.versions = numbered_versions(
            softmax_forward_gpu_versions,
            {"one thread per row, three passes", "one block per row, shared-memory tree reductions",
             "one warp per row, shuffle reductions", "one warp per row, online softmax: max and sum in one pass"},
            [](Device dev, int v, Problem& p) {
                LADDER_GPU_CALL(dev, softmax_forward, v, p.f32("out"), p.f32("inp"), p["R"], p["C"]);
            });
        op.error_bounds = forward_bounds;
        op.flops = [](const Case& c) { return 5.0 * c["R"] * c["C"]; };   // max, sub, exp, add, divide
        op.bytes = [](const Case& c) { return 8.0 * c["R"] * c["C"]; };   // read inp, write out
        r.add(std::move(op));
    }
    {
        OpSpec op("softmax_backward", "ch06", "dinp (R,C) = out * (dout - rowsum(dout * out)) (overwrites)");
        op.test_cases = rc_cases;
        op.bench_cases = rc_bench;
        op.make = make_backward;
        op.reference = {"loops", "rowsum in 8 partial sums, then out * (dout - d)", [](Problem& p) {
                            softmax_backward_cpu(p.f32("dinp"), p.f32("out"), p.f32("dout"), p["R"], p["C"]);
                        }};
        op.versions = numbered_versions(
            softmax_backward_gpu_versions,
            {"one thread per row", "one block per row, shared-memory tree", "one warp per row, shuffle reduction"},
            [](Device dev, int v, Problem& p) {
                LADDER_GPU_CALL(dev, softmax_backward, v, p.f32("dinp"), p.f32("out"), p.f32("dout"), p["R"], p["C"]);
            });
        op.error_bounds = backward_bounds;
        // d/dinp of sum <dout, softmax(inp)>, in double. Unmasked rows only: a finite difference
        // at a -inf score is not defined (the masked entries' gradient, 0, is checked above).
        // One entry (gradient 0), rows off the warp, and the 20x outliers of a 40-entry row.
        op.differentiates = Differentiates{
            .forward = "softmax",
            .outputs = {"out"},
            .wrt = {"inp"},
            .backward_f64 =
                [](Problem64& p) {
                    softmax_backward_cpu(p.f64("dinp"), p.f64("out"), p.f64("dout"), p["R"], p["C"]);
                },
            .cases = cases({"R", "C"}, {{1, 1}, {3, 7}, {2, 33}, {1, 40}}),
        };
        op.flops = [](const Case& c) { return 4.0 * c["R"] * c["C"]; };
        op.bytes = [](const Case& c) { return 12.0 * c["R"] * c["C"]; };   // read out, dout; write dinp
        r.add(std::move(op));
    }
    {
        OpSpec op("causal_mask", "ch06", "scores (BH,T,T): -inf above the diagonal (s > t), in place");
        // T = 1 (nothing to mask), sizes off the 256-thread block along s.
        op.test_cases = cases({"BH", "T"}, {{1, 1}, {2, 7}, {3, 33}, {1, 257}});
        op.bench_cases = cases({"BH", "T"}, {{8, 1024}, {48, 256}});
        op.make = [](const Case& c, Rng& rng) {
            Problem p(c);
            const std::size_t BH = c["BH"], T = c["T"];
            // inout: the kept entries must come back untouched, the masked ones as -inf.
            fill_test_values(rng, p.add_f32("scores", Role::inout, Shape{BH, T, T}), T);
            return p;
        };
        op.reference = {"loops", "std::fill of -inf after the diagonal, row by row",
                        [](Problem& p) { causal_mask_cpu(p.f32("scores"), p["BH"], p["T"]); }};
        op.reference_f64 = [](Problem64& p) { causal_mask_cpu(p.f64("scores"), p["BH"], p["T"]); };
        op.versions = numbered_versions(causal_mask_gpu_versions, {"one thread per element"},
                                        [](Device dev, int v, Problem& p) {
                                            LADDER_GPU_CALL(dev, causal_mask, v, p.f32("scores"), p["BH"], p["T"]);
                                        });
        // No arithmetic: an entry is kept or set to -inf, so the results agree exactly.
        op.tolerance = [](const Case&) { return Tolerance{0, 0}; };
        // Writes the T (T - 1) / 2 masked entries of each head; reads nothing.
        op.bytes = [](const Case& c) { return 4.0 * c["BH"] * c["T"] * (c["T"] - 1) / 2; };
        r.add(std::move(op));
    }
}

}  // namespace ladder
