// kmeans_op.cpp: registry entries for kmeans_assign and kmeans_update: cases, inputs,
// references, versions, tolerances. Introduced in ch03.
#include <cmath>
#include <vector>

#include "core/gpu_dispatch.hpp"
#include "kernels/kmeans/kmeans.hpp"
#include "kernels/error_bounds.hpp"
#include "kernels/registry.hpp"

namespace ladder {

namespace {

KmeansDims dims_of(const Case& c) { return KmeansDims{c["N"], c["C"], c["D"]}; }

void fill(const Case& c, Rng& rng, std::span<float> v, std::size_t row) {
    if (c.get("ints", 0))
        fill_small_ints(rng, v, -3, 3);  // exact sums: ties in distance are real ties
    else
        fill_test_values(rng, v, row);
}

// N off the 128-thread block, C from 1 (every point in one cluster) to more than a
// shared-memory tile (D = 300: 27 centroids per tile), and small-integer cases with ties.
std::vector<Case> test_cases() {
    return cases({"N", "C", "D", "ints?"},
                 {{1, 1, 1, 0}, {7, 3, 5, 0}, {129, 10, 33, 0}, {1000, 17, 100, 0}, {300, 40, 300, 0}, {257, 9, 6, 1}});
}

}  // namespace

void register_kmeans(Registry& r) {
    {
        OpSpec op("kmeans_assign", "ch03",
                  "assign (N) = nearest of centroids (C,D) to each of x (N,D); dist (N) its squared distance");
        op.test_cases = test_cases();
        op.bench_cases = cases({"N", "C", "D"}, {{10000, 50, 100}, {50000, 100, 100}});
        op.make = [](const Case& c, Rng& rng) {
            const KmeansDims d = dims_of(c);
            Problem p(c);
            fill(c, rng, p.add_f32("x", Role::in, Shape{d.N, d.D}), d.D);
            fill(c, rng, p.add_f32("centroids", Role::in, Shape{d.C, d.D}), d.D);
            p.add_i32("assign", Role::out, Shape{d.N});
            p.add_f32("dist", Role::out, Shape{d.N});
            return p;
        };
        op.reference = {"xtensor", "xt::sum(xt::square(x_i - C), {1}), then the first minimum", [](Problem& p) {
                            kmeans_assign_cpu(p.i32("assign"), p.f32("dist"), p.f32("x"), p.f32("centroids"),
                                              dims_of(p.sizes()));
                        }};
        op.versions =
            numbered_versions(kmeans_assign_gpu_versions,
                              {"one thread per point", "one thread per point, centroid tiles in shared memory"},
                              [](Device dev, int v, Problem& p) {
                                  LADDER_GPU_CALL(dev, kmeans_assign, v, p.i32("assign"), p.f32("dist"), p.f32("x"),
                                                  p.f32("centroids"), dims_of(p.sizes()));
                              });
        // dist is a sum of D non-negative squares: the differences round identically, and any
        // order (or a fused multiply-add) of the sum is within gamma_D * dist of exact, so two
        // sides differ by at most 2 gamma_D dist (relative). assign is compared exactly.
        op.tolerance = [](const Case& c) {
            return Tolerance{0, 2 * gamma_n(static_cast<double>(c["D"]) + 1)};
        };
        op.flops = [](const Case& c) { return 3.0 * c["N"] * c["C"] * c["D"]; };
        op.bytes = [](const Case& c) { return 4.0 * (c["N"] * c["D"] + c["C"] * c["D"] + 2 * c["N"]); };
        r.add(std::move(op));
    }
    {
        OpSpec op("kmeans_update", "ch03", "centroids (C,D) = mean of the x (N,D) assigned to each; counts (C)");
        op.test_cases = test_cases();
        op.bench_cases = cases({"N", "C", "D"}, {{10000, 50, 100}});
        op.make = [](const Case& c, Rng& rng) {
            const KmeansDims d = dims_of(c);
            Problem p(c);
            fill(c, rng, p.add_f32("x", Role::in, Shape{d.N, d.D}), d.D);
            fill(c, rng, p.add_f32("centroids", Role::inout, Shape{d.C, d.D}), d.D);
            // Cluster C-1 stays empty when C > 2: its centroid must not change.
            const std::size_t used = d.C > 2 ? d.C - 1 : d.C;
            for (auto& a : p.add_i32("assign", Role::in, Shape{d.N})) a = static_cast<std::int32_t>(rng.below(used));
            p.add_i32("counts", Role::out, Shape{d.C});
            return p;
        };
        op.reference = {"xtensor", "row sums in point order, then one division per cluster", [](Problem& p) {
                            kmeans_update_cpu(p.f32("centroids"), p.i32("counts"), p.f32("x"), p.i32("assign"),
                                              dims_of(p.sizes()));
                        }};
        op.versions = numbered_versions(kmeans_update_gpu_versions,
                                        {"one thread per (cluster, dimension), points in order"},
                                        [](Device dev, int v, Problem& p) {
                                            LADDER_GPU_CALL(dev, kmeans_update, v, p.f32("centroids"), p.i32("counts"),
                                                            p.f32("x"), p.i32("assign"), dims_of(p.sizes()));
                                        });
        // The same float additions in the same order (points by index), then the same
        // correctly rounded division: bit-identical results. counts are integers.
        op.tolerance = [](const Case&) { return Tolerance{0, 0}; };
        op.bytes = [](const Case& c) { return 4.0 * (c["N"] * c["D"] + c["N"] + c["C"] * c["D"]); };
        r.add(std::move(op));
    }
}

}  // namespace ladder
