// attention_bounds.cpp: the exact forward and the bounds of attention_bounds.hpp, following the
// derivation in attention_op.cpp (the comment marked attention-bounds). Introduced in ch06.
#include "kernels/attention/attention_bounds.hpp"

#include <algorithm>
#include <cmath>

#include "kernels/error_bounds.hpp"

namespace ladder {

namespace {
constexpr double u = kFp32Unit;
}

AttentionExact attention_exact_forward(const AttentionRows& r) {
    const std::size_t BH = r.BH, T = r.n, S = r.pos + r.n, hs = r.hs, R = r.kv_rows;
    AttentionExact e{BH, T, S, hs, {}, {}, {}};
    e.p.assign(BH * T * S, 0.0);
    e.rho.assign(BH * T * S, 0.0);
    e.lse_bound.assign(BH * T, 0.0);
    const double g_hs = gamma_n(static_cast<double>(hs + 2));
    std::vector<double> x(S), d(S);
    for (std::size_t bh = 0; bh < BH; ++bh)
        for (std::size_t t = 0; t < T; ++t) {
            const std::size_t n = r.pos + t + 1;   // the keys this query sees
            double m = -INFINITY, D = 0;
            for (std::size_t s = 0; s < n; ++s) {
                double dot = 0, abs = 0;
                for (std::size_t j = 0; j < hs; ++j) {
                    const double a = static_cast<double>(r.q[(bh * T + t) * hs + j]) * r.k[(bh * R + s) * hs + j];
                    dot += a;
                    abs += std::fabs(a);
                }
                x[s] = r.scale * dot;
                d[s] = g_hs * r.scale * abs;
                m = std::max(m, x[s]);
                D = std::max(D, d[s]);
            }
            double sum = 0, tmax = 0;
            for (std::size_t s = 0; s < n; ++s) {
                sum += std::exp(x[s] - m);
                tmax = std::max(tmax, m - x[s]);
            }
            const double lse = m + std::log(sum);
            for (std::size_t s = 0; s < n; ++s) {
                e.at(e.p, bh, t, s) = std::exp(x[s] - m) / sum;
                e.at(e.rho, bh, t, s) = 2.02 * D +
                                        (2 * (m - x[s]) + tmax + std::log(static_cast<double>(n)) + 5.0 * n + 12) * u +
                                        6 * u * (std::fabs(lse) + std::fabs(m)) + gamma_n(static_cast<double>(n));
            }
            e.lse_bound[bh * T + t] = 2 * 1.01 *
                                          (D + gamma_n(static_cast<double>(n)) + (tmax + 5.0 * n + 12) * u +
                                           6 * u * (std::fabs(lse) + std::fabs(m))) +
                                      1e-30;
        }
    return e;
}

std::vector<double> attention_out_bounds(const AttentionExact& e, const AttentionRows& r) {
    const std::size_t BH = e.BH, T = e.T, hs = e.hs, R = r.kv_rows;
    std::vector<double> b_out(BH * T * hs);
    for (std::size_t bh = 0; bh < BH; ++bh)
        for (std::size_t t = 0; t < T; ++t) {
            const std::size_t n = r.pos + t + 1;
            const double g = gamma_n(static_cast<double>(n + 2));
            for (std::size_t j = 0; j < hs; ++j) {
                double err = 0;
                for (std::size_t s = 0; s < n; ++s) {
                    const double pv = e.at(e.p, bh, t, s) * std::fabs(r.v[(bh * R + s) * hs + j]);
                    err += pv * (e.at(e.rho, bh, t, s) + g);
                }
                b_out[(bh * T + t) * hs + j] = 2 * 1.01 * err + 1e-30;
            }
        }
    return b_out;
}

}  // namespace ladder
