// cosine_topk_op.cpp: the registry entry for cosine_topk: cases, inputs, reference,
// versions, error bounds. Introduced in ch03.
#include <cmath>
#include <vector>

#include "core/gpu_dispatch.hpp"
#include "kernels/cosine_topk/cosine_topk.hpp"
#include "kernels/error_bounds.hpp"
#include "kernels/registry.hpp"

namespace ladder {

namespace {

TopkDims dims_of(const Case& c) { return TopkDims{c["M"], c["V"], c["D"], c["k"], c["X"]}; }


Problem make(const Case& c, Rng& rng) {
    const TopkDims d = dims_of(c);
    Problem p(c);
    auto q = p.add_f32("queries", Role::in, Shape{d.M, d.D});
    auto e = p.add_f32("table", Role::in, Shape{d.V, d.D});
    if (c.get("ints", 0)) {
        // Small integers: every dot product and squared norm is exact, so both sides compute
        // bit-identical similarities, and many ties (equal sims) test the id order.
        fill_small_ints(rng, q, -2, 2);
        fill_small_ints(rng, e, -2, 2);
    } else {
        fill_test_values(rng, q, d.D);
        fill_test_values(rng, e, d.D);
    }
    if (d.V > 3)
        for (std::size_t j = 0; j < d.D; ++j) e[2 * d.D + j] = 0.0f;  // a zero row: its sim is 0
    auto inv = p.add_f32("inv_norm", Role::in, Shape{d.V});
    for (std::size_t v = 0; v < d.V; ++v) {
        float ss = 0.0f;
        for (std::size_t j = 0; j < d.D; ++j) ss += e[v * d.D + j] * e[v * d.D + j];
        inv[v] = ss > 0 ? 1.0f / std::sqrt(ss) : 0.0f;
    }
    // Exclusions: a few real ids per query and some -1 (no exclusion).
    for (auto& x : p.add_i32("exclude", Role::in, Shape{d.M, d.X}))
        x = rng.below(4) == 0 ? -1 : static_cast<std::int32_t>(rng.below(d.V));
    p.add_i32("top_ids", Role::out, Shape{d.M, d.k});
    p.add_f32("top_sims", Role::out, Shape{d.M, d.k});
    return p;
}

// top_ids are compared exactly. A similarity (q . e) q_inv inv is a dot product of D terms
// (any order: within gamma_D sum_j |q_j e_j| of exact, so two sides differ by 2 gamma_D S),
// scaled by q_inv (a sum of D squares, a sqrt and a divide: relative error <= gamma_D / 2 +
// 2 u per side) and two products (u each per side). Bound: 2 gamma_D S |q_inv inv| +
// (gamma_D + 8 u) |sim|. The integer cases are exact on both sides: bound 0.
std::map<std::string, std::vector<double>> bounds(const Problem& ref) {
    const TopkDims d = dims_of(ref.sizes());
    const double u = kFp32Unit, gD = gamma_n(static_cast<double>(d.D));
    std::vector<double> b(d.M * d.k, 0.0);
    if (ref.sizes().get("ints", 0)) return {{"top_sims", b}};
    const float *q = ref.f32("queries"), *e = ref.f32("table"), *inv = ref.f32("inv_norm"), *sims = ref.f32("top_sims");
    const std::int32_t* ids = ref.i32("top_ids");
    for (std::size_t m = 0; m < d.M; ++m) {
        double qq = 0;
        for (std::size_t j = 0; j < d.D; ++j) qq += static_cast<double>(q[m * d.D + j]) * q[m * d.D + j];
        const double q_inv = qq > 0 ? 1 / std::sqrt(qq) : 0;
        for (std::size_t i = 0; i < d.k; ++i) {
            const std::int32_t v = ids[m * d.k + i];
            if (v < 0) continue;  // -inf on both sides
            double S = 0;
            for (std::size_t j = 0; j < d.D; ++j) S += std::fabs(static_cast<double>(q[m * d.D + j]) * e[v * d.D + j]);
            b[m * d.k + i] = 2 * gD * S * q_inv * inv[v] * 1.0001 + (gD + 8 * u) * std::fabs(sims[m * d.k + i]);
        }
    }
    return {{"top_sims", std::move(b)}};
}

}  // namespace

void register_cosine_topk(Registry& r) {
    OpSpec op("cosine_topk", "ch03",
              "top_ids, top_sims (M,k): the k rows of table (V,D) most cosine-similar to each query (M,D)");
    // V below k (the -1 / -inf tail), V = 1000 off the 128-thread stride, D = 1 up to 300,
    // k up to its maximum 32, exclusions, and exact small-integer cases with many ties.
    op.test_cases = cases({"M", "V", "D", "k", "X", "ints?"}, {{1, 1, 1, 1, 0, 0},
                                                               {3, 5, 7, 10, 0, 0},
                                                               {7, 100, 33, 10, 3, 0},
                                                               {20, 1000, 100, 10, 3, 0},
                                                               {5, 300, 300, 32, 3, 0},
                                                               {9, 200, 17, 5, 2, 1},
                                                               {4, 129, 5, 32, 1, 1}});
    op.bench_cases = cases({"M", "V", "D", "k", "X"}, {{16, 50000, 100, 10, 3}, {64, 50000, 100, 10, 3}});
    op.make = make;
    op.reference = {"xtensor", "all V similarities with xtensor, then std::partial_sort", [](Problem& p) {
                        cosine_topk_cpu(p.i32("top_ids"), p.f32("top_sims"), p.f32("queries"), p.f32("table"),
                                        p.f32("inv_norm"), p.i32("exclude"), dims_of(p.sizes()));
                    }};
    op.versions = numbered_versions(
        cosine_topk_gpu_versions, {"one thread per query, sorted k-list", "one block per query, 128 k-lists merged"},
        [](Device dev, int v, Problem& p) {
            LADDER_GPU_CALL(dev, cosine_topk, v, p.i32("top_ids"), p.f32("top_sims"), p.f32("queries"), p.f32("table"),
                            p.f32("inv_norm"), p.i32("exclude"), dims_of(p.sizes()));
        });
    op.error_bounds = bounds;
    op.flops = [](const Case& c) { return 2.0 * c["M"] * c["V"] * c["D"]; };
    op.bytes = [](const Case& c) { return 4.0 * (c["V"] * c["D"] + c["M"] * c["D"] + c["V"]); };
    r.add(std::move(op));
}

}  // namespace ladder
