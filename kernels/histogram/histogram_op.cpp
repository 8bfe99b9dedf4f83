// histogram_op.cpp: the registry entry for histogram. Introduced in ch02.
#include <cmath>

#include "core/gpu_dispatch.hpp"
#include "kernels/histogram/histogram.hpp"
#include "kernels/registry.hpp"

namespace ladder {

namespace {


// Ids the way words come: a heavy head (log-uniform: id 0 is as likely as ids 1..2 together,
// or 3..6...), so a few bins take most of the increments and collide, plus ~3% ids outside
// [0, bins) that must be skipped (-1, -7, bins, bins + 5).
Problem make(const Case& c, Rng& rng) {
    Problem p(c);
    const std::size_t n = c["n"], bins = c["bins"];
    auto ids = p.add_i32("ids", Role::in, Shape{n});
    for (auto& id : ids) {
        if (rng.below(100) < 3) {
            const std::int32_t outside[] = {-1, -7, static_cast<std::int32_t>(bins),
                                            static_cast<std::int32_t>(bins + 5)};
            id = outside[rng.below(4)];
        } else {
            const double x = std::pow(static_cast<double>(bins) + 1.0, static_cast<double>(rng.uniform())) - 1.0;
            id = static_cast<std::int32_t>(std::min<double>(x, static_cast<double>(bins - 1)));
        }
    }
    p.add_i32("counts", Role::out, Shape{bins});
    return p;
}

}  // namespace

void register_histogram(Registry& r) {
    OpSpec op("histogram", "ch02", "counts (bins) = occurrences of each id in ids (n), int32");
    // Off every block size; bins above v2's 12k-bin shared chunk (two chunks and a partial
    // one); a long input with few bins (hot atomics). (n = 0, where counts must still be
    // zeroed, is tested in histogram_test.cpp: the harness has no empty buffers.)
    op.test_cases = cases({"n", "bins"}, {{1, 1}, {7, 5}, {1000, 37}, {5003, 300}, {3001, 30000}, {100003, 1000}});
    op.bench_cases = cases({"n", "bins"}, {{1 << 20, 20000}, {800000, 13000}, {1 << 22, 30000}});
    op.make = make;
    op.reference = {"loop", "one increment per id",
                    [](Problem& p) { histogram_cpu(p.i32("counts"), p.i32("ids"), p["n"], p["bins"]); }};
    op.versions = numbered_versions(
        histogram_gpu_versions, {"one thread per id, global atomics", "privatised: shared-memory histogram per block"},
        [](Device dev, int v, Problem& p) {
            LADDER_GPU_CALL(dev, histogram, v, p.i32("counts"), p.i32("ids"), p["n"], p["bins"]);
        });
    // Integer counts: the order atomics land in cannot change a sum of integers, so every
    // version must match exactly (the harness compares int32 outputs bit for bit).
    op.bytes = [](const Case& c) { return 4.0 * (c["n"] + c["bins"]); };
    r.add(std::move(op));
}

}  // namespace ladder
