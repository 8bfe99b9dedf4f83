// global_norm_op.cpp: the registry entry "global_norm", out (1) = sum of x (n) squared.
// Introduced in ch05 (gradient clipping).
#include <vector>

#include "core/gpu_dispatch.hpp"
#include "kernels/error_bounds.hpp"
#include "kernels/global_norm/global_norm.hpp"
#include "kernels/registry.hpp"

namespace ladder {

void register_global_norm(Registry& r) {
    OpSpec op("global_norm", "ch05", "out (1) = sum of x (n)^2, the squared global L2 norm");
    // One element; one block's worth and one more; sizes off the block; past v2's grid of
    // 1024 x 256 = 262144 threads (some threads take two elements; the final pass sums 1024
    // partials), which is also v1's 1172 blocks adding into out one after another.
    op.test_cases = cases({"n"}, {{1}, {7}, {256}, {257}, {5000}, {300001}});
    op.bench_cases = cases({"n"}, {{1 << 16}, {1 << 20}, {1 << 24}});
    op.make = [](const Case& c, Rng& rng) {
        Problem p(c);
        // Gradients: N(0, 1) with 20x outliers (a few large gradients dominate the norm).
        fill_test_values(rng, p.add_f32("x", Role::in, Shape{c["n"]}));
        p.add_f32("out", Role::out, Shape{1});
        return p;
    };
    op.reference = {"xtensor", "sum of squares in double",
                    [](Problem& p) { global_norm_sq_cpu(p.f32("out"), p.f32("x"), p["n"]); }};
    op.versions = numbered_versions(global_norm_sq_gpu_versions,
                                    {"shared-memory tree per block, one atomicAdd per block",
                                     "deterministic two-pass: per-block partials, then one block sums them"},
                                    [](Device dev, int v, Problem& p) {
                                        LADDER_GPU_CALL(dev, global_norm_sq, v, p.f32("out"), p.f32("x"), p["n"]);
                                    });
    // Every term is >= 0, so a sum whose every term passes through at most d roundings (its
    // square, then the additions on its way to out) is within gamma_d * S of the exact sum S,
    // in any order (Higham 4.2). The reference is S rounded once (double accumulation adds
    // n 2^-53 S, far below): the two differ by at most (gamma_d + u) S <= gamma_{d+1} S,
    // with d from global_norm_rounding_depth (the longer of v1's and v2's chains):
    // 1.4e-6 at n = 7, 7.0e-5 at n = 300001.
    op.tolerance = [](const Case& c) {
        return Tolerance{0, gamma_n(static_cast<double>(global_norm_rounding_depth(c["n"]) + 1))};
    };
    op.no_race_check = "v1's blocks atomicAdd their float sums into out in whatever order they finish";
    op.flops = [](const Case& c) { return 2.0 * c["n"]; };
    op.bytes = [](const Case& c) { return 4.0 * c["n"]; };
    r.add(std::move(op));
}

}  // namespace ladder
