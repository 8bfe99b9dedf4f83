// attention_op.cpp: the registry entries of causal attention: "attention" (naive: out and the
// (BH,T,T) probabilities), "attention_backward", "attention_fused" (out and lse) and
// "attention_fused_backward" (each backward names the forward it differentiates).
// Introduced in ch06.
#include <algorithm>
#include <cmath>
#include <vector>

#include "core/gpu_dispatch.hpp"
#include "kernels/attention/attention.hpp"
#include "kernels/attention/attention_bounds.hpp"
#include "kernels/error_bounds.hpp"
#include "kernels/registry.hpp"

namespace ladder {

namespace {

Shape rows_shape(const Case& c) { return Shape{c["BH"], c["T"], c["hs"]}; }
Shape square_shape(const Case& c) { return Shape{c["BH"], c["T"], c["T"]}; }
Shape lse_shape(const Case& c) { return Shape{c["BH"], c["T"]}; }
float scale_of(const Case& c) { return 1.0f / std::sqrt(static_cast<float>(c["hs"])); }   // every model's scale

// T off the fused kernels' 64-row blocks and 32-row tiles (1, 5, 33, 70, 129: a block with one
// row, a tile with one key, three blocks), head sizes 1, off the warp (33) and at the GPU's
// limit (128); BH 1..3.
std::vector<Case> test_cases() {
    return cases({"BH", "T", "hs"}, {{1, 1, 1}, {2, 5, 8}, {1, 32, 16}, {3, 33, 8}, {2, 70, 33}, {1, 129, 16},
                                     {1, 40, 128}});
}
// The check runs the forward 4 times per element of q, k and v: a few dozen each.
std::vector<Case> grad_cases() { return cases({"BH", "T", "hs"}, {{1, 1, 1}, {1, 3, 2}, {2, 4, 3}}); }
// A GPT-2-sized head (hs 64) and 8 of them, at context lengths 128..2048: the naive path's
// (T,T) buffer grows from 0.5 MB to 128 MB.
std::vector<Case> bench_cases() {
    return cases({"BH", "T", "hs"}, {{8, 128, 64}, {8, 512, 64}, {8, 1024, 64}, {8, 2048, 64}});
}

// Useful flops (the keys s <= t only): the forward's scores and weighted sum are 2 hs flops per
// pair each; the backward's four products (datt, dq, dk, dv) twice that.
double pairs(const Case& c) { return static_cast<double>(c["BH"]) * c["T"] * (c["T"] + 1) / 2; }
double forward_flops(const Case& c) { return 4.0 * c["hs"] * pairs(c); }
double backward_flops(const Case& c) { return 8.0 * c["hs"] * pairs(c); }
double row_bytes(const Case& c) { return 4.0 * c["BH"] * c["T"] * c["hs"]; }   // one (BH,T,hs) tensor

Problem make_forward(const Case& c, Rng& rng, bool fused) {
    Problem p(c);
    for (const char* name : {"q", "k", "v"}) fill_test_values(rng, p.add_f32(name, Role::in, rows_shape(c)), c["hs"]);
    p.add_f32("out", Role::out, rows_shape(c));
    if (fused) p.add_f32("lse", Role::out, lse_shape(c));
    else p.add_f32("att", Role::out, square_shape(c));
    return p;
}

// A backward's inputs: q, k, v, dout and what its forward saved (att, or out and lse), computed
// by the CPU reference as a model's forward pass would. Its outputs are overwritten: NaN-poisoned.
Problem make_backward(const Case& c, Rng& rng, bool fused) {
    Problem p(c);
    const std::size_t BH = c["BH"], T = c["T"], hs = c["hs"];
    for (const char* name : {"q", "k", "v", "dout"}) fill_test_values(rng, p.add_f32(name, Role::in, rows_shape(c)), hs);
    if (fused) {
        auto out = p.add_f32("out", Role::in, rows_shape(c));
        auto lse = p.add_f32("lse", Role::in, lse_shape(c));
        attention_fused_forward_cpu(out.data(), lse.data(), p.f32("q"), p.f32("k"), p.f32("v"), BH, T, hs,
                                    scale_of(c));
    } else {
        std::vector<float> out(BH * T * hs);
        auto att = p.add_f32("att", Role::in, square_shape(c));
        attention_forward_cpu(out.data(), att.data(), p.f32("q"), p.f32("k"), p.f32("v"), BH, T, hs, scale_of(c));
        p.add_f32("dpreatt", Role::out, square_shape(c));
    }
    for (const char* name : {"dq", "dk", "dv"}) p.add_f32(name, Role::out, rows_shape(c));
    return p;
}

// [book:attention-bounds]
// The error of any implementation here, per element, to first order in u = 2^-24 (the factor
// 1.01 on the bounds covers the second-order terms; 2x: two implementations, each within the
// bound of the exact value, differ by at most twice it). Exact values come from q, k, v (dout)
// in double. For query t of n = t + 1 keys, with x_s = scale q_t . k_s and t_s = x_s - max_s x:
//   scores   |x^_s - x_s| <= d_s = gamma_{hs+2} |scale| sum_j |q_tj k_sj| (hs products and sums,
//            the scale, and a pre-scaled q or k); D = max_s d_s.
//   probs    p_s moves by at most e^{2D} - 1 <= 2.02 D relative when the scores move by D
//            (numerator and denominator), plus the softmax's own rounding: the subtraction
//            (|t_s| u, through exp), exp (<= 2 ulp = 4u), the sum of n terms (gamma_n), the
//            division; the online softmax rescales a term once per new max, each rescale
//            (|m_old - m_new| + 5) u, the differences adding up to at most |t_s|; the fused
//            backward's exp(x - lse) adds the subtraction's (|t_s| + log n) u and lse's error
//            (below; its D is covered by the 2.02 D). So, with tmax = max_s |t_s|,
//            rho_s = 2.02 D + (2 |t_s| + tmax + log n + 5 n + 12) u + 6 u (|lse| + |max|) + gamma_n.
//   out_j    = sum_s p_s v_sj: sum_s p_s rho_s |v_sj| + gamma_{n+2} sum_s p_s |v_sj|.
//   lse      = max + log S: D + gamma_n + (max_s |t_s| + 5 n + 12) u + 6 u (|lse| + |max|).
// Backward, with dp_s = dout_t . v_s, A_s = sum_j |dout_tj v_sj| >= |dp_s|, and the row's
// D_t = sum_s p_s dp_s = dout_t . out_t (the naive path sums the first, the fused the second):
//   D_t      E_D = sum_s p_s A_s (rho_s + 2 gamma_{n+hs+2}).
//   ds_s     = p_s (dp_s - D_t): E_s = p_s ((rho_s + gamma_2) |dp_s - D_t| + gamma_hs A_s + E_D);
//            dpreatt is ds.
//   dq_tj    = scale sum_s ds_s k_sj: |scale| (sum_s E_s |k_sj| + gamma_{n+1} sum_s |ds_s k_sj|).
//   dk_sj    = scale sum_{t>=s} ds_ts q_tj: the same over the column s, gamma_{T-s+1}.
//   dv_sj    = sum_{t>=s} p_ts dout_tj: sum_t p_ts rho_ts |dout_tj| + gamma_{T-s+1} sum_t p_ts |dout_tj|.
// [/book]

// A window's queries: every position of q against the keys of the same T rows.
AttentionRows window_rows(const Problem& ref) {
    const std::size_t T = ref["T"];
    return {ref.f32("q"), ref.f32("k"), ref.f32("v"), ref["BH"], T, 0, T, ref["hs"], scale_of(ref.sizes())};
}

AttentionExact exact_forward(const Problem& ref) { return attention_exact_forward(window_rows(ref)); }

std::map<std::string, std::vector<double>> forward_bounds(const Problem& ref, bool fused) {
    const AttentionRows rows = window_rows(ref);
    AttentionExact e = attention_exact_forward(rows);
    const std::size_t BH = e.BH, T = e.T;
    std::vector<double> b_out = attention_out_bounds(e, rows);
    std::map<std::string, std::vector<double>> bounds{{"out", std::move(b_out)}};
    if (fused) {
        bounds["lse"] = std::move(e.lse_bound);
    } else {
        // Masked entries (p = 0, rho = 0) are exactly 0 on both sides; the floor covers subnormals.
        std::vector<double> b_att(BH * T * T);
        for (std::size_t i = 0; i < b_att.size(); ++i) b_att[i] = 2 * 1.01 * e.p[i] * e.rho[i] + 1e-37;
        bounds["att"] = std::move(b_att);
    }
    return bounds;
}

std::map<std::string, std::vector<double>> backward_bounds(const Problem& ref, bool fused) {
    AttentionExact e = exact_forward(ref);
    const std::size_t BH = e.BH, T = e.T, hs = e.hs;
    const double scale = scale_of(ref.sizes());
    const float *q = ref.f32("q"), *k = ref.f32("k"), *v = ref.f32("v"), *dout = ref.f32("dout");
    const double g2 = gamma_n(2), g_hs = gamma_n(static_cast<double>(hs));
    std::vector<double> ds(BH * T * T, 0.0), E(BH * T * T, 0.0);   // exact ds and its bound
    std::vector<double> dp(T), A(T);
    for (std::size_t bh = 0; bh < BH; ++bh)
        for (std::size_t t = 0; t < T; ++t) {
            const std::size_t n = t + 1;
            const double g_D = gamma_n(static_cast<double>(n + hs + 2));
            double Dt = 0, ED = 0;
            for (std::size_t s = 0; s < n; ++s) {
                double dot = 0, abs = 0;
                for (std::size_t j = 0; j < hs; ++j) {
                    const double a = static_cast<double>(dout[(bh * T + t) * hs + j]) * v[(bh * T + s) * hs + j];
                    dot += a;
                    abs += std::fabs(a);
                }
                dp[s] = dot;
                A[s] = abs;
                const double p = e.at(e.p, bh, t, s);
                Dt += p * dot;
                ED += p * abs * (e.at(e.rho, bh, t, s) + 2 * g_D);
            }
            for (std::size_t s = 0; s < n; ++s) {
                const double p = e.at(e.p, bh, t, s);
                e.at(ds, bh, t, s) = p * (dp[s] - Dt);
                e.at(E, bh, t, s) = p * ((e.at(e.rho, bh, t, s) + g2) * std::fabs(dp[s] - Dt) + g_hs * A[s] + ED);
            }
        }
    std::vector<double> b_dq(BH * T * hs), b_dk(BH * T * hs), b_dv(BH * T * hs);
    for (std::size_t bh = 0; bh < BH; ++bh)
        for (std::size_t r = 0; r < T; ++r)
            for (std::size_t j = 0; j < hs; ++j) {
                const std::size_t i = (bh * T + r) * hs + j;
                // dq at query r: over the keys s <= r.
                double eq = 0, aq = 0;
                for (std::size_t s = 0; s <= r; ++s) {
                    const double kk = std::fabs(k[(bh * T + s) * hs + j]);
                    eq += e.at(E, bh, r, s) * kk;
                    aq += std::fabs(e.at(ds, bh, r, s)) * kk;
                }
                b_dq[i] = 2 * 1.01 * scale * (eq + gamma_n(static_cast<double>(r + 2)) * aq) + 1e-30;
                // dk and dv at key r: over the queries t >= r.
                double ek = 0, ak = 0, ev = 0, av = 0;
                for (std::size_t t = r; t < T; ++t) {
                    const double qq = std::fabs(q[(bh * T + t) * hs + j]), gg = std::fabs(dout[(bh * T + t) * hs + j]);
                    ek += e.at(E, bh, t, r) * qq;
                    ak += std::fabs(e.at(ds, bh, t, r)) * qq;
                    ev += e.at(e.p, bh, t, r) * e.at(e.rho, bh, t, r) * gg;
                    av += e.at(e.p, bh, t, r) * gg;
                }
                const double g_col = gamma_n(static_cast<double>(T - r + 1));
                b_dk[i] = 2 * 1.01 * scale * (ek + g_col * ak) + 1e-30;
                b_dv[i] = 2 * 1.01 * (ev + g_col * av) + 1e-30;
            }
    std::map<std::string, std::vector<double>> bounds{
        {"dq", std::move(b_dq)}, {"dk", std::move(b_dk)}, {"dv", std::move(b_dv)}};
    if (!fused) {
        for (std::size_t i = 0; i < E.size(); ++i) E[i] = 2 * 1.01 * E[i] + 1e-37;
        bounds["dpreatt"] = std::move(E);
    }
    return bounds;
}

}  // namespace

void register_attention(Registry& r) {
    {
        OpSpec op("attention", "ch06",
                  "out (BH,T,hs) = att v, att (BH,T,T) = causal softmax(q k^T / sqrt(hs)) (stored)");
        op.test_cases = test_cases();
        op.bench_cases = bench_cases();
        op.make = [](const Case& c, Rng& rng) { return make_forward(c, rng, false); };
        op.reference = {"blas", "a tile of 64 queries at a time: scores by sgemm over the keys it sees, softmax, sgemm",
                        [](Problem& p) {
                            attention_forward_cpu(p.f32("out"), p.f32("att"), p.f32("q"), p.f32("k"), p.f32("v"),
                                                  p["BH"], p["T"], p["hs"], scale_of(p.sizes()));
                        }};
        op.reference_f64 = [](Problem64& p) {
            attention_forward_cpu(p.f64("out"), p.f64("att"), p.f64("q"), p.f64("k"), p.f64("v"), p["BH"], p["T"],
                                  p["hs"], static_cast<double>(scale_of(p.sizes())));
        };
        op.cpu_peers = {{"backend", "attention_forward(Backend cpu, Tensor...): the path a model takes",
                         [](Problem& p) {
                             Tensor out = p.tensor("out"), att = p.tensor("att");
                             attention_forward(Backend(Device::cpu), out, att, p.tensor("q"), p.tensor("k"),
                                               p.tensor("v"), scale_of(p.sizes()));
                         }}};
        op.versions = numbered_versions(
            attention_forward_gpu_versions,
            {"three kernels over the (BH,T,T) buffer: scores, a warp-per-row masked softmax, the weighted sum"},
            [](Device dev, int v, Problem& p) {
                LADDER_GPU_CALL(dev, attention_forward, v, p.f32("out"), p.f32("att"), p.f32("q"), p.f32("k"),
                                p.f32("v"), p["BH"], p["T"], p["hs"], scale_of(p.sizes()));
            });
        op.error_bounds = [](const Problem& ref) { return forward_bounds(ref, false); };
        op.flops = forward_flops;
        op.bytes = [](const Case& c) { return 4 * row_bytes(c) + 4.0 * c["BH"] * c["T"] * c["T"]; };
        r.add(std::move(op));
    }
    {
        OpSpec op("attention_backward", "ch06",
                  "dq, dk, dv (BH,T,hs) and dpreatt (BH,T,T) from dout and the stored att (overwritten)");
        op.test_cases = test_cases();
        op.bench_cases = bench_cases();
        op.make = [](const Case& c, Rng& rng) { return make_backward(c, rng, false); };
        op.reference = {"blas", "a tile of 64 queries at a time: five sgemm calls and the softmax's backward",
                        [](Problem& p) {
                            attention_backward_cpu(p.f32("dq"), p.f32("dk"), p.f32("dv"), p.f32("dpreatt"),
                                                   p.f32("dout"), p.f32("q"), p.f32("k"), p.f32("v"), p.f32("att"),
                                                   p["BH"], p["T"], p["hs"], scale_of(p.sizes()));
                        }};
        op.cpu_peers = {{"backend", "attention_backward(Backend cpu, Tensor...): the path a model takes",
                         [](Problem& p) {
                             Tensor dq = p.tensor("dq"), dk = p.tensor("dk"), dv = p.tensor("dv"),
                                    dpre = p.tensor("dpreatt");
                             attention_backward(Backend(Device::cpu), dq, dk, dv, dpre, p.tensor("dout"), p.tensor("q"),
                                                p.tensor("k"), p.tensor("v"), p.tensor("att"), scale_of(p.sizes()));
                         }}};
        op.versions = numbered_versions(
            attention_backward_gpu_versions,
            {"datt and the softmax's backward over (BH,T,T), then a thread per element of dq, and of dk and dv"},
            [](Device dev, int v, Problem& p) {
                LADDER_GPU_CALL(dev, attention_backward, v, p.f32("dq"), p.f32("dk"), p.f32("dv"), p.f32("dpreatt"),
                                p.f32("dout"), p.f32("q"), p.f32("k"), p.f32("v"), p.f32("att"), p["BH"], p["T"],
                                p["hs"], scale_of(p.sizes()));
            });
        op.error_bounds = [](const Problem& ref) { return backward_bounds(ref, false); };
        // d sum <dout, out> / d q, k, v by central differences of the naive forward in double.
        op.differentiates = Differentiates{
            .forward = "attention",
            .outputs = {"out"},
            .wrt = {"q", "k", "v"},
            .backward_f64 =
                [](Problem64& p) {
                    auto& dpre = p.add_f64("dpreatt", Shape{p["BH"], p["T"], p["T"]});
                    attention_backward_cpu(p.f64("dq"), p.f64("dk"), p.f64("dv"), dpre.data(), p.f64("dout"),
                                           p.f64("q"), p.f64("k"), p.f64("v"), p.f64("att"), p["BH"], p["T"], p["hs"],
                                           static_cast<double>(scale_of(p.sizes())));
                },
            .cases = grad_cases(),
        };
        op.flops = backward_flops;
        op.bytes = [](const Case& c) { return 7 * row_bytes(c) + 8.0 * c["BH"] * c["T"] * c["T"]; };
        r.add(std::move(op));
    }
    {
        OpSpec op("attention_fused", "ch06",
                  "out (BH,T,hs) and lse (BH,T) of causal attention, no (T,T) buffer (online softmax)");
        op.test_cases = test_cases();
        op.bench_cases = bench_cases();
        op.make = [](const Case& c, Rng& rng) { return make_forward(c, rng, true); };
        op.reference = {"blas", "a tile of 64 queries at a time, its scores in a reused (64,T) scratch",
                        [](Problem& p) {
                            attention_fused_forward_cpu(p.f32("out"), p.f32("lse"), p.f32("q"), p.f32("k"), p.f32("v"),
                                                        p["BH"], p["T"], p["hs"], scale_of(p.sizes()));
                        }};
        op.reference_f64 = [](Problem64& p) {
            attention_fused_forward_cpu(p.f64("out"), p.f64("lse"), p.f64("q"), p.f64("k"), p.f64("v"), p["BH"],
                                        p["T"], p["hs"], static_cast<double>(scale_of(p.sizes())));
        };
        op.cpu_peers = {{"backend", "attention_fused_forward(Backend cpu, Tensor...): the path a model takes",
                         [](Problem& p) {
                             Tensor out = p.tensor("out"), lse = p.tensor("lse");
                             attention_fused_forward(Backend(Device::cpu), out, lse, p.tensor("q"), p.tensor("k"),
                                                     p.tensor("v"), scale_of(p.sizes()));
                         }}};
        op.versions = numbered_versions(
            attention_fused_forward_gpu_versions,
            {"a thread per query row, 64 rows per block sharing 32-key tiles of k and v, online softmax"},
            [](Device dev, int v, Problem& p) {
                LADDER_GPU_CALL(dev, attention_fused_forward, v, p.f32("out"), p.f32("lse"), p.f32("q"), p.f32("k"),
                                p.f32("v"), p["BH"], p["T"], p["hs"], scale_of(p.sizes()));
            });
        op.error_bounds = [](const Problem& ref) { return forward_bounds(ref, true); };
        op.flops = forward_flops;
        op.bytes = [](const Case& c) { return 4 * row_bytes(c) + 4.0 * c["BH"] * c["T"]; };
        r.add(std::move(op));
    }
    {
        OpSpec op("attention_fused_backward", "ch06",
                  "dq, dk, dv (BH,T,hs) from dout, out and lse, att recomputed (overwritten)");
        op.test_cases = test_cases();
        op.bench_cases = bench_cases();
        op.make = [](const Case& c, Rng& rng) { return make_backward(c, rng, true); };
        op.reference = {"blas", "a tile of 64 queries at a time: att and datt recomputed by sgemm, three more sgemm",
                        [](Problem& p) {
                            attention_fused_backward_cpu(p.f32("dq"), p.f32("dk"), p.f32("dv"), p.f32("dout"),
                                                         p.f32("q"), p.f32("k"), p.f32("v"), p.f32("out"),
                                                         p.f32("lse"), p["BH"], p["T"], p["hs"], scale_of(p.sizes()));
                        }};
        op.cpu_peers = {{"backend", "attention_fused_backward(Backend cpu, Tensor...): the path a model takes",
                         [](Problem& p) {
                             Tensor dq = p.tensor("dq"), dk = p.tensor("dk"), dv = p.tensor("dv");
                             attention_fused_backward(Backend(Device::cpu), dq, dk, dv, p.tensor("dout"), p.tensor("q"),
                                                      p.tensor("k"), p.tensor("v"), p.tensor("out"), p.tensor("lse"),
                                                      scale_of(p.sizes()));
                         }}};
        op.versions = numbered_versions(
            attention_fused_backward_gpu_versions,
            {"dq a thread per query row over key tiles; dk, dv a thread per key row over query tiles; no atomics"},
            [](Device dev, int v, Problem& p) {
                LADDER_GPU_CALL(dev, attention_fused_backward, v, p.f32("dq"), p.f32("dk"), p.f32("dv"),
                                p.f32("dout"), p.f32("q"), p.f32("k"), p.f32("v"), p.f32("out"), p.f32("lse"),
                                p["BH"], p["T"], p["hs"], scale_of(p.sizes()));
            });
        op.error_bounds = [](const Problem& ref) { return backward_bounds(ref, true); };
        op.differentiates = Differentiates{
            .forward = "attention_fused",
            .outputs = {"out"},
            .wrt = {"q", "k", "v"},
            .backward_f64 =
                [](Problem64& p) {
                    attention_fused_backward_cpu(p.f64("dq"), p.f64("dk"), p.f64("dv"), p.f64("dout"), p.f64("q"),
                                                 p.f64("k"), p.f64("v"), p.f64("out"), p.f64("lse"), p["BH"], p["T"],
                                                 p["hs"], static_cast<double>(scale_of(p.sizes())));
                },
            .cases = grad_cases(),
        };
        op.flops = backward_flops;
        op.bytes = [](const Case& c) { return 8 * row_bytes(c) + 4.0 * c["BH"] * c["T"]; };
        r.add(std::move(op));
    }
}

}  // namespace ladder
