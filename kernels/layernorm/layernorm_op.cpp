// layernorm_op.cpp: the registry entries of layer normalisation: "layernorm" (the forward pass:
// out, mean, rstd), "layernorm_backward" (which names the forward it differentiates) and
// "residual_layernorm" (the residual add fused with the layernorm after it).
// Introduced in ch07.
#include <algorithm>
#include <cmath>
#include <vector>

#include "core/gpu_dispatch.hpp"
#include "kernels/error_bounds.hpp"
#include "kernels/layernorm/layernorm.hpp"
#include "kernels/registry.hpp"

namespace ladder {

namespace {

constexpr double u = kFp32Unit;

// Test rows: N(0, 1) with 20x outliers, shifted by 3 so that the mean is far from 0 (a one-pass
// E[x^2] - E[x]^2 would lose digits to cancellation there); weight and bias random, not 1 and 0.
void fill_inputs(Problem& p, Rng& rng, const Case& c) {
    const std::size_t R = c["R"], C = c["C"];
    auto x = p.add_f32("inp", Role::in, Shape{R, C});
    fill_test_values(rng, x, C);
    for (float& v : x) v += 3.0f;
    fill_test_values(rng, p.add_f32("weight", Role::in, Shape{C}), C);
    fill_test_values(rng, p.add_f32("bias", Role::in, Shape{C}), C);
}

// [book:layernorm-bounds]
// Per element, to first order in u = 2^-24 (the 1.01 covers the rest; 2x: two implementations,
// each within the bound of the exact value). Row r of C values x, exact mean m, d = x - m,
// variance v, s = 1 / sqrt(v + eps), n = d s:
//   mean   C terms summed in any order and a division: e_m = gamma_C mean|x|.
//   d      e_d = e_m + u |d| (the subtraction's rounding).
//   v      each square from a perturbed d (2 |d| e_d + u d^2), summed (gamma_C) and divided:
//          e_v = mean(2 |d| e_d + u d^2) + gamma_C v.
//   s      1/sqrt(v + eps): half of v's relative error, plus the add, the sqrt and the division:
//          rho_s = 0.5 e_v / (v + eps) + 3u, relative.
//   out    = d s w + b: |w| (e_d s + |d| s rho_s) + gamma_3 (|n w| + |b|).
// Backward, mean and rstd given (both sides read the same), a = dout w, n recomputed (2u |n|):
//   M1 = mean(a), M2 = mean(a n): e_1 = (gamma_C + u) mean|a|, e_2 = (gamma_C + 5u) mean|a n|;
//   g = a - M1 - n M2: e_g = u |a| + e_1 + 2u |n| |M2| + |n| e_2 + gamma_3 (|a| + |M1| + |n M2|);
//   dinp += s g: s e_g + gamma_2 (|dinp_old| + s |g|), |dinp_old| <= |dinp_new| + 2 s |g|;
//   dweight_c += sum_r dout n, dbias_c += sum_r dout: R products (2u |n| each) summed onto the
//   old value: (gamma_{R+1} + 2u) (sum_r |dout n| + |old|), |old| <= |new| + 2 sum_r |dout n|.
// [/book]
std::map<std::string, std::vector<double>> forward_bounds(const float* x, const float* w, const float* b,
                                                          std::size_t R, std::size_t C) {
    const double gC = gamma_n(static_cast<double>(C)), g3 = gamma_n(3);
    std::vector<double> b_out(R * C), b_mean(R), b_rstd(R);
    for (std::size_t r = 0; r < R; ++r) {
        const float* xr = x + r * C;
        double m = 0, abs_x = 0;
        for (std::size_t c = 0; c < C; ++c) m += xr[c], abs_x += std::fabs(xr[c]);
        m /= static_cast<double>(C), abs_x /= static_cast<double>(C);
        const double e_m = gC * abs_x;
        double v = 0, e_v = 0;
        for (std::size_t c = 0; c < C; ++c) {
            const double d = xr[c] - m, e_d = e_m + u * std::fabs(d);
            v += d * d;
            e_v += 2 * std::fabs(d) * e_d + u * d * d;
        }
        v /= static_cast<double>(C), e_v = e_v / static_cast<double>(C) + gC * v;
        const double s = 1 / std::sqrt(v + layernorm_eps), rho_s = 0.5 * e_v / (v + layernorm_eps) + 3 * u;
        for (std::size_t c = 0; c < C; ++c) {
            const double d = xr[c] - m, e_d = e_m + u * std::fabs(d);
            const double e = std::fabs(w[c]) * (e_d * s + std::fabs(d) * s * rho_s) +
                             g3 * (std::fabs(d * s * w[c]) + std::fabs(b[c]));
            b_out[r * C + c] = 2 * 1.01 * e + 1e-30;
        }
        b_mean[r] = 2 * 1.01 * e_m + 1e-37;
        b_rstd[r] = 2 * 1.01 * s * rho_s + 1e-37;
    }
    return {{"out", std::move(b_out)}, {"mean", std::move(b_mean)}, {"rstd", std::move(b_rstd)}};
}

std::map<std::string, std::vector<double>> layernorm_bounds(const Problem& ref) {
    return forward_bounds(ref.f32("inp"), ref.f32("weight"), ref.f32("bias"), ref["R"], ref["C"]);
}

// residual_layernorm: sum = a + b is one correctly rounded addition on every side, so it is
// exact (bit for bit); out, mean and rstd are a layernorm of that same sum: forward_bounds of it.
std::map<std::string, std::vector<double>> residual_bounds(const Problem& ref) {
    auto bounds = forward_bounds(ref.f32("sum"), ref.f32("weight"), ref.f32("bias"), ref["R"], ref["C"]);
    bounds["sum"] = std::vector<double>(ref["R"] * ref["C"], 0.0);
    return bounds;
}

std::map<std::string, std::vector<double>> backward_bounds(const Problem& ref) {
    const std::size_t R = ref["R"], C = ref["C"];
    const float *x = ref.f32("inp"), *w = ref.f32("weight"), *dy = ref.f32("dout"), *mean = ref.f32("mean"),
                *rstd = ref.f32("rstd"), *dx = ref.f32("dinp"), *dw = ref.f32("dweight"), *db = ref.f32("dbias");
    const double gC = gamma_n(static_cast<double>(C)), g3 = gamma_n(3), g2 = gamma_n(2);
    const double gR = gamma_n(static_cast<double>(R + 1)) + 2 * u;
    std::vector<double> b_dx(R * C), col_w(C, 0.0), col_b(C, 0.0);
    for (std::size_t r = 0; r < R; ++r) {
        const double m = mean[r], s = rstd[r];
        double M1 = 0, M2 = 0, A1 = 0, A2 = 0;
        for (std::size_t c = 0; c < C; ++c) {
            const double n = (x[r * C + c] - m) * s, a = static_cast<double>(dy[r * C + c]) * w[c];
            M1 += a, M2 += a * n, A1 += std::fabs(a), A2 += std::fabs(a * n);
            col_w[c] += std::fabs(dy[r * C + c] * n);
            col_b[c] += std::fabs(dy[r * C + c]);
        }
        M1 /= static_cast<double>(C), M2 /= static_cast<double>(C), A1 /= static_cast<double>(C), A2 /= static_cast<double>(C);
        const double e1 = (gC + u) * A1, e2 = (gC + 5 * u) * A2;
        for (std::size_t c = 0; c < C; ++c) {
            const std::size_t i = r * C + c;
            const double n = (x[i] - m) * s, a = static_cast<double>(dy[i]) * w[c], g = a - M1 - n * M2;
            const double e_g = u * std::fabs(a) + e1 + 2 * u * std::fabs(n) * std::fabs(M2) + std::fabs(n) * e2 +
                               g3 * (std::fabs(a) + std::fabs(M1) + std::fabs(n * M2));
            const double e = s * e_g + g2 * (std::fabs(dx[i]) + 3 * s * std::fabs(g));
            b_dx[i] = 2 * 1.01 * e + 1e-30;
        }
    }
    std::vector<double> b_dw(C), b_db(C);
    for (std::size_t c = 0; c < C; ++c) {
        b_dw[c] = 2 * 1.01 * gR * (3 * col_w[c] + std::fabs(dw[c])) + 1e-30;
        b_db[c] = 2 * 1.01 * gR * (3 * col_b[c] + std::fabs(db[c])) + 1e-30;
    }
    return {{"dinp", std::move(b_dx)}, {"dweight", std::move(b_dw)}, {"dbias", std::move(b_db)}};
}

}  // namespace

void register_layernorm(Registry& r) {
    // One value per row (variance 0: out = bias), rows off the warp (7, 33, 100) and at GPT-2's
    // C = 768; row counts off v2's 8 rows per block and v1's 256 (257 rows of 3).
    const std::vector<Case> test_cases =
        cases({"R", "C"}, {{1, 1}, {3, 7}, {5, 32}, {9, 33}, {4, 100}, {2, 768}, {257, 3}});
    // GPT-2 small's activations: B 4 x T 64 and B 8 x T 1024 rows of 768.
    const std::vector<Case> bench_cases = cases({"R", "C"}, {{256, 768}, {8192, 768}});
    {
        OpSpec op("layernorm", "ch07", "out (R,C) = (inp - mean) * rstd * weight + bias; mean, rstd (R) saved");
        op.test_cases = test_cases;
        op.bench_cases = bench_cases;
        op.make = [](const Case& c, Rng& rng) {
            Problem p(c);
            fill_inputs(p, rng, c);
            p.add_f32("out", Role::out, Shape{c["R"], c["C"]});
            p.add_f32("mean", Role::out, Shape{c["R"]});
            p.add_f32("rstd", Role::out, Shape{c["R"]});
            return p;
        };
        op.reference = {"loops", "two passes (mean, then squared deviations), a row at a time", [](Problem& p) {
                            layernorm_forward_cpu(p.f32("out"), p.f32("mean"), p.f32("rstd"), p.f32("inp"),
                                                  p.f32("weight"), p.f32("bias"), p["R"], p["C"], layernorm_eps);
                        }};
        op.reference_f64 = [](Problem64& p) {
            layernorm_forward_cpu(p.f64("out"), p.f64("mean"), p.f64("rstd"), p.f64("inp"), p.f64("weight"),
                                  p.f64("bias"), p["R"], p["C"], static_cast<double>(layernorm_eps));
        };
        op.cpu_peers = {{"backend", "layernorm_forward(Backend cpu, Tensor...): the path a model takes",
                         [](Problem& p) {
                             Tensor out = p.tensor("out"), mean = p.tensor("mean"), rstd = p.tensor("rstd");
                             layernorm_forward(Backend(Device::cpu), out, mean, rstd, p.tensor("inp"),
                                               p.tensor("weight"), p.tensor("bias"));
                         }}};
        op.versions = numbered_versions(layernorm_forward_gpu_versions,
                                        {"one thread per row, three passes", "one warp per row, shuffle reductions"},
                                        [](Device dev, int v, Problem& p) {
                                            LADDER_GPU_CALL(dev, layernorm_forward, v, p.f32("out"), p.f32("mean"),
                                                            p.f32("rstd"), p.f32("inp"), p.f32("weight"),
                                                            p.f32("bias"), p["R"], p["C"], layernorm_eps);
                                        });
        op.error_bounds = layernorm_bounds;
        op.flops = [](const Case& c) { return 8.0 * c["R"] * c["C"]; };
        op.bytes = [](const Case& c) { return 8.0 * c["R"] * c["C"] + 8.0 * c["C"] + 8.0 * c["R"]; };
        r.add(std::move(op));
    }
    {
        OpSpec op("residual_layernorm", "ch07",
                  "sum (R,C) = a + b; out = layernorm(sum), mean, rstd (R): the residual add fused with the next layernorm");
        op.test_cases = test_cases;
        op.bench_cases = bench_cases;
        op.make = [](const Case& c, Rng& rng) {
            Problem p(c);
            const std::size_t R = c["R"], C = c["C"];
            // a: the residual stream (shifted like layernorm's rows), b: a sublayer's output.
            auto a = p.add_f32("a", Role::in, Shape{R, C});
            fill_test_values(rng, a, C);
            for (float& v : a) v += 3.0f;
            fill_test_values(rng, p.add_f32("b", Role::in, Shape{R, C}), C);
            fill_test_values(rng, p.add_f32("weight", Role::in, Shape{C}), C);
            fill_test_values(rng, p.add_f32("bias", Role::in, Shape{C}), C);
            p.add_f32("sum", Role::out, Shape{R, C});
            p.add_f32("out", Role::out, Shape{R, C});
            p.add_f32("mean", Role::out, Shape{R});
            p.add_f32("rstd", Role::out, Shape{R});
            return p;
        };
        op.reference = {"loops", "a row at a time: the add, then layernorm's two passes", [](Problem& p) {
                            residual_layernorm_forward_cpu(p.f32("sum"), p.f32("out"), p.f32("mean"), p.f32("rstd"),
                                                           p.f32("a"), p.f32("b"), p.f32("weight"), p.f32("bias"),
                                                           p["R"], p["C"], layernorm_eps);
                        }};
        op.reference_f64 = [](Problem64& p) {
            residual_layernorm_forward_cpu(p.f64("sum"), p.f64("out"), p.f64("mean"), p.f64("rstd"), p.f64("a"),
                                           p.f64("b"), p.f64("weight"), p.f64("bias"), p["R"], p["C"],
                                           static_cast<double>(layernorm_eps));
        };
        op.cpu_peers = {{"backend", "residual_layernorm_forward(Backend cpu, Tensor...): the path a model takes",
                         [](Problem& p) {
                             Tensor sum = p.tensor("sum"), out = p.tensor("out"), mean = p.tensor("mean"),
                                    rstd = p.tensor("rstd");
                             residual_layernorm_forward(Backend(Device::cpu), sum, out, mean, rstd, p.tensor("a"),
                                                        p.tensor("b"), p.tensor("weight"), p.tensor("bias"));
                         }}};
        op.versions = numbered_versions(
            residual_layernorm_gpu_versions,
            {"unfused: an add kernel, then layernorm v2", "fused: a warp per row adds, keeps the sum and normalises"},
            [](Device dev, int v, Problem& p) {
                LADDER_GPU_CALL(dev, residual_layernorm_forward, v, p.f32("sum"), p.f32("out"), p.f32("mean"),
                                p.f32("rstd"), p.f32("a"), p.f32("b"), p.f32("weight"), p.f32("bias"), p["R"], p["C"],
                                layernorm_eps);
            });
        op.error_bounds = residual_bounds;
        op.flops = [](const Case& c) { return 9.0 * c["R"] * c["C"]; };
        // Fused: a and b read, sum and out written (the re-reads of sum hit the cache).
        op.bytes = [](const Case& c) { return 16.0 * c["R"] * c["C"] + 8.0 * c["C"] + 8.0 * c["R"]; };
        r.add(std::move(op));
    }
    {
        OpSpec op("layernorm_backward", "ch07",
                  "dinp (R,C), dweight, dbias (C) += the gradients of layernorm, from mean and rstd");
        op.test_cases = test_cases;
        op.bench_cases = bench_cases;
        op.make = [](const Case& c, Rng& rng) {
            Problem p(c);
            const std::size_t R = c["R"], C = c["C"];
            fill_inputs(p, rng, c);
            fill_test_values(rng, p.add_f32("dout", Role::in, Shape{R, C}), C);
            // mean and rstd as the forward saves them.
            std::vector<float> out(R * C);
            auto mean = p.add_f32("mean", Role::in, Shape{R});
            auto rstd = p.add_f32("rstd", Role::in, Shape{R});
            layernorm_forward_cpu(out.data(), mean.data(), rstd.data(), p.f32("inp"), p.f32("weight"), p.f32("bias"), R,
                                  C, layernorm_eps);
            // The gradients accumulate: they start with values, so a kernel that overwrites fails.
            fill_test_values(rng, p.add_f32("dinp", Role::inout, Shape{R, C}), C);
            fill_test_values(rng, p.add_f32("dweight", Role::inout, Shape{C}), C);
            fill_test_values(rng, p.add_f32("dbias", Role::inout, Shape{C}), C);
            return p;
        };
        op.reference = {"loops", "a row at a time: the two means, then dinp; dweight, dbias summed row by row",
                        [](Problem& p) {
                            layernorm_backward_cpu(p.f32("dinp"), p.f32("dweight"), p.f32("dbias"), p.f32("dout"),
                                                   p.f32("inp"), p.f32("weight"), p.f32("mean"), p.f32("rstd"), p["R"],
                                                   p["C"]);
                        }};
        op.cpu_peers = {{"backend", "layernorm_backward(Backend cpu, Tensor...): the path a model takes",
                         [](Problem& p) {
                             Tensor dinp = p.tensor("dinp"), dw = p.tensor("dweight"), db = p.tensor("dbias");
                             layernorm_backward(Backend(Device::cpu), dinp, dw, db, p.tensor("dout"), p.tensor("inp"),
                                                p.tensor("weight"), p.tensor("mean"), p.tensor("rstd"));
                         }}};
        op.versions = numbered_versions(
            layernorm_backward_gpu_versions,
            {"dinp a thread per row; dweight, dbias a thread per column", "dinp a warp per row; the same column kernel"},
            [](Device dev, int v, Problem& p) {
                LADDER_GPU_CALL(dev, layernorm_backward, v, p.f32("dinp"), p.f32("dweight"), p.f32("dbias"),
                                p.f32("dout"), p.f32("inp"), p.f32("weight"), p.f32("mean"), p.f32("rstd"), p["R"],
                                p["C"]);
            });
        op.error_bounds = backward_bounds;
        // d sum <dout, out> / d inp, weight, bias by central differences of the double forward.
        op.differentiates = Differentiates{
            .forward = "layernorm",
            .outputs = {"out"},
            .wrt = {"inp", "weight", "bias"},
            .backward_f64 =
                [](Problem64& p) {
                    layernorm_backward_cpu(p.f64("dinp"), p.f64("dweight"), p.f64("dbias"), p.f64("dout"),
                                           p.f64("inp"), p.f64("weight"), p.f64("mean"), p.f64("rstd"), p["R"],
                                           p["C"]);
                },
            .cases = cases({"R", "C"}, {{1, 2}, {3, 5}, {2, 9}}),
        };
        op.flops = [](const Case& c) { return 14.0 * c["R"] * c["C"]; };
        op.bytes = [](const Case& c) { return 16.0 * c["R"] * c["C"] + 16.0 * c["C"]; };
        r.add(std::move(op));
    }
}

}  // namespace ladder
