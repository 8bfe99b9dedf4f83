// bpe_merge_op.cpp: the registry entry for bpe_merge. Introduced in ch04.
#include "core/gpu_dispatch.hpp"
#include "kernels/bpe_merge/bpe_merge.hpp"
#include "kernels/registry.hpp"

namespace ladder {

namespace {
// vocab: ids are drawn from [0, vocab); same: merge (1, 1) -> vocab instead of (1, 2).
MergeRule rule_of(const Case& c) {
    const auto v = static_cast<std::int32_t>(c["vocab"]);
    return c["same"] ? MergeRule{1, 1, v} : MergeRule{1, 2, v};
}
}  // namespace

void register_bpe_merge(Registry& r) {
    OpSpec op("bpe_merge", "ch04", "tokens (n) with one merge (left, right) -> result applied: out (n), out_len (1)");
    // Few ids, so the pair occurs often; runs of the same id for the (1, 1) merge; sizes
    // off the block size and large enough for several scan blocks.
    op.test_cases = cases({"n", "vocab", "same"}, {{1, 3, 0},
                                                   {2, 3, 0},
                                                   {7, 3, 1},
                                                   {257, 3, 0},
                                                   {257, 2, 1},
                                                   {1000, 4, 0},
                                                   {5000, 2, 1},
                                                   {70001, 3, 0},
                                                   {70001, 3, 1}});
    op.bench_cases = cases({"n", "vocab", "same"}, {{1 << 16, 64, 0}, {1 << 20, 64, 0}, {1 << 24, 64, 0}});
    op.make = [](const Case& c, Rng& rng) {
        Problem p(c);
        const std::size_t n = c["n"];
        auto tokens = p.add_i32("tokens", Role::in, Shape{n});
        for (auto& t : tokens) t = static_cast<std::int32_t>(rng.below(c["vocab"]));
        p.add_i32("out", Role::out, Shape{n});
        p.add_i32("out_len", Role::out, Shape{1});
        return p;
    };
    op.reference = {"loop", "one left-to-right pass", [](Problem& p) {
                        bpe_merge_cpu(p.i32("out"), p.i32("out_len"), p.i32("tokens"), p["n"], rule_of(p.sizes()));
                    }};
    op.versions = numbered_versions(
        bpe_merge_gpu_versions, {"mark, scan (levels, scan v2), scatter", "mark, scan (one pass, scan v3), scatter"},
        [](Device dev, int v, Problem& p) {
            LADDER_GPU_CALL(dev, bpe_merge, v, p.i32("out"), p.i32("out_len"), p.i32("tokens"), p["n"],
                            rule_of(p.sizes()));
        });
    // Integer ids: exact.
    op.bytes = [](const Case& c) { return 24.0 * c["n"]; };
    r.add(std::move(op));
}

}  // namespace ladder
