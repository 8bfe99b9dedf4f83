// pair_count_op.cpp: the registry entry for pair_count. The table's slot order depends on
// which thread got there first, so both sides are put in key order (canonicalize) before
// the exact comparison. Introduced in ch04.
#include <algorithm>
#include <bit>

#include "core/gpu_dispatch.hpp"
#include "kernels/pair_count/pair_count.hpp"
#include "kernels/registry.hpp"

namespace ladder {

namespace {
// The cases over n and vocab, with the table's capacity derived: a power of two at least
// twice the most distinct pairs there can be.
std::vector<Case> with_capacity(std::vector<Case> cs) {
    for (Case& c : cs)
        c.dims.emplace_back("capacity", std::bit_ceil(2 * std::min(c["n"], c["vocab"] * c["vocab"]) + 16));
    return cs;
}
}  // namespace

void register_pair_count(Registry& r) {
    OpSpec op("pair_count", "ch04", "hash table of adjacent-pair counts (keys, counts) of tokens (n)");
    // A tiny vocabulary (few pairs, many repeats: heavy contention on a few slots), a
    // large one (more distinct pairs per tile than v2's shared table holds: the global
    // fallback), one and two tokens, sizes off the block and tile size.
    op.test_cases = with_capacity(cases(
        {"n", "vocab"}, {{1, 5}, {2, 5}, {33, 3}, {257, 50}, {2049, 3}, {5000, 1000}, {40000, 40}, {30000, 3000}}));
    op.bench_cases = with_capacity(cases({"n", "vocab"}, {{1 << 16, 300}, {1 << 20, 300}, {1 << 22, 4000}}));
    op.make = [](const Case& c, Rng& rng) {
        Problem p(c);
        const std::size_t n = c["n"], vocab = c["vocab"], capacity = c["capacity"];
        auto tokens = p.add_i32("tokens", Role::in, Shape{n});
        // About one word boundary (-1) in eight positions; ids skewed towards small
        // ones, as in text (the minimum of two uniforms).
        for (auto& t : tokens)
            t = rng.below(8) == 0 ? -1 : static_cast<std::int32_t>(std::min(rng.below(vocab), rng.below(vocab)));
        p.add_i32("keys", Role::out, Shape{capacity});
        p.add_i32("counts", Role::out, Shape{capacity});
        return p;
    };
    op.reference = {"table", "the same open-addressing table, filled sequentially", [](Problem& p) {
                        pair_count_cpu(p.i32("keys"), p.i32("counts"), p["capacity"], p.i32("tokens"), p["n"]);
                    }};
    op.canonicalize = [](Problem& p) { pair_count_canonical(p.i32("keys"), p.i32("counts"), p["capacity"]); };
    op.no_race_check = "which thread's atomicCAS claims a slot first decides where a key lands in the table";
    op.versions = numbered_versions(pair_count_gpu_versions,
                                    {"one thread per position, atomicCAS into the global table",
                                     "block-privatised: a shared-memory table per tile, flushed once"},
                                    [](Device dev, int v, Problem& p) {
                                        LADDER_GPU_CALL(dev, pair_count, v, p.i32("keys"), p.i32("counts"),
                                                        p["capacity"], p.i32("tokens"), p["n"]);
                                    });
    // Integer counts: exact.
    op.bytes = [](const Case& c) { return 4.0 * c["n"] + 8.0 * c["capacity"]; };
    r.add(std::move(op));
}

}  // namespace ladder
