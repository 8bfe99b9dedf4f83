// embedding_gather_op.cpp: registry entries for embedding_gather and embedding_scatter_add
// (its backward): cases, inputs, references, versions, tolerances. Introduced in ch03.
#include <cmath>
#include <vector>

#include "core/gpu_dispatch.hpp"
#include "kernels/embedding_gather/embedding_gather.hpp"
#include "kernels/error_bounds.hpp"
#include "kernels/registry.hpp"

namespace ladder {

namespace {

// Ids drawn with repeats (V is small next to B in most cases: every row is hit many times,
// which is what makes scatter-add's collisions happen); for scatter-add, one in eight is
// -1, padding that must be skipped.
void fill_ids(Rng& rng, std::span<std::int32_t> ids, std::size_t V, bool padding) {
    for (auto& id : ids) id = (padding && rng.below(8) == 0) ? -1 : static_cast<std::int32_t>(rng.below(V));
}

// Sizes off the block size (256): 1, 7, 33*65, 1000*257; V from 1 (every id the same) up.
std::vector<Case> test_cases() {
    return cases({"B", "V", "D", "ints?"},
                 {{1, 1, 1, 0}, {7, 5, 3, 0}, {33, 10, 65, 0}, {300, 50, 100, 0}, {1000, 37, 257, 0}, {129, 7, 31, 1}});
}
std::vector<Case> bench_cases() { return cases({"B", "V", "D"}, {{4096, 50000, 100}, {65536, 50000, 300}}); }

constexpr float kScale = -0.5f;   // a power of two: scale * x is exact, so the int cases stay exact

}  // namespace

void register_embedding_gather(Registry& r) {
    {
        OpSpec op("embedding_gather", "ch03", "out (B,D) = table (V,D) [ids (B)]");
        op.test_cases = test_cases();
        op.bench_cases = bench_cases();
        op.make = [](const Case& c, Rng& rng) {
            Problem p(c);
            fill_test_values(rng, p.add_f32("table", Role::in, Shape{c["V"], c["D"]}), c["D"]);
            fill_ids(rng, p.add_i32("ids", Role::in, Shape{c["B"]}), c["V"], false);
            p.add_f32("out", Role::out, Shape{c["B"], c["D"]});
            return p;
        };
        op.reference = {"xtensor", "row copies with xt::row", [](Problem& p) {
                            embedding_gather_cpu(p.f32("out"), p.f32("table"), p.i32("ids"), p["B"], p["V"], p["D"]);
                        }};
        op.versions = numbered_versions(embedding_gather_gpu_versions, {"one thread per output element"},
                                        [](Device dev, int v, Problem& p) {
                                            LADDER_GPU_CALL(dev, embedding_gather, v, p.f32("out"), p.f32("table"),
                                                            p.i32("ids"), p["B"], p["V"], p["D"]);
                                        });
        op.reference_f64 = [](Problem64& p) {
            embedding_gather_cpu(p.f64("out"), p.f64("table"), p.i32("ids"), p["B"], p["V"], p["D"]);
        };
        // A copy: no arithmetic at all, so every bit must match.
        op.tolerance = [](const Case&) { return Tolerance{0, 0}; };
        op.bytes = [](const Case& c) { return 8.0 * c["B"] * c["D"] + 4.0 * c["B"]; };
        r.add(std::move(op));
    }
    {
        OpSpec op("embedding_scatter_add", "ch03", "table (V,D) [ids (B)] += scale * rows (B,D), repeated ids add up");
        op.test_cases = test_cases();
        op.bench_cases = bench_cases();
        op.make = [](const Case& c, Rng& rng) {
            Problem p(c);
            auto table = p.add_f32("table", Role::inout, Shape{c["V"], c["D"]});
            auto rows = p.add_f32("rows", Role::in, Shape{c["B"], c["D"]});
            if (c.get("ints", 0)) {
                // Small integers times 0.5: every partial sum is exact in fp32, in any order.
                fill_small_ints(rng, table, -8, 8);
                fill_small_ints(rng, rows, -8, 8);
            } else {
                fill_test_values(rng, table, c["D"]);
                fill_test_values(rng, rows, c["D"]);
            }
            fill_ids(rng, p.add_i32("ids", Role::in, Shape{c["B"]}), c["V"], true);
            return p;
        };
        op.reference = {"xtensor", "xt::row(table, id) += scale * xt::row(rows, b), in order of b", [](Problem& p) {
                            embedding_scatter_add_cpu(p.f32("table"), p.f32("rows"), p.i32("ids"), p["B"], p["V"], p["D"],
                                                      kScale);
                        }};
        op.versions = numbered_versions(embedding_scatter_add_gpu_versions,
                                        {"one thread per element of rows, atomicAdd"},
                                        [](Device dev, int v, Problem& p) {
                                            LADDER_GPU_CALL(dev, embedding_scatter_add, v, p.f32("table"),
                                                            p.f32("rows"), p.i32("ids"), p["B"], p["V"], p["D"],
                                                            kScale);
                                        });
        // Element (v, d) of the table ends as t0 + sum of n terms s * rows[b][d] (each product
        // rounded identically on both sides: s is a power of two). Any order of summing
        // n + 1 terms is within gamma_n * sum |terms| of the exact sum (Higham 4.2), so two
        // orders differ by at most 2 gamma_n sum |terms|. The int cases are exact: bound 0.
        // (Built from the inputs, which the reference problem still holds: rows and ids.)
        op.error_bounds = [](const Problem& ref) {
            const std::size_t B = ref["B"], V = ref["V"], D = ref["D"];
            std::vector<double> abs_sum(V * D, 0.0), count(V, 0.0);
            const float* rows = ref.f32("rows");
            const std::int32_t* ids = ref.i32("ids");
            for (std::size_t b = 0; b < B; ++b) {
                if (ids[b] < 0) continue;
                count[ids[b]] += 1;
                for (std::size_t d = 0; d < D; ++d) abs_sum[ids[b] * D + d] += std::fabs(0.5 * rows[b * D + d]);
            }
            const float* table = ref.f32("table");   // the result: |t0| <= |result| + sum |terms|
            std::vector<double> bound(V * D, 0.0);
            if (ref.sizes().get("ints", 0)) return std::map<std::string, std::vector<double>>{{"table", bound}};
            for (std::size_t v = 0; v < V; ++v)
                for (std::size_t d = 0; d < D; ++d) {
                    const double terms = std::fabs(table[v * D + d]) + 2 * abs_sum[v * D + d];
                    bound[v * D + d] = 2 * gamma_n(count[v]) * terms;
                }
            return std::map<std::string, std::vector<double>>{{"table", bound}};
        };
        op.bytes = [](const Case& c) { return 12.0 * c["B"] * c["D"] + 4.0 * c["B"]; };
        // Its gradient check: the scatter-add of dout into a zero table is d/dtable of
        // sum <dout, gather(table, ids)> (what ch05's embedding layers rely on).
        op.differentiates = Differentiates{
            .forward = "embedding_gather",
            .outputs = {"out"},
            .wrt = {"table"},
            .backward_f64 =
                [](Problem64& p) {
                    embedding_scatter_add_cpu(p.f64("dtable"), p.f64("dout"), p.i32("ids"), p["B"], p["V"], p["D"], 1.0);
                },
            .cases = cases({"B", "V", "D"}, {{1, 1, 1}, {7, 3, 5}, {20, 6, 4}}),
        };
        r.add(std::move(op));
    }
}

}  // namespace ladder
