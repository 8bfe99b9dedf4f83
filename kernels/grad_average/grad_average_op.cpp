// grad_average_op.cpp: the registry entry "grad_average", out (n) = (1/N) sum_r in[r], in (N, n):
// the arithmetic of a data-parallel all-reduce. Introduced in ch08.
#include <cmath>
#include <vector>

#include "core/gpu_dispatch.hpp"
#include "kernels/error_bounds.hpp"
#include "kernels/grad_average/grad_average.hpp"
#include "kernels/registry.hpp"

namespace ladder {

namespace {

// [book:grad-average-bounds]
// Per element, with x_r = in[r][i], S = sum_r x_r, A = sum_r |x_r| and m = S / N the exact mean:
//   the sum   N - 1 additions in any order: |s - S| <= gamma_{N-1} A (Higham 4.2);
//   the mean  one division, correctly rounded: |fl(s / N) - s / N| <= u |s| / N
//             <= u (|S| + gamma_{N-1} A) / N.
// So each implementation is within e = ((1 + u) gamma_{N-1} A + u |S|) / N of m, and two of them
// within 2e of each other (the 1.01 covers S and A computed here in double). This holds for any
// order of the ranks: a ring all-reduce (NCCL) adds each chunk starting at a different rank, and
// it is still inside. The versions here add in the reference's order and divide the same way,
// so on the emulator they agree bit for bit (grad_average_test checks that); the bound is what
// the op promises, not what these versions happen to need. N = 1 leaves 2u |x|: the division by 1
// is exact, so the bound is loose there but not zero, which a faster version may need (x * 1/N).
// [/book]
std::map<std::string, std::vector<double>> average_bounds(const Problem& ref) {
    const std::size_t N = ref["N"], n = ref["n"];
    const float* in = ref.f32("in");
    const double g = gamma_n(static_cast<double>(N - 1)), u = kFp32Unit;
    std::vector<double> b(n);
    for (std::size_t i = 0; i < n; ++i) {
        double S = 0, A = 0;
        for (std::size_t r = 0; r < N; ++r) {
            S += in[r * n + i];
            A += std::fabs(in[r * n + i]);
        }
        b[i] = 2 * 1.01 * ((1 + u) * g * A + u * std::fabs(S)) / static_cast<double>(N) + 1e-37;
    }
    return {{"out", std::move(b)}};
}

}  // namespace

void register_grad_average(Registry& r) {
    OpSpec op("grad_average", "ch08",
              "out (n) = (1/N) sum_r in[r], in (N, n): the ranks' gradients averaged (an all-reduce's arithmetic)");
    // One rank (the division by 1) and one element; n off the block size and off a multiple of 4
    // (v2's scalar path), multiples of 4 (its float4 path), and past v2's grid of 1056 x 256 =
    // 270336 threads both ways: 300001 elements one at a time, and 1100000 = 275000 float4s, so
    // some threads take two. N = 3, 5, 7 make the division round (N = 2, 4, 8 are exact).
    op.test_cases = cases(
        {"N", "n"},
        {{1, 1}, {1, 100}, {2, 7}, {3, 256}, {4, 257}, {5, 4096}, {8, 1000}, {7, 999}, {2, 300001}, {2, 1100000}});
    // GPT-2 small's 124M gradients are 475 MiB; a 4 Mi-element (16 MiB) bucket is what an
    // all-reduce library moves at a time, over 2 and 8 ranks.
    op.bench_cases = cases({"N", "n"}, {{2, 1 << 22}, {8, 1 << 22}});
    op.make = [](const Case& c, Rng& rng) {
        Problem p(c);
        const std::size_t N = c["N"], n = c["n"];
        // Gradients: N(0, 1) with 20x outliers, different on every rank (so the sum cancels in
        // places and the bound's A, not |S|, matters).
        fill_test_values(rng, p.add_f32("in", Role::in, Shape{N, n}));
        p.add_f32("out", Role::out, Shape{n});
        return p;
    };
    op.reference = {"loops", "row 0, += each rank's row in order, then / N",
                    [](Problem& p) { grad_average_cpu(p.f32("out"), p.f32("in"), p["N"], p["n"]); }};
    op.reference_f64 = [](Problem64& p) { grad_average_cpu(p.f64("out"), p.f64("in"), p["N"], p["n"]); };
    op.cpu_peers = {{"backend", "grad_average(Backend cpu, Tensor...): the path a training step takes", [](Problem& p) {
                         Tensor out = p.tensor("out");
                         grad_average(Backend(Device::cpu), out, p.tensor("in"));
                     }}};
    op.versions =
        numbered_versions(grad_average_gpu_versions,
                          {"one thread per element, looping over the ranks",
                           "a fixed grid striding over float4s (scalar when n % 4 != 0)"},
                          [](Device dev, int v, Problem& p) {
                              LADDER_GPU_CALL(dev, grad_average, v, p.f32("out"), p.f32("in"), p["N"], p["n"]);
                          });
    op.error_bounds = average_bounds;
    op.flops = [](const Case& c) { return static_cast<double>(c["N"]) * c["n"]; };  // N - 1 adds, 1 divide
    op.bytes = [](const Case& c) { return 4.0 * (c["N"] + 1) * c["n"]; };
    r.add(std::move(op));
}

}  // namespace ladder
