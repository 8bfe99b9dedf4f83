// vector_add_op.cpp: the registry entry for vector_add. Introduced in ch01.
#include "core/gpu_dispatch.hpp"
#include "kernels/registry.hpp"
#include "kernels/vector_add/vector_add.hpp"

namespace ladder {

void register_vector_add(Registry& r) {
    OpSpec op("vector_add", "ch01", "out (n) = a (n) + b (n)");
    // n = 1, odd sizes, one past a block (257), float4 tails (n % 4 = 1, 2, 3).
    op.test_cases = cases({"n"}, {{1}, {7}, {256}, {257}, {1022}, {100003}});
    op.bench_cases = cases({"n"}, {{1 << 16}, {1 << 20}, {1 << 24}});
    op.make = [](const Case& c, Rng& rng) {
        Problem p(c);
        const std::size_t n = c["n"];
        fill_test_values(rng, p.add_f32("a", Role::in, Shape{n}));
        fill_test_values(rng, p.add_f32("b", Role::in, Shape{n}));
        p.add_f32("out", Role::out, Shape{n});
        return p;
    };
    op.reference = {"xtensor", "xt::noalias(out) = a + b",
                    [](Problem& p) { vector_add_cpu(p.f32("out"), p.f32("a"), p.f32("b"), p["n"]); }};
    op.versions =
        numbered_versions(vector_add_gpu_versions, {"one thread per element", "grid-stride loop over float4"},
                          [](Device dev, int v, Problem& p) {
                              LADDER_GPU_CALL(dev, vector_add, v, p.f32("out"), p.f32("a"), p.f32("b"), p["n"]);
                          });
    // One correctly rounded fp32 addition on both sides: the results are identical.
    op.tolerance = [](const Case&) { return Tolerance{0, 0}; };
    op.bytes = [](const Case& c) { return 12.0 * c["n"]; };
    r.add(std::move(op));
}

}  // namespace ladder
