// gradcheck.cpp: central finite differences of the forward reference in double against the
// backward reference, element by element, with the error each side allows derived below.
#include "kernels/gradcheck.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/error.hpp"
#include "kernels/harness.hpp"

namespace ladder {

namespace {

// The forward's problem in double: every buffer of its maker's f32 problem, converted.
Problem64 to_double(const Problem& host) {
    Problem64 p(host.sizes());
    for (const Buffer& b : host.buffers()) {
        const std::size_t n = b.shape.numel();
        if (b.dtype == DType::f32) {
            auto& v = p.add_f64(b.name, b.shape);
            const float* x = host.f32(b.name);
            for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<double>(x[i]);
        } else {
            auto& v = p.add_i32(b.name, b.shape);
            std::copy_n(host.i32(b.name), n, v.begin());
        }
    }
    return p;
}

struct Objective {
    double value = 0;  // f = sum_y <dy, y>
    double scale = 0;  // sum_y <|dy|, |y|>: the size of the terms f adds up
};

// Runs the forward on a copy of `inputs` (inputs untouched: an inout buffer is read fresh
// each time) and returns f.
Objective objective(const OpSpec& forward, const Differentiates& d, const Problem64& inputs) {
    Problem64 q = inputs;
    forward.reference_f64(q);
    Objective o;
    for (const std::string& y : d.outputs) {
        const std::vector<double>& yv = q.values(y);
        const double* dy = inputs.f64("d" + y);
        for (std::size_t j = 0; j < yv.size(); ++j) {
            o.value += dy[j] * yv[j];
            o.scale += std::fabs(dy[j] * yv[j]);
        }
    }
    return o;
}

}  // namespace

GradResult check_gradient(const OpSpec& forward, const OpSpec& backward, const Case& c, std::uint64_t seed) {
    LADDER_CHECK(backward.differentiates, "op '{}' is not a backward op (it names no forward)", backward.name);
    const Differentiates& d = *backward.differentiates;
    LADDER_CHECK(forward.name == d.forward && forward.reference_f64,
                 "op '{}' differentiates '{}', not '{}' (or it has no "
                 "reference_f64)",
                 backward.name, d.forward, forward.name);
    Problem64 x0 = to_double(make_problem(forward, c, seed));
    // The forward once, then the upstream gradients dy (one per output in the objective, of
    // that output's shape) beside both the inputs and the forward's results.
    Problem64 after = x0;
    forward.reference_f64(after);
    Rng rng(seed * 0x9e3779b97f4a7c15ULL + 1);
    for (const std::string& y : d.outputs) {
        auto& dy = x0.add_f64("d" + y, after.shape(y));
        for (double& v : dy) v = d.unit_upstream ? 1.0 : rng.normal();
        after.add_f64("d" + y, after.shape(y)) = dy;
    }
    // The analytic gradients: the backward reference on the forward's values.
    for (const std::string& x : d.wrt) after.add_f64("d" + x, x0.shape(x));
    d.backward_f64(after);

    // [book:gradcheck-tolerance]
    // Central differences D(h) = (f(x + h) - f(x - h)) / 2h with h = 1e-4 max(1, |x_i|).
    //  - Truncation: D(h) = f' + h^2 f'''/6 + O(h^4), so D(2h) - D(h) = h^2 f'''/2: three
    //    times the truncation error of D(h). We allow |D(2h) - D(h)|, measured, not assumed.
    //  - Rounding: each f, a sum of terms of total size F = sum |dy y| computed through at
    //    most ~1000 roundings in double (eps = 2^-53), is within 1000 eps F of exact; D(h)
    //    then carries 1000 eps F / h.
    //  - The backward's own rounding in double: 1000 eps relative; we allow 1e-10 |g|.
    // A wrong index, a missing term or a wrong sign is off by O(|g|): far outside all three.
    // [/book]
    constexpr double eps = std::numeric_limits<double>::epsilon() / 2;
    GradResult r;
    double worst_ratio = -1;
    for (const std::string& x : d.wrt) {
        const std::vector<double>& g = after.values("d" + x);
        const std::size_t n = x0.values(x).size();
        for (std::size_t i = 0; i < n; ++i) {
            const double xi = x0.values(x)[i], h = 1e-4 * std::max(1.0, std::fabs(xi));
            auto f_at = [&](double delta) {
                Problem64 q = x0;
                q.values(x)[i] = xi + delta;
                return objective(forward, d, q);
            };
            const Objective p1 = f_at(h), m1 = f_at(-h), p2 = f_at(2 * h), m2 = f_at(-2 * h);
            const double d1 = (p1.value - m1.value) / (2 * h), d2 = (p2.value - m2.value) / (4 * h);
            const double F = std::max({p1.scale, m1.scale, p2.scale, m2.scale});
            const double noise = 1000 * eps * F / h;
            const double allowed = std::fabs(d2 - d1) + noise + 1e-10 * std::fabs(g[i]);
            const double err = std::fabs(g[i] - d1);
            ++r.checked;
            // Relative to the gradient, or to the rounding noise of D(h) where the gradient is
            // smaller than that (an exact zero then reads as 0, not as 100% off).
            const double denom = std::max({std::fabs(g[i]), std::fabs(d1), noise});
            const double rel = denom > 0 ? err / denom : 0;
            const double ratio = allowed > 0 ? err / allowed : (err > 0 ? std::numeric_limits<double>::infinity() : 0);
            const std::string where = fmt::format("d{}[{}]: analytic {:.12g}, numeric {:.12g}", x, i, g[i], d1);
            r.max_rel = std::max(r.max_rel, std::isnan(rel) ? std::numeric_limits<double>::infinity() : rel);
            if (ratio > worst_ratio || std::isnan(err)) {
                worst_ratio = std::isnan(err) ? std::numeric_limits<double>::infinity() : ratio;
                r.worst = where;
            }
            if ((ratio > 1 || std::isnan(err)) && r.ok) {
                r.ok = false;
                r.failure = fmt::format("{} differentiates {} wrongly at {} (error {:.3g}, allowed {:.3g})",
                                        backward.name, forward.name, where, err, allowed);
            }
        }
    }
    r.worst_ratio = worst_ratio;
    return r;
}

}  // namespace ladder
