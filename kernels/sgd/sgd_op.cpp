// sgd_op.cpp: the registry entry "sgd", one step of SGD with momentum over params,
// velocity, grads (n), in place. Introduced in ch05 (the training frame).
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "core/gpu_dispatch.hpp"
#include "kernels/error_bounds.hpp"
#include "kernels/registry.hpp"
#include "kernels/sgd/sgd.hpp"

namespace ladder {

namespace {

// A case's flags pick the step: mom (momentum 0.9, else plain gradient descent), wd (weight
// decay 0.1), clip (grad_scale 0.37, as clipping gives; else 1). lr 0.1: the update moves p
// by about a tenth of its size, so an error in the update shows far above p's own rounding.
struct SgdCase {
    SgdConfig cfg;
    float grad_scale = 1.0f;
};
SgdCase sgd_case(const Case& c) {
    SgdCase s;
    s.cfg.lr = 0.1f;
    s.cfg.momentum = c.get("mom", 0) ? 0.9f : 0.0f;
    s.cfg.weight_decay = c.get("wd", 0) ? 0.1f : 0.0f;
    s.grad_scale = c.get("clip", 0) ? 0.37f : 1.0f;
    return s;
}

}  // namespace

void register_sgd(Registry& r) {
    OpSpec op("sgd", "ch05", "params, velocity (n) updated by SGD with momentum from grads (n)");
    // One element, sizes off the 256-thread block, and more elements than v2's grid has
    // threads (1056 x 256 = 270336), so its loop runs more than once; every flag on and off.
    op.test_cases = cases({"n", "mom?", "wd?", "clip?"},
                          {{1, 1, 1, 1}, {7, 0, 0, 0}, {257, 1, 0, 1}, {5000, 0, 1, 1}, {300001, 1, 1, 0}});
    op.bench_cases = cases({"n", "mom?", "wd?"}, {{1 << 20, 1, 1}, {1 << 24, 1, 1}});
    op.make = [](const Case& c, Rng& rng) {
        Problem p(c);
        const std::size_t n = c["n"];
        // Weights and gradients: N(0, 1) with 20x outliers. velocity: a previous step's
        // buffer (so a kernel that drops momentum * buf fails), half the gradients' scale.
        fill_test_values(rng, p.add_f32("params", Role::inout, Shape{n}));
        auto buf = p.add_f32("velocity", Role::inout, Shape{n});
        fill_test_values(rng, buf);
        for (float& b : buf) b *= 0.5f;
        fill_test_values(rng, p.add_f32("grads", Role::in, Shape{n}));
        return p;
    };
    op.reference = {"xtensor", "buf = momentum buf + (g s + wd p); p -= lr buf", [](Problem& p) {
                        const SgdCase s = sgd_case(p.sizes());
                        sgd_update_cpu(p.f32("params"), p.f32("velocity"), p.f32("grads"), p["n"], s.cfg, s.grad_scale);
                    }};
    op.versions = numbered_versions(sgd_update_gpu_versions,
                                    {"one thread per element", "a fixed grid striding over the arrays"},
                                    [](Device dev, int v, Problem& p) {
                                        const SgdCase s = sgd_case(p.sizes());
                                        LADDER_GPU_CALL(dev, sgd_update, v, p.f32("params"), p.f32("velocity"),
                                                        p.f32("grads"), p["n"], s.cfg, s.grad_scale);
                                    });
    // Each side, per element, against the exact step from the same inputs (FMAs only remove
    // roundings):
    //   g   = G s + wd p_old          3 roundings: within gamma_2 A_g,  A_g = |G s| + wd |p_old|
    //   buf = momentum buf_old + g    2 more:      within gamma_3 A_b,  A_b = momentum |buf_old| + A_g
    //   p   = p_old - lr buf          2 more:      within gamma_5 (|p_old| + lr A_b)
    // The two sides differ by at most twice that. The old values are gone from the
    // reference's outputs; in exact arithmetic p_old = p_new + lr buf_new and
    // momentum buf_old = buf_new - g, so |p_old| <= |p_new| + lr |buf_new| and
    // A_b <= |buf_new| + 2 A_g. Those are read off float results within gamma_5 < 3e-7 of
    // exact: the factor 1 + 1e-5 covers that; the floor keeps exact zeros comparable.
    op.error_bounds = [](const Problem& ref) {
        const SgdCase s = sgd_case(ref.sizes());
        const double lr = s.cfg.lr, wd = s.cfg.weight_decay, scale = s.grad_scale, slack = 1 + 1e-5;
        const std::size_t n = ref["n"];
        const float *p = ref.f32("params"), *buf = ref.f32("velocity"), *grads = ref.f32("grads");
        std::vector<double> bp(n), bbuf(n);
        for (std::size_t i = 0; i < n; ++i) {
            const double p_old = std::fabs(p[i]) + lr * std::fabs(buf[i]);
            const double a_g = std::fabs(grads[i] * scale) + wd * p_old;
            const double a_b = std::fabs(buf[i]) + 2 * a_g;
            bp[i] = 2 * gamma_n(5) * (p_old + lr * a_b) * slack + 1e-37;
            bbuf[i] = 2 * gamma_n(3) * a_b * slack + 1e-37;
        }
        return std::map<std::string, std::vector<double>>{{"params", std::move(bp)}, {"velocity", std::move(bbuf)}};
    };
    op.flops = [](const Case& c) { return 6.0 * c["n"]; };
    op.bytes = [](const Case& c) { return 20.0 * c["n"]; };   // read p, buf, g; write p, buf
    r.add(std::move(op));
}

}  // namespace ladder
