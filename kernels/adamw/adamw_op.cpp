// adamw_op.cpp: the registry entry "adamw", one AdamW step over params, m, v, grads (n), in
// place. Introduced in ch05 (the training frame).
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "core/gpu_dispatch.hpp"
#include "kernels/adamw/adamw.hpp"
#include "kernels/error_bounds.hpp"
#include "kernels/registry.hpp"

namespace ladder {

namespace {

// A case gives the step t and flags: wd (weight decay 0.1), clip (grad_scale 0.37, as
// clipping gives; else 1). lr 0.05: the update moves p by a few percent, so an error in it
// shows far above p's own rounding. Betas and eps are PyTorch's defaults.
struct AdamWCase {
    AdamWConfig cfg;
    int step = 1;
    float grad_scale = 1.0f;
};
AdamWCase adamw_case(const Case& c) {
    AdamWCase a;
    a.cfg.lr = 0.05f;
    a.cfg.weight_decay = c.get("wd", 0) ? 0.1f : 0.0f;
    a.step = static_cast<int>(c["t"]);
    a.grad_scale = c.get("clip", 0) ? 0.37f : 1.0f;
    return a;
}

}  // namespace

void register_adamw(Registry& r) {
    OpSpec op("adamw", "ch05", "params, m, v (n) updated by AdamW (step t) from grads (n)");
    // One element, sizes off the 256-thread block, and more elements than v2's grid has
    // threads (1056 x 256 = 270336); steps 1 and 10 (bias corrections 0.1 / 0.001 and
    // 0.65 / 0.01), weight decay and clipping on and off.
    op.test_cases = cases({"n", "t", "wd?", "clip?"}, {{1, 1, 1, 1},
                                                       {7, 10, 0, 0},
                                                       {257, 1, 0, 1},
                                                       {257, 10, 1, 0},
                                                       {5000, 10, 1, 1},
                                                       {300001, 10, 1, 1}});
    op.bench_cases = cases({"n", "t", "wd?"}, {{1 << 20, 10, 1}, {1 << 24, 10, 1}});
    op.make = [](const Case& c, Rng& rng) {
        Problem p(c);
        const std::size_t n = c["n"];
        auto params = p.add_f32("params", Role::inout, Shape{n});
        auto m = p.add_f32("m", Role::inout, Shape{n});
        auto v = p.add_f32("v", Role::inout, Shape{n});
        auto grads = p.add_f32("grads", Role::in, Shape{n});
        // Weights N(0, 1) with 20x outliers. Gradients at scales 1 .. 1e-6 by element (layers
        // differ by decades; at 1e-6, sqrt(vhat) comes near eps, so where eps sits shows), m
        // and v a past step's (m ~ 0.3 g, v ~ (0.5 g)^2 >= 0), so a kernel that drops
        // b1 m or b2 v fails; every 61st element frozen (g = m = v = 0: an unused
        // embedding row), where the update must be 0 / (0 + eps) = 0, not NaN.
        fill_test_values(rng, params);
        fill_test_values(rng, grads);
        fill_test_values(rng, m);
        fill_test_values(rng, v);
        for (std::size_t i = 0; i < n; ++i) {
            const float scale = std::pow(10.0f, -static_cast<float>(i % 7));
            const bool frozen = i % 61 == 60;
            grads[i] = frozen ? 0.0f : scale * grads[i];
            m[i] = frozen ? 0.0f : 0.3f * scale * m[i];
            v[i] = frozen ? 0.0f : (0.5f * scale * v[i]) * (0.5f * scale * v[i]);
        }
        return p;
    };
    op.reference = {"xtensor", "PyTorch's AdamW formulas", [](Problem& p) {
                        const AdamWCase a = adamw_case(p.sizes());
                        adamw_update_cpu(p.f32("params"), p.f32("m"), p.f32("v"), p.f32("grads"), p["n"], a.cfg,
                                         a.step, a.grad_scale);
                    }};
    op.versions = numbered_versions(adamw_update_gpu_versions,
                                    {"one thread per element", "a fixed grid striding over the arrays"},
                                    [](Device dev, int v, Problem& p) {
                                        const AdamWCase a = adamw_case(p.sizes());
                                        LADDER_GPU_CALL(dev, adamw_update, v, p.f32("params"), p.f32("m"), p.f32("v"),
                                                        p.f32("grads"), p["n"], a.cfg, a.step, a.grad_scale);
                                    });
    // Each side, per element, against the exact step from the same inputs and the same float
    // constants (1 - b1, 1 - b2, bc1, bc2); FMAs only remove roundings. With g = G s:
    //   m = b1 m_old + (1-b1) g     3 roundings   within gamma_3 A_m, A_m = b1 |m_old| + (1-b1) |g|
    //   v = b2 v_old + (1-b2) g g   5, all terms >= 0: within gamma_5 v
    //   mhat = m / bc1              +1
    //   vhat = v / bc2, sqrt, + eps 6 on v, halved by the sqrt, +1, +1: denom within gamma_5
    //   u = mhat / denom            +1: within gamma_10 U, U = A_m / (bc1 denom) >= |u|
    //   p = p_old - lr (u + wd p_old)   4 more: within gamma_4 (1 + lr wd) |p_old| + gamma_14 lr U
    // The two sides differ by at most twice these. The old values are gone from the
    // reference's outputs; in exact arithmetic b1 m_old = m - (1-b1) g and
    // p_old (1 - lr wd) = p + lr u, so A_m <= |m| + 2 (1-b1) |g| and
    // |p_old| <= (|p| + lr U) / (1 - lr wd). Those are read off float results within
    // gamma_14 < 1e-6 of exact: the factor 1 + 1e-5 covers that; the floor keeps exact
    // zeros (frozen elements' m and v) comparable.
    op.error_bounds = [](const Problem& ref) {
        const AdamWCase a = adamw_case(ref.sizes());
        const AdamWBiasCorrection bc = adamw_bias_correction(a.cfg, a.step);
        const double bc1 = static_cast<float>(bc.c1), bc2 = static_cast<float>(bc.c2);
        const double lr = a.cfg.lr, wd = a.cfg.weight_decay, eps = a.cfg.eps, c1 = 1.0f - a.cfg.beta1;
        const double slack = 1 + 1e-5, floor = 1e-37;
        const std::size_t n = ref["n"];
        const float *p = ref.f32("params"), *m = ref.f32("m"), *v = ref.f32("v"), *grads = ref.f32("grads");
        std::vector<double> bp(n), bm(n), bv(n);
        for (std::size_t i = 0; i < n; ++i) {
            const double g = std::fabs(static_cast<double>(grads[i]) * a.grad_scale);
            const double a_m = std::fabs(m[i]) + 2 * c1 * g;
            const double denom = std::sqrt(static_cast<double>(v[i]) / bc2) + eps;
            const double u_max = a_m / (bc1 * denom);
            const double p_old = (std::fabs(p[i]) + lr * u_max) / (1 - lr * wd);
            bm[i] = 2 * gamma_n(3) * a_m * slack + floor;
            bv[i] = 2 * gamma_n(5) * v[i] * slack + floor;
            bp[i] = 2 * (gamma_n(4) * (1 + lr * wd) * p_old + gamma_n(14) * lr * u_max) * slack + floor;
        }
        return std::map<std::string, std::vector<double>>{
            {"params", std::move(bp)}, {"m", std::move(bm)}, {"v", std::move(bv)}};
    };
    op.flops = [](const Case& c) { return 18.0 * c["n"]; };
    op.bytes = [](const Case& c) { return 28.0 * c["n"]; };   // read p, m, v, g; write p, m, v
    r.add(std::move(op));
}

}  // namespace ladder
