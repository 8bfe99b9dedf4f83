// topk_op.cpp: the registry entry for topk. Introduced in ch02.
#include <cmath>
#include <limits>

#include "core/gpu_dispatch.hpp"
#include "kernels/registry.hpp"
#include "kernels/topk/topk.hpp"

namespace ladder {

namespace {


// Random values with outliers; "ties" cases draw small integers in [-3, 3] plus a few
// -infinity, so most values tie and the order of indices decides.
Problem make(const Case& c, Rng& rng) {
    Problem p(c);
    const std::size_t rows = c["rows"], cols = c["cols"], k = c["k"];
    auto x = p.add_f32("x", Role::in, Shape{rows, cols});
    if (c.get("ties", 0)) {
        fill_small_ints(rng, x, -3, 3);
        for (auto& v : x)
            if (rng.below(50) == 0) v = -std::numeric_limits<float>::infinity();
    } else {
        fill_test_values(rng, x, cols);
    }
    p.add_f32("values", Role::out, Shape{rows, k});
    p.add_i32("indices", Role::out, Shape{rows, k});
    return p;
}

}  // namespace

void register_topk(Registry& r) {
    OpSpec op("topk", "ch02",
              "values, indices (rows, k) = the k largest of each row of x (rows, cols), ties to the smaller index");
    // k = 1, k = cols, k = the GPU maximum (64); rows shorter than a warp (7), around it (33)
    // and long (1000, 5000); row counts off the block size; heavy ties.
    op.test_cases = cases({"rows", "cols", "k", "ties?"}, {{1, 1, 1, 0},
                                                           {3, 7, 3, 0},
                                                           {5, 7, 7, 0},
                                                           {17, 33, 5, 0},
                                                           {40, 257, 1, 0},
                                                           {4, 1000, 64, 0},
                                                           {9, 100, 10, 1},
                                                           {6, 50, 50, 1},
                                                           {3, 5000, 20, 0},
                                                           {130, 40, 8, 1}});
    op.bench_cases = cases({"rows", "cols", "k"}, {{8, 3000, 10}, {11, 20000, 10}, {1000, 1000, 10}});
    op.make = make;
    op.reference = {"partial_sort", "std::partial_sort of indices by (value desc, index asc)", [](Problem& p) {
                        topk_cpu(p.f32("values"), p.i32("indices"), p.f32("x"), p["rows"], p["cols"], p["k"]);
                    }};
    op.versions = numbered_versions(
        topk_gpu_versions,
        {"one thread per row, insertion into a sorted list", "one warp per row, per-lane lists merged by warp argmax"},
        [](Device dev, int v, Problem& p) {
            LADDER_GPU_CALL(dev, topk, v, p.f32("values"), p.i32("indices"), p.f32("x"), p["rows"], p["cols"], p["k"]);
        });
    // Selection does no arithmetic: the values are copies of inputs and the order is a total
    // order, so values and indices must match exactly.
    op.tolerance = [](const Case&) { return Tolerance{0, 0}; };
    op.bytes = [](const Case& c) { return 4.0 * c["rows"] * c["cols"] + 8.0 * c["rows"] * c["k"]; };
    r.add(std::move(op));
}

}  // namespace ladder
