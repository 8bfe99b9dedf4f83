// scan_op.cpp: the registry entry for scan (exclusive prefix sum of int32). Introduced in ch04.
#include "core/gpu_dispatch.hpp"
#include "kernels/registry.hpp"
#include "kernels/scan/scan.hpp"

namespace ladder {

void register_scan(Registry& r) {
    OpSpec op("scan", "ch04", "out (n) = exclusive prefix sum of in (n), int32");
    // One element; one block's worth and one past (256, 257; 512, 513 for v2's two per
    // thread); several blocks; enough blocks that v1 and v2 need three levels.
    op.test_cases = cases({"n"}, {{1}, {7}, {256}, {257}, {513}, {5000}, {70001}, {300000}});
    op.bench_cases = cases({"n"}, {{1 << 16}, {1 << 20}, {1 << 24}});
    op.make = [](const Case& c, Rng& rng) {
        Problem p(c);
        const std::size_t n = c["n"];
        auto in = p.add_i32("in", Role::in, Shape{n});
        // 0..9, zeros included: sums stay exact (n * 9 < 2^31) and a lost or doubled
        // element changes every later prefix.
        for (auto& x : in) x = static_cast<std::int32_t>(rng.below(10));
        p.add_i32("out", Role::out, Shape{n});
        return p;
    };
    op.reference = {"std", "std::exclusive_scan",
                    [](Problem& p) { scan_exclusive_cpu(p.i32("out"), p.i32("in"), p["n"]); }};
    op.versions = numbered_versions(scan_gpu_versions,
                                    {"Hillis-Steele block scan, blocks combined in levels",
                                     "work-efficient (Blelloch) block scan, two elements per thread, in levels",
                                     "single pass with decoupled look-back at the previous blocks"},
                                    [](Device dev, int v, Problem& p) {
                                        LADDER_GPU_CALL(dev, scan_exclusive, v, p.i32("out"), p.i32("in"), p["n"]);
                                    });
    // Integer sums: exact on every side.
    op.bytes = [](const Case& c) { return 8.0 * c["n"]; };
    r.add(std::move(op));
}

}  // namespace ladder
