// tanh_op.cpp: the registry entries for tanh: "tanh" (the forward pass) and
// "tanh_backward" (which names the forward it differentiates). Introduced in ch05.
#include <cmath>
#include <vector>

#include "core/gpu_dispatch.hpp"
#include "kernels/error_bounds.hpp"
#include "kernels/registry.hpp"
#include "kernels/tanh/tanh.hpp"

namespace ladder {

void register_tanh(Registry& r) {
    // One element, sizes off the 256-thread block, and more elements than v2's grid has
    // threads (1056 x 256 = 270336), so its loop runs more than once.
    const std::vector<Case> test_cases = cases({"n"}, {{1}, {7}, {256}, {257}, {5000}, {300001}});
    const std::vector<Case> bench_cases = cases({"n"}, {{1 << 16}, {1 << 20}, {1 << 24}});
    {
        OpSpec op("tanh", "ch05", "out (n) = tanh(inp (n))");
        op.test_cases = test_cases;
        op.bench_cases = bench_cases;
        op.make = [](const Case& c, Rng& rng) {
            Problem p(c);
            // N(0, 1) with 20x outliers: the saturated tails (|x| > 9: tanh = +-1 in fp32)
            // and the near-linear middle.
            fill_test_values(rng, p.add_f32("inp", Role::in, Shape{c["n"]}));
            p.add_f32("out", Role::out, Shape{c["n"]});
            return p;
        };
        op.reference = {"xtensor", "xt::tanh", [](Problem& p) { tanh_forward_cpu(p.f32("out"), p.f32("inp"), p["n"]); }};
        op.reference_f64 = [](Problem64& p) { tanh_forward_cpu(p.f64("out"), p.f64("inp"), p["n"]); };
        op.versions = numbered_versions(tanh_forward_gpu_versions,
                                        {"one thread per element", "a fixed grid striding over the array"},
                                        [](Device dev, int v, Problem& p) {
                                            LADDER_GPU_CALL(dev, tanh_forward, v, p.f32("out"), p.f32("inp"), p["n"]);
                                        });
        // tanhf is within 2 ulp of tanh on both sides (CUDA's documented bound; glibc's
        // tanhf is within 2 ulp too), one ulp of y being at most 2u |y|: the two differ by at
        // most 4 ulp <= 8u |y|. The absolute floor covers subnormal results.
        op.tolerance = [](const Case&) { return Tolerance{1e-37, 8 * kFp32Unit}; };
        op.bytes = [](const Case& c) { return 8.0 * c["n"]; };
        r.add(std::move(op));
    }
    {
        OpSpec op("tanh_backward", "ch05", "dinp (n) += (1 - out (n)^2) * dout (n)");
        op.test_cases = test_cases;
        op.bench_cases = bench_cases;
        op.make = [](const Case& c, Rng& rng) {
            Problem p(c);
            const std::size_t n = c["n"];
            // out: a real tanh of test values (in [-1, 1], with saturated ones), as training saves it.
            std::vector<float> x(n);
            fill_test_values(rng, x);
            auto out = p.add_f32("out", Role::in, Shape{n});
            tanh_forward_cpu(out.data(), x.data(), n);
            fill_test_values(rng, p.add_f32("dout", Role::in, Shape{n}));
            // dinp accumulates: it starts with values, so a kernel that overwrites fails.
            fill_test_values(rng, p.add_f32("dinp", Role::inout, Shape{n}));
            return p;
        };
        op.reference = {"xtensor", "dinp += (1 - out * out) * dout", [](Problem& p) {
                            tanh_backward_cpu(p.f32("dinp"), p.f32("out"), p.f32("dout"), p["n"]);
                        }};
        op.versions = numbered_versions(tanh_backward_gpu_versions,
                                        {"one thread per element", "a fixed grid striding over the array"},
                                        [](Device dev, int v, Problem& p) {
                                            LADDER_GPU_CALL(dev, tanh_backward, v, p.f32("dinp"), p.f32("out"),
                                                            p.f32("dout"), p["n"]);
                                        });
        // Each side rounds four times (out * out, 1 - that, times dout, plus dinp), fewer where
        // a compiler fuses them into FMAs: within gamma_4 (|dinp_old| + |dout| (1 + out^2)) of
        // the exact value, so the two differ by at most twice that. With
        // |dinp_old| <= |dinp_new| + 2 |dout| (1 + out^2) (the term is at most 2 |dout|, with
        // room for its rounding), the bound below holds for any order of the roundings.
        op.error_bounds = [](const Problem& ref) {
            const std::size_t n = ref["n"];
            const float *out = ref.f32("out"), *dout = ref.f32("dout"), *dinp = ref.f32("dinp");
            std::vector<double> b(n);
            const double g = gamma_n(4);
            for (std::size_t i = 0; i < n; ++i) {
                const double term = std::fabs(dout[i]) * (1 + static_cast<double>(out[i]) * out[i]);
                b[i] = 2 * g * (std::fabs(dinp[i]) + 3 * term) + 1e-37;
            }
            return std::map<std::string, std::vector<double>>{{"dinp", std::move(b)}};
        };
        // d/dinp of sum <dout, tanh(inp)>: 1 - tanh^2, checked at the outliers' saturated
        // tails and in the middle.
        op.differentiates = Differentiates{
            .forward = "tanh",
            .outputs = {"out"},
            .wrt = {"inp"},
            .backward_f64 = [](Problem64& p) { tanh_backward_cpu(p.f64("dinp"), p.f64("out"), p.f64("dout"), p["n"]); },
            .cases = cases({"n"}, {{1}, {7}, {100}}),
        };
        op.bytes = [](const Case& c) { return 16.0 * c["n"]; };
        r.add(std::move(op));
    }
}

}  // namespace ladder
