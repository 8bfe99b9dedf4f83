// sgns_op.cpp: the registry entry for sgns (forward + backward of a batch of skip-gram
// pairs with negatives): cases, inputs, reference, versions, per-element error bounds.
// Introduced in ch03.
#include <cmath>
#include <vector>

#include "core/gpu_dispatch.hpp"
#include "kernels/embedding_gather/embedding_gather.hpp"
#include "kernels/error_bounds.hpp"
#include "kernels/registry.hpp"
#include "kernels/sgns/sgns.hpp"

namespace ladder {

namespace {

SgnsDims dims_of(const Case& c) { return SgnsDims{c["B"], c["K1"], c["V"], c["D"]}; }

Problem make(const Case& c, Rng& rng) {
    const SgnsDims d = dims_of(c);
    Problem p(c);
    // Word vectors of a trained model have entries ~ 1/sqrt(D); the 20x outliers of
    // fill_test_values then push some dot products far into sigmoid's flat tails.
    const float scale = 0.5f / std::sqrt(static_cast<float>(d.D));
    for (const char* name : {"w_in", "w_out"}) {
        auto w = p.add_f32(name, Role::in, Shape{d.V, d.D});
        fill_test_values(rng, w, d.D);
        for (float& x : w) x *= scale;
    }
    for (auto& id : p.add_i32("in_ids", Role::in, Shape{d.B})) id = static_cast<std::int32_t>(rng.below(d.V));
    for (auto& id : p.add_i32("out_ids", Role::in, Shape{d.B, d.K1})) id = static_cast<std::int32_t>(rng.below(d.V));
    p.add_f32("loss", Role::out, Shape{d.B});
    p.add_f32("d_in", Role::out, Shape{d.B, d.D});
    p.add_f32("d_out", Role::out, Shape{d.B, d.K1, d.D});
    return p;
}

// Error bounds, per element, from the inputs (u = 2^-24, gamma_n = n u / (1 - n u)):
// - s_k = u . v_k summed in any order is within gamma_D S_k of the exact value, S_k =
//   sum_j |u_j v_kj| (Higham 3.1); two implementations differ by e_s = 2 gamma_D S_k.
// - sigmoid has slope <= 1/4; evaluating it (expf: <= 2 ulp on a GPU, one add, one
//   divide) and subtracting the label costs <= 5 u per side on a value <= 1, so
//   e_g = e_s / 4 + 10 u.
// - d_out[k][j] = g_k u_j: |u_j| e_g + 2 u |g_k u_j| (one rounding per side).
// - d_in[j] = sum_k g_k v_kj: sum_k |v_kj| e_gk + 2 gamma_K1 sum_k |g_k v_kj|.
// - loss = sum_k softplus(-+s_k): softplus has slope <= 1, and its evaluation (expf,
//   log1pf, one add) costs <= 5 u relative per side: sum_k (e_sk + 10 u sp_k) +
//   2 gamma_K1 sum_k sp_k.
std::map<std::string, std::vector<double>> bounds(const Problem& ref) {
    const SgnsDims d = dims_of(ref.sizes());
    const double u = kFp32Unit;
    auto gamma = [](double n) { return gamma_n(n); };
    const float *w_in = ref.f32("w_in"), *w_out = ref.f32("w_out");
    const std::int32_t *in_ids = ref.i32("in_ids"), *out_ids = ref.i32("out_ids");
    std::vector<double> b_loss(d.B), b_in(d.B * d.D), b_out(d.B * d.K1 * d.D);
    std::vector<double> g(d.K1), e_g(d.K1);
    for (std::size_t b = 0; b < d.B; ++b) {
        const float* ub = w_in + static_cast<std::size_t>(in_ids[b]) * d.D;
        double lb = 0, sp_sum = 0;
        for (std::size_t k = 0; k < d.K1; ++k) {
            const float* v = w_out + static_cast<std::size_t>(out_ids[b * d.K1 + k]) * d.D;
            double s = 0, S = 0;
            for (std::size_t j = 0; j < d.D; ++j) {
                s += static_cast<double>(ub[j]) * v[j];
                S += std::fabs(static_cast<double>(ub[j]) * v[j]);
            }
            const double e_s = 2 * gamma(static_cast<double>(d.D)) * S;
            g[k] = 1 / (1 + std::exp(-s)) - (k == 0 ? 1 : 0);
            e_g[k] = e_s / 4 + 10 * u;
            const double z = k == 0 ? -s : s, sp = std::max(z, 0.0) + std::log1p(std::exp(-std::fabs(z)));
            lb += e_s + 10 * u * sp;
            sp_sum += sp;
        }
        b_loss[b] = lb + 2 * gamma(static_cast<double>(d.K1)) * sp_sum;
        for (std::size_t j = 0; j < d.D; ++j) {
            double e = 0, a = 0;
            for (std::size_t k = 0; k < d.K1; ++k) {
                const double v_kj = w_out[static_cast<std::size_t>(out_ids[b * d.K1 + k]) * d.D + j];
                e += std::fabs(v_kj) * e_g[k];
                a += std::fabs(g[k] * v_kj);
                b_out[(b * d.K1 + k) * d.D + j] = std::fabs(ub[j]) * e_g[k] + 2 * u * std::fabs(g[k] * ub[j]);
            }
            b_in[b * d.D + j] = e + 2 * gamma(static_cast<double>(d.K1)) * a;
        }
    }
    return {{"loss", std::move(b_loss)}, {"d_in", std::move(b_in)}, {"d_out", std::move(b_out)}};
}

}  // namespace

void register_sgns(Registry& r) {
    OpSpec op("sgns", "ch03", "skip-gram negative sampling: loss (B), d_in (B,D), d_out (B,K1,D)");
    // B off the block sizes (128 threads, 4 pairs per block in v2), D below, at and above
    // a warp (1, 7, 32, 33, 100, 300), K1 = 1 (no negatives) to 21; V = 3 makes repeats.
    const std::initializer_list<std::string_view> dims = {"B", "K1", "V", "D"};
    op.test_cases = cases(dims, {{1, 1, 1, 1}, {7, 2, 3, 7}, {33, 6, 50, 32}, {130, 6, 20, 33}, {257, 11, 100, 100},
                                 {61, 21, 300, 300}});
    op.bench_cases = cases(dims, {{1024, 6, 50000, 100}, {4096, 6, 50000, 100}});
    op.make = make;
    op.reference = {"xtensor", "xtensor rows, sums and xt::exp per pair", [](Problem& p) {
                        sgns_cpu(p.f32("loss"), p.f32("d_in"), p.f32("d_out"), p.f32("w_in"), p.f32("w_out"),
                                 p.i32("in_ids"), p.i32("out_ids"), dims_of(p.sizes()));
                    }};
    op.versions =
        numbered_versions(sgns_gpu_versions, {"one thread per pair", "one warp per pair, shuffle reductions"},
                          [](Device dev, int v, Problem& p) {
                              LADDER_GPU_CALL(dev, sgns, v, p.f32("loss"), p.f32("d_in"), p.f32("d_out"), p.f32("w_in"),
                                              p.f32("w_out"), p.i32("in_ids"), p.i32("out_ids"), dims_of(p.sizes()));
                          });
    op.error_bounds = bounds;
    op.reference_f64 = [](Problem64& p) {
        sgns_cpu(p.f64("loss"), p.f64("d_in"), p.f64("d_out"), p.f64("w_in"), p.f64("w_out"), p.i32("in_ids"),
                 p.i32("out_ids"), dims_of(p.sizes()));
    };
    // A fused forward + backward: d_in and d_out are the gradients of sum_b loss[b] with
    // respect to each pair's rows. The gradient of a table row is the scatter-add of every
    // slot that reads it (repeats: 6 pairs x 4 outputs over 5 rows in the second case).
    op.differentiates = Differentiates{
        .forward = "sgns",
        .outputs = {"loss"},
        .wrt = {"w_in", "w_out"},
        .unit_upstream = true,
        .backward_f64 =
            [](Problem64& p) {
                const SgnsDims d = dims_of(p.sizes());
                sgns_cpu(p.f64("loss"), p.f64("d_in"), p.f64("d_out"), p.f64("w_in"), p.f64("w_out"), p.i32("in_ids"),
                         p.i32("out_ids"), d);
                embedding_scatter_add_cpu(p.f64("dw_in"), p.f64("d_in"), p.i32("in_ids"), d.B, d.V, d.D, 1.0);
                embedding_scatter_add_cpu(p.f64("dw_out"), p.f64("d_out"), p.i32("out_ids"), d.B * d.K1, d.V, d.D, 1.0);
            },
        .cases = cases(dims, {{1, 1, 1, 1}, {6, 4, 5, 7}, {7, 2, 3, 7}}),
    };
    // Per pair: K1 dots (2 K1 D), d_out (K1 D), d_in (2 K1 D).
    op.flops = [](const Case& c) { return 5.0 * c["B"] * c["K1"] * c["D"]; };
    op.bytes = [](const Case& c) { return 4.0 * c["B"] * (2 * c["K1"] * c["D"] + 2 * c["D"]); };
    r.add(std::move(op));
}

}  // namespace ladder
