// gelu_op.cpp: the registry entries for GELU: "gelu" (the forward pass) and "gelu_backward"
// (which names the forward it differentiates). Introduced in ch07.
#include <cmath>
#include <vector>

#include "core/gpu_dispatch.hpp"
#include "kernels/error_bounds.hpp"
#include "kernels/gelu/gelu.hpp"
#include "kernels/registry.hpp"

namespace ladder {

namespace {

constexpr double u = kFp32Unit;

// [book:gelu-bounds]
// Per element, to first order in u = 2^-24 (the 1.01 covers the rest; 2x: two implementations,
// each within the bound of the exact value). With x the input, a = k (x + c x^3), t = tanh(a):
//   a      x^3, c x^3, the sum and k: five roundings of same-sign terms (x and c x^3 agree in
//          sign, so nothing cancels): e_a = gamma_5 |a|.
//   t      tanh within 2 ulp on both sides (CUDA's tanhf, the CPU's tanh_fast) and its slope
//          1 - t^2 times e_a: e_t = (1 - t^2) e_a + 4u |t|.
//   out    = 0.5 x (1 + t): the sum cancels where t -> -1 (large negative x), so its error is
//          e_t + u |1 + t| absolute, not relative; the product adds u |out|:
//          e_out = 0.5 |x| (e_t + u |1 + t|) + u |out|.
//   grad   = 0.5 (1 + t) + 0.5 x (1 - t^2) k m, m = 1 + 3 c x^2: 1 - t^2 cancels where |t| -> 1,
//          e_s = 2 |t| e_t + u t^2 + u |1 - t^2|; m within gamma_4 (no cancellation); the
//          product of four factors adds gamma_4; the sum adds u |grad|.
//   dinp   += grad dout: |dout| e_grad + gamma_2 (|dinp_old| + |grad dout|), with
//          |dinp_old| <= |dinp_new| + 2 |grad dout| (the term, with room for its rounding).
// [/book]
struct Terms {
    double t, e_t;
};
Terms tanh_terms(double x) {
    const double a = gelu_k * (x + gelu_c * x * x * x), t = std::tanh(a);
    return {t, (1 - t * t) * gamma_n(5) * std::fabs(a) + 4 * u * std::fabs(t)};
}

std::map<std::string, std::vector<double>> forward_bounds(const Problem& ref) {
    const std::size_t n = ref["n"];
    const float* x = ref.f32("inp");
    std::vector<double> b(n);
    for (std::size_t i = 0; i < n; ++i) {
        const auto [t, e_t] = tanh_terms(x[i]);
        const double out = 0.5 * x[i] * (1 + t);
        const double e = 0.5 * std::fabs(x[i]) * (e_t + u * std::fabs(1 + t)) + u * std::fabs(out);
        b[i] = 2 * 1.01 * e + 1e-37;
    }
    return {{"out", std::move(b)}};
}

std::map<std::string, std::vector<double>> backward_bounds(const Problem& ref) {
    const std::size_t n = ref["n"];
    const float *x = ref.f32("inp"), *dout = ref.f32("dout"), *dinp = ref.f32("dinp");
    const double g4 = gamma_n(4), g2 = gamma_n(2);
    std::vector<double> b(n);
    for (std::size_t i = 0; i < n; ++i) {
        const double xi = x[i];
        const auto [t, e_t] = tanh_terms(xi);
        const double s = 1 - t * t, m = 1 + 3 * gelu_c * xi * xi;
        const double A = 0.5 * (1 + t), B = 0.5 * xi * s * gelu_k * m, grad = A + B;
        const double e_A = 0.5 * (e_t + u * std::fabs(1 + t));
        const double e_s = 2 * std::fabs(t) * e_t + u * t * t + u * std::fabs(s);
        const double e_B = 0.5 * std::fabs(xi) * gelu_k * (e_s * m + std::fabs(s) * g4 * m) + g4 * std::fabs(B);
        const double e_grad = e_A + e_B + u * std::fabs(grad);
        const double term = std::fabs(grad * dout[i]);
        const double e = std::fabs(dout[i]) * e_grad + g2 * (std::fabs(dinp[i]) + 3 * term);
        b[i] = 2 * 1.01 * e + 1e-37;
    }
    return {{"dinp", std::move(b)}};
}

}  // namespace

void register_gelu(Registry& r) {
    // One element, sizes off the 256-thread block, and more elements than v2's grid has
    // threads (1056 x 256 = 270336), so its loop runs more than once.
    const std::vector<Case> test_cases = cases({"n"}, {{1}, {7}, {256}, {257}, {5000}, {300001}});
    // GPT-2 small's MLP activations at B 4, T 64 (256 x 3072) and at B 8, T 1024 (8192 x 3072).
    const std::vector<Case> bench_cases = cases({"n"}, {{256 * 3072}, {8192 * 3072}});
    {
        OpSpec op("gelu", "ch07", "out (n) = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), x = inp (n)");
        op.test_cases = test_cases;
        op.bench_cases = bench_cases;
        op.make = [](const Case& c, Rng& rng) {
            Problem p(c);
            // N(0, 1) with 20x outliers: the flat negative tail (out -> 0 through cancellation
            // in 1 + t), the linear positive one, and the curved middle.
            fill_test_values(rng, p.add_f32("inp", Role::in, Shape{c["n"]}));
            p.add_f32("out", Role::out, Shape{c["n"]});
            return p;
        };
        op.reference = {"loops", "tanh_fast, a vectorised loop",
                        [](Problem& p) { gelu_forward_cpu(p.f32("out"), p.f32("inp"), p["n"]); }};
        op.reference_f64 = [](Problem64& p) { gelu_forward_cpu(p.f64("out"), p.f64("inp"), p["n"]); };
        op.cpu_peers = {{"backend", "gelu_forward(Backend cpu, Tensor...): the path a model takes", [](Problem& p) {
                             Tensor out = p.tensor("out");
                             gelu_forward(Backend(Device::cpu), out, p.tensor("inp"));
                         }}};
        op.versions = numbered_versions(gelu_forward_gpu_versions,
                                        {"one thread per element", "a fixed grid striding over the array"},
                                        [](Device dev, int v, Problem& p) {
                                            LADDER_GPU_CALL(dev, gelu_forward, v, p.f32("out"), p.f32("inp"), p["n"]);
                                        });
        op.error_bounds = forward_bounds;
        op.flops = [](const Case& c) { return 10.0 * c["n"]; };   // x^3, the polynomial, the tanh's share, the product
        op.bytes = [](const Case& c) { return 8.0 * c["n"]; };
        r.add(std::move(op));
    }
    {
        OpSpec op("gelu_backward", "ch07", "dinp (n) += gelu'(inp (n)) * dout (n)");
        op.test_cases = test_cases;
        op.bench_cases = bench_cases;
        op.make = [](const Case& c, Rng& rng) {
            Problem p(c);
            const std::size_t n = c["n"];
            fill_test_values(rng, p.add_f32("inp", Role::in, Shape{n}));
            fill_test_values(rng, p.add_f32("dout", Role::in, Shape{n}));
            // dinp accumulates: it starts with values, so a kernel that overwrites fails.
            fill_test_values(rng, p.add_f32("dinp", Role::inout, Shape{n}));
            return p;
        };
        op.reference = {"loops", "dinp += gelu'(inp) * dout, tanh_fast", [](Problem& p) {
                            gelu_backward_cpu(p.f32("dinp"), p.f32("inp"), p.f32("dout"), p["n"]);
                        }};
        op.cpu_peers = {{"backend", "gelu_backward(Backend cpu, Tensor...): the path a model takes", [](Problem& p) {
                             Tensor dinp = p.tensor("dinp");
                             gelu_backward(Backend(Device::cpu), dinp, p.tensor("inp"), p.tensor("dout"));
                         }}};
        op.versions = numbered_versions(gelu_backward_gpu_versions,
                                        {"one thread per element", "a fixed grid striding over the array"},
                                        [](Device dev, int v, Problem& p) {
                                            LADDER_GPU_CALL(dev, gelu_backward, v, p.f32("dinp"), p.f32("inp"),
                                                            p.f32("dout"), p["n"]);
                                        });
        op.error_bounds = backward_bounds;
        // d/dinp of sum <dout, gelu(inp)>: the slope in the middle, near 0 and 1 in the tails.
        op.differentiates = Differentiates{
            .forward = "gelu",
            .outputs = {"out"},
            .wrt = {"inp"},
            .backward_f64 = [](Problem64& p) { gelu_backward_cpu(p.f64("dinp"), p.f64("inp"), p.f64("dout"), p["n"]); },
            .cases = cases({"n"}, {{1}, {7}, {100}}),
        };
        op.flops = [](const Case& c) { return 18.0 * c["n"]; };
        op.bytes = [](const Case& c) { return 16.0 * c["n"]; };
        r.add(std::move(op));
    }
}

}  // namespace ladder
