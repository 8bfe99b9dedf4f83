// softmax_xent_op.cpp: the registry entries for softmax cross-entropy: "softmax_xent" (the
// forward pass) and "softmax_xent_backward". Introduced in ch02.
#include <algorithm>
#include <cmath>

#include "core/gpu_dispatch.hpp"
#include "kernels/error_bounds.hpp"
#include "kernels/registry.hpp"
#include "kernels/softmax_xent/softmax_xent.hpp"

namespace ladder {

namespace {

void fill_targets(Rng& rng, std::span<std::int32_t> t, std::size_t V) {
    for (auto& x : t) x = static_cast<std::int32_t>(rng.below(V));
}

Problem make_forward(const Case& c, Rng& rng) {
    Problem p(c);
    const std::size_t B = c["B"], V = c["V"];
    fill_test_values(rng, p.add_f32("logits", Role::in, Shape{B, V}), V);
    fill_targets(rng, p.add_i32("targets", Role::in, Shape{B}), V);
    p.add_f32("losses", Role::out, Shape{B});
    p.add_f32("probs", Role::out, Shape{B, V});
    return p;
}

// Per implementation, with u = 2^-24, t_v = x_v - max (rounded: relative error |t_v| u in
// exp(t_v)), expf within 2 ulp (4u; CUDA's documented bound, glibc's is 1 ulp) and T the
// largest |t_v| of the row:
//   S = sum_v exp(t_v):     relative error <= (V - 1) u + (T + 4) u            (Higham 3.1)
//   p_v = exp(t_v) / S:     relative error <= (|t_v| + 4) u + (V + 3 + T) u + u
//   loss = log S - t_target: absolute error <= (V + 3 + T) u + 2u |log S| + u |t_target| + u |loss|
// Two implementations differ by at most twice each bound.
std::map<std::string, std::vector<double>> forward_bounds(const Problem& ref) {
    const std::size_t B = ref["B"], V = ref["V"];
    const float* x = ref.f32("logits");
    const float* probs = ref.f32("probs");
    const float* losses = ref.f32("losses");
    const std::int32_t* targets = ref.i32("targets");
    constexpr double u = 0x1.0p-24;
    std::vector<double> bp(B * V), bl(B);
    for (std::size_t b = 0; b < B; ++b) {
        const float* x_b = x + b * V;
        const double m = *std::max_element(x_b, x_b + V);
        double T = 0, S = 0;
        for (std::size_t v = 0; v < V; ++v) {
            T = std::max(T, m - x_b[v]);
            S += std::exp(x_b[v] - m);
        }
        const double Vd = static_cast<double>(V);
        for (std::size_t v = 0; v < V; ++v)
            bp[b * V + v] = 2 * ((m - x_b[v]) + 4 + Vd + 3 + T + 1) * u * probs[b * V + v] + 1e-37;
        bl[b] = 2 * ((Vd + 3 + T) * u + 2 * u * std::fabs(std::log(S)) + u * (m - x_b[targets[b]]) +
                     u * std::fabs(losses[b])) +
                1e-37;
    }
    return {{"probs", std::move(bp)}, {"losses", std::move(bl)}};
}

Problem make_backward(const Case& c, Rng& rng) {
    Problem p(c);
    const std::size_t B = c["B"], V = c["V"];
    // probs: a real softmax of random logits (rows sum to 1, as in training).
    std::vector<float> logits(B * V), losses(B);
    fill_test_values(rng, logits, V);
    auto targets = p.add_i32("targets", Role::in, Shape{B});
    fill_targets(rng, targets, V);
    auto probs = p.add_f32("probs", Role::in, Shape{B, V});
    softmax_xent_forward_cpu(losses.data(), probs.data(), logits.data(), targets.data(), B, V);
    fill_test_values(rng, p.add_f32("dlosses", Role::in, Shape{B}), B);
    p.add_f32("dlogits", Role::out, Shape{B, V});
    return p;
}

}  // namespace

void register_softmax_xent(Registry& r) {
    // Shapes: one class, two classes, rows and class counts off the warp and block sizes,
    // the 11 classes of ch02, and GPT-2's 50257-entry vocabulary.
    const std::vector<Case> bv_cases =
        cases({"B", "V"}, {{1, 1}, {1, 2}, {7, 5}, {33, 11}, {5, 100}, {64, 1000}, {130, 40}, {3, 50257}});
    {
        OpSpec op("softmax_xent", "ch02",
                  "losses (B), probs (B,V) = softmax cross-entropy of logits (B,V) at targets (B)");
        op.test_cases = bv_cases;
        op.bench_cases = cases({"B", "V"}, {{4096, 11}, {64, 50257}, {1024, 1024}});
        op.make = make_forward;
        op.reference = {"xtensor", "max, exp, sum, divide as xtensor expressions; loss = log s - (x_t - max)",
                        [](Problem& p) {
                            softmax_xent_forward_cpu(p.f32("losses"), p.f32("probs"), p.f32("logits"), p.i32("targets"),
                                                     p["B"], p["V"]);
                        }};
        op.versions =
            numbered_versions(softmax_xent_gpu_versions, {"one thread per row", "one warp per row, shuffle reductions"},
                              [](Device dev, int v, Problem& p) {
                                  LADDER_GPU_CALL(dev, softmax_xent_forward, v, p.f32("losses"), p.f32("probs"),
                                                  p.f32("logits"), p.i32("targets"), p["B"], p["V"]);
                              });
        op.error_bounds = forward_bounds;
        op.reference_f64 = [](Problem64& p) {
            softmax_xent_forward_cpu(p.f64("losses"), p.f64("probs"), p.f64("logits"), p.i32("targets"), p["B"], p["V"]);
        };
        op.flops = [](const Case& c) { return 5.0 * c["B"] * c["V"]; };
        op.bytes = [](const Case& c) { return 8.0 * c["B"] * c["V"] + 8.0 * c["B"]; };
        r.add(std::move(op));
    }
    {
        OpSpec op("softmax_xent_backward", "ch02", "dlogits (B,V) = (probs - onehot(targets)) * dlosses / B");
        op.test_cases = bv_cases;
        op.bench_cases = cases({"B", "V"}, {{4096, 11}, {64, 50257}});
        op.make = make_backward;
        auto scale = [](const Problem& p) { return static_cast<float>(p["B"]); };
        op.reference = {"xtensor", "(p - onehot) * dloss / scale", [scale](Problem& p) {
                            softmax_xent_backward_cpu(p.f32("dlogits"), p.f32("probs"), p.i32("targets"),
                                                      p.f32("dlosses"), p["B"], p["V"], scale(p));
                        }};
        op.versions = numbered_versions(softmax_xent_backward_gpu_versions, {"one thread per element"},
                                        [scale](Device dev, int v, Problem& p) {
                                            LADDER_GPU_CALL(dev, softmax_xent_backward, v, p.f32("dlogits"),
                                                            p.f32("probs"), p.i32("targets"), p.f32("dlosses"), p["B"],
                                                            p["V"], scale(p));
                                        });
        // Both sides do the same three correctly rounded operations (a subtraction, a
        // division for the factor, a multiplication) on the same inputs, so they agree to
        // the bit unless a compiler fuses or reorders them; we allow one rounding of
        // difference in each of the three: relative 3u, u = 2^-24.
        op.tolerance = [](const Case&) { return Tolerance{1e-37, 3 * kFp32Unit}; };
        // d/dlogits of sum_b dlosses[b] losses[b]: the backward with scale 1. One class (the
        // loss is 0 whatever the logit), two, rows off the warp, and the 20x outliers.
        op.differentiates = Differentiates{
            .forward = "softmax_xent",
            .outputs = {"losses"},
            .wrt = {"logits"},
            .backward_f64 =
                [](Problem64& p) {
                    softmax_xent_backward_cpu(p.f64("dlogits"), p.f64("probs"), p.i32("targets"), p.f64("dlosses"),
                                              p["B"], p["V"], 1.0);
                },
            .cases = cases({"B", "V"}, {{1, 1}, {1, 2}, {4, 7}, {3, 40}}),
        };
        op.bytes = [](const Case& c) { return 8.0 * c["B"] * c["V"] + 8.0 * c["B"]; };
        r.add(std::move(op));
    }
}

}  // namespace ladder
