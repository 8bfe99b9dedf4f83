// linear_op.cpp: the registry entries for the linear layer: "linear" (the forward pass) and
// "linear_backward" (dinp, dweight, dbias; it names the forward it differentiates). Introduced in ch05.
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "core/backend.hpp"
#include "core/gpu_dispatch.hpp"
#include "kernels/error_bounds.hpp"
#include "kernels/linear/linear.hpp"
#include "kernels/matmul/matmul.hpp"
#include "kernels/registry.hpp"

namespace ladder {

namespace {

bool has_bias(const Case& c) { return c.get("nobias", 0) == 0; }
bool has_dinp(const Case& c) { return c.get("nodinp", 0) == 0; }

std::vector<double> abs_copy(const float* x, std::size_t n) {
    std::vector<double> v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = std::fabs(static_cast<double>(x[i]));
    return v;
}

// S = |op(A)| |op(B)| (the sum of the absolute products of every dot product), in double.
std::vector<double> abs_products(const float* a, const float* b, MatmulDims d) {
    const auto abs_a = abs_copy(a, d.M * d.K), abs_b = abs_copy(b, d.K * d.N);
    std::vector<double> s(d.M * d.N);
    d.alpha = 1;
    d.beta = 0;
    matmul_cpu(s.data(), abs_a.data(), abs_b.data(), d);
    return s;
}

MatmulDims dims(std::size_t M, std::size_t N, std::size_t K, bool ta, bool tb) {
    MatmulDims d;
    d.M = M;
    d.N = N;
    d.K = K;
    d.ta = ta;
    d.tb = tb;
    return d;
}

void forward_cpu(Problem& p) {
    const Case& c = p.sizes();
    linear_forward_cpu(p.f32("out"), p.f32("inp"), p.f32("weight"), has_bias(c) ? p.f32("bias") : nullptr, p["N"],
                       p["C"], p["OC"]);
}

void backward_cpu(Problem& p) {
    const Case& c = p.sizes();
    linear_backward_cpu(has_dinp(c) ? p.f32("dinp") : nullptr, p.f32("dweight"), has_bias(c) ? p.f32("dbias") : nullptr,
                        p.f32("dout"), p.f32("inp"), p.f32("weight"), p["N"], p["C"], p["OC"]);
}

}  // namespace

void register_linear(Registry& r) {
    // Sizes off the 32-column and 8/16-row blocks of the bias kernels and off matmul's
    // 128x128 tiles (1, 3, 17, 33, 70, 129 mixed), one case without a bias (and, for the
    // backward, one without dinp), and N = 2000 rows so that both bias-gradient kernels loop
    // (v2's 16 rows of threads each sum 125 rows).
    const std::vector<Case> fwd_cases = cases({"N", "C", "OC", "nobias?"}, {{1, 1, 1, 0},
                                                                           {3, 17, 33, 0},
                                                                           {17, 70, 129, 0},
                                                                           {129, 33, 3, 0},
                                                                           {70, 129, 17, 1},
                                                                           {33, 3, 70, 0},
                                                                           {2000, 3, 40, 0}});
    const std::vector<Case> bwd_cases = cases({"N", "C", "OC", "nobias?", "nodinp?"}, {{1, 1, 1, 0, 0},
                                                                                      {3, 17, 33, 0, 0},
                                                                                      {17, 70, 129, 0, 0},
                                                                                      {129, 33, 3, 0, 0},
                                                                                      {70, 129, 17, 1, 0},
                                                                                      {33, 3, 70, 0, 1},
                                                                                      {2000, 3, 40, 0, 0}});
    // GPT-2 small's shapes (C 768, its MLP 3072) at a few thousand rows, and an MLP LM's output layer.
    const std::vector<Case> bench_cases =
        cases({"N", "C", "OC"}, {{1024, 256, 256}, {4096, 768, 768}, {4096, 768, 3072}, {512, 512, 4096}});
    {
        OpSpec op("linear", "ch05", "out (N,OC) = inp (N,C) weight (OC,C)^T + bias (OC)");
        op.test_cases = fwd_cases;
        op.bench_cases = bench_cases;
        op.make = [](const Case& c, Rng& rng) {
            Problem p(c);
            const std::size_t N = c["N"], C = c["C"], OC = c["OC"];
            fill_test_values(rng, p.add_f32("inp", Role::in, Shape{N, C}), C);
            fill_test_values(rng, p.add_f32("weight", Role::in, Shape{OC, C}), C);
            if (has_bias(c)) fill_test_values(rng, p.add_f32("bias", Role::in, Shape{OC}), OC);
            p.add_f32("out", Role::out, Shape{N, OC});
            return p;
        };
        op.reference = {"xtensor", "xt::blas::gemm (inp weight^T), then + bias broadcast over rows", forward_cpu};
        op.reference_f64 = [](Problem64& p) {
            linear_forward_cpu(p.f64("out"), p.f64("inp"), p.f64("weight"), p.has("bias") ? p.f64("bias") : nullptr,
                               p["N"], p["C"], p["OC"]);
        };
        op.cpu_peers = {{"backend", "linear_forward(Backend cpu, Tensor...): the path a model takes", [](Problem& p) {
                             const Backend cpu(Device::cpu);
                             Tensor out = p.tensor("out");
                             const Tensor bias = has_bias(p.sizes()) ? p.tensor("bias") : Tensor();
                             linear_forward(cpu, out, p.tensor("inp"), p.tensor("weight"),
                                            bias.defined() ? &bias : nullptr);
                         }}};
        op.versions = numbered_versions(
            linear_forward_gpu_versions,
            {"matmul, then one thread per element adds bias", "matmul, then a thread per column adds its bias down the rows"},
            [](Device dev, int v, Problem& p) {
                LADDER_GPU_CALL(dev, linear_forward, v, p.f32("out"), p.f32("inp"), p.f32("weight"),
                                has_bias(p.sizes()) ? p.f32("bias") : nullptr, p["N"], p["C"], p["OC"]);
            });
        // out[n][o] = (sum of C products inp[n][c] weight[o][c]) + bias[o]: a dot product of
        // C terms plus one more term, C + 1 roundings on either side in any order (with or
        // without FMA): the bound of error_bounds.hpp with alpha = 1 and beta = 1 (bias in the
        // role of c_old; beta = 0 without a bias), 2 gamma_{C+2} (2 S + |out|) with
        // S = |inp| |weight|^T.
        op.error_bounds = [](const Problem& ref) {
            const Case& c = ref.sizes();
            const std::size_t N = c["N"], C = c["C"], OC = c["OC"];
            auto s = abs_products(ref.f32("inp"), ref.f32("weight"), dims(N, OC, C, false, true));
            dot_product_bounds(s, C, 1.0f, has_bias(c) ? 1.0f : 0.0f, ref.f32("out"));
            return std::map<std::string, std::vector<double>>{{"out", std::move(s)}};
        };
        op.flops = [](const Case& c) { return 2.0 * c["N"] * c["C"] * c["OC"] + c["N"] * c["OC"]; };
        op.bytes = [](const Case& c) {
            return 4.0 * (c["N"] * c["C"] + c["OC"] * c["C"] + c["OC"] + c["N"] * c["OC"]);
        };
        r.add(std::move(op));
    }
    {
        OpSpec op("linear_backward", "ch05",
                  "dinp (N,C) += dout (N,OC) weight (OC,C); dweight += dout^T inp; dbias (OC) += sum_n dout");
        op.test_cases = bwd_cases;
        op.bench_cases = bench_cases;
        op.make = [](const Case& c, Rng& rng) {
            Problem p(c);
            const std::size_t N = c["N"], C = c["C"], OC = c["OC"];
            fill_test_values(rng, p.add_f32("inp", Role::in, Shape{N, C}), C);
            fill_test_values(rng, p.add_f32("weight", Role::in, Shape{OC, C}), C);
            fill_test_values(rng, p.add_f32("dout", Role::in, Shape{N, OC}), OC);
            // The gradients accumulate: they start with values, so a kernel that overwrites fails.
            if (has_dinp(c)) fill_test_values(rng, p.add_f32("dinp", Role::inout, Shape{N, C}), C);
            fill_test_values(rng, p.add_f32("dweight", Role::inout, Shape{OC, C}), C);
            if (has_bias(c)) fill_test_values(rng, p.add_f32("dbias", Role::inout, Shape{OC}), OC);
            return p;
        };
        op.reference = {"xtensor", "xt::blas::gemm with beta = 1 (dinp, dweight), xt::sum over rows (dbias)",
                        backward_cpu};
        op.cpu_peers = {{"backend", "linear_backward(Backend cpu, Tensor...): the path a model takes", [](Problem& p) {
                             const Backend cpu(Device::cpu);
                             Tensor dweight = p.tensor("dweight");
                             Tensor dinp = has_dinp(p.sizes()) ? p.tensor("dinp") : Tensor();
                             Tensor dbias = has_bias(p.sizes()) ? p.tensor("dbias") : Tensor();
                             linear_backward(cpu, dinp.defined() ? &dinp : nullptr, dweight,
                                             dbias.defined() ? &dbias : nullptr, p.tensor("dout"), p.tensor("inp"),
                                             p.tensor("weight"));
                         }}};
        op.versions = numbered_versions(
            linear_backward_gpu_versions,
            {"two matmuls, then one thread per column sums dbias over the rows",
             "two matmuls, then a block per 32 columns sums dbias in shared memory"},
            [](Device dev, int v, Problem& p) {
                const Case& c = p.sizes();
                LADDER_GPU_CALL(dev, linear_backward, v, has_dinp(c) ? p.f32("dinp") : nullptr, p.f32("dweight"),
                                has_bias(c) ? p.f32("dbias") : nullptr, p.f32("dout"), p.f32("inp"), p.f32("weight"),
                                p["N"], p["C"], p["OC"]);
            });
        op.error_bounds = [](const Problem& ref) {
            const Case& c = ref.sizes();
            const std::size_t N = c["N"], C = c["C"], OC = c["OC"];
            std::map<std::string, std::vector<double>> b;
            // dinp[n][c] += sum of OC products dout[n][o] weight[o][c], and dweight[o][c] +=
            // sum of N products dout[n][o] inp[n][c]: each a dot product plus its old value
            // (alpha = beta = 1), so the bound of error_bounds.hpp, 2 gamma_{K+2} (2 S + |new|),
            // with K = OC and S = |dout| |weight| for dinp, K = N and S = |dout|^T |inp| for dweight.
            if (has_dinp(c)) {
                auto s = abs_products(ref.f32("dout"), ref.f32("weight"), dims(N, C, OC, false, false));
                dot_product_bounds(s, OC, 1.0f, 1.0f, ref.f32("dinp"));
                b["dinp"] = std::move(s);
            }
            auto s = abs_products(ref.f32("dout"), ref.f32("inp"), dims(OC, C, N, true, false));
            dot_product_bounds(s, N, 1.0f, 1.0f, ref.f32("dweight"));
            b["dweight"] = std::move(s);
            // dbias[o] = old + sum_n dout[n][o]: N + 1 terms added in some order (a loop, a
            // tree), N roundings, so each side is within g (|old| + S) of the exact sum E,
            // g = gamma_N, S = sum_n |dout[n][o]| (Higham 4.2). With |old| <= |E| + S and
            // |E| <= |ref| + g (|old| + S): |old| + S <= (|ref| + 2 S) / (1 - g), and the two
            // sides differ by at most 2 g / (1 - g) (|ref| + 2 S).
            if (has_bias(c)) {
                const float *dout = ref.f32("dout"), *dbias = ref.f32("dbias");
                const double g = gamma_n(static_cast<double>(N));
                std::vector<double> db(OC, 0.0);
                for (std::size_t n = 0; n < N; ++n) {
                    const float* dout_n = dout + n * OC;
                    for (std::size_t o = 0; o < OC; ++o) db[o] += std::fabs(static_cast<double>(dout_n[o]));
                }
                for (std::size_t o = 0; o < OC; ++o) db[o] = 2 * g / (1 - g) * (std::fabs(dbias[o]) + 2 * db[o]) + 1e-30;
                b["dbias"] = std::move(db);
            }
            return b;
        };
        // d/dx of sum <dout, inp weight^T + bias> for x = inp, weight and bias.
        op.differentiates = Differentiates{
            .forward = "linear",
            .outputs = {"out"},
            .wrt = {"inp", "weight", "bias"},
            .backward_f64 =
                [](Problem64& p) {
                    linear_backward_cpu(p.f64("dinp"), p.f64("dweight"), p.f64("dbias"), p.f64("dout"), p.f64("inp"),
                                        p.f64("weight"), p["N"], p["C"], p["OC"]);
                },
            .cases = cases({"N", "C", "OC"}, {{1, 1, 1}, {3, 2, 4}, {5, 7, 3}}),
        };
        op.flops = [](const Case& c) {
            return (has_dinp(c) ? 4.0 : 2.0) * c["N"] * c["C"] * c["OC"] + c["N"] * c["OC"];
        };
        // Reads dout, inp, weight once; reads and writes each gradient.
        op.bytes = [](const Case& c) {
            const double N = c["N"], C = c["C"], OC = c["OC"];
            return 4.0 * (N * OC + N * C + OC * C + 2 * OC * C + (has_dinp(c) ? 2 * N * C : 0) +
                          (has_bias(c) ? 2 * OC : 0));
        };
        r.add(std::move(op));
    }
}

}  // namespace ladder
