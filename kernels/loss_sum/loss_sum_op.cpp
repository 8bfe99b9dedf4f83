// loss_sum_op.cpp: the registry entry "loss_sum", out (1) = sum of losses (R): a validation
// batch's per-token losses into its total. Introduced in ch08.
#include <cmath>
#include <vector>

#include "core/gpu_dispatch.hpp"
#include "kernels/error_bounds.hpp"
#include "kernels/loss_sum/loss_sum.hpp"
#include "kernels/registry.hpp"

namespace ladder {

namespace {

// [book:loss-sum-bounds]
// With S = sum_i x_i the exact total and A = sum_i |x_i| (= S for losses, which are >= 0):
//   a GPU version  every loss passes through at most d = loss_sum_rounding_depth(R) float
//                  additions (its thread's chain, the block's tree, for v2 the second pass's),
//                  so |gpu - S| <= gamma_d A in whatever tree it is (Higham 4.2);
//   the reference  R additions in double, then one rounding to float:
//                  |ref - S| <= u |S| + (1 + u) gamma_R(2^-53) A.
// The difference is at most the sum of the two (the 1.01 covers S and A computed here in
// double). d is the longer of the versions' chains (the bound does not know which one ran):
// gamma_d = 1.1e-6 at R = 7 (v2's two passes, 18 roundings), 7.0e-5 at R = 300001 (v1's chains
// of 1172; v2's 22 alone would give 1.3e-6). An in-order float reference would add gamma_R A, up
// to 1.8e-2 A at R = 300001: the double reference keeps the bound to the GPU's own error.
// [/book]
std::map<std::string, std::vector<double>> total_bounds(const Problem& ref) {
    const std::size_t R = ref["R"];
    const float* x = ref.f32("losses");
    double S = 0, A = 0;
    for (std::size_t i = 0; i < R; ++i) {
        S += x[i];
        A += std::fabs(x[i]);
    }
    const double u = kFp32Unit, Rd = static_cast<double>(R);
    const double gpu = gamma_n(static_cast<double>(loss_sum_rounding_depth(R))) * A;
    const double reference = u * std::fabs(S) + (1 + u) * gamma_n(Rd, 0x1.0p-53) * A;
    return {{"out", {1.01 * (gpu + reference) + 1e-37}}};
}

}  // namespace

void register_loss_sum(Registry& r) {
    OpSpec op("loss_sum", "ch08", "out (1) = sum of losses (R): per-token losses into a batch's total");
    // One loss; one block's worth and one more; off the block; past v2's 1024 x 256 = 262144
    // threads (its slices of 293 give every thread two losses, and v1's threads 1172 each).
    op.test_cases = cases({"R"}, {{1}, {7}, {256}, {257}, {5000}, {65536}, {300001}});
    // A validation batch of B x T = 8 x 1024 tokens, 64 x 1024, and a whole small split (2^20).
    op.bench_cases = cases({"R"}, {{8 * 1024}, {64 * 1024}, {1 << 20}});
    op.make = [](const Case& c, Rng& rng) {
        Problem p(c);
        // Per-token losses of a half-trained model: >= 0 nats, most between 2 and 5, a heavy tail
        // (the 20x outliers: tokens the model gave a tiny probability, up to ~80 nats).
        auto x = p.add_f32("losses", Role::in, Shape{c["R"]});
        fill_test_values(rng, x);
        for (float& v : x) v = 2.0f + std::fabs(v);
        p.add_f32("out", Role::out, Shape{1});
        return p;
    };
    op.reference = {"loops", "in index order, accumulated in double",
                    [](Problem& p) { loss_sum_cpu(p.f32("out"), p.f32("losses"), p["R"]); }};
    op.reference_f64 = [](Problem64& p) { loss_sum_cpu(p.f64("out"), p.f64("losses"), p["R"]); };
    op.cpu_peers = {{"backend", "loss_sum(Backend cpu, Tensor...): the path an evaluation takes", [](Problem& p) {
                         Tensor out = p.tensor("out");
                         loss_sum(Backend(Device::cpu), out, p.tensor("losses"));
                     }}};
    op.versions = numbered_versions(loss_sum_gpu_versions,
                                    {"one block: per-thread sums, then a shared-memory tree",
                                     "two passes: a block per slice into partials, then one block sums them"},
                                    [](Device dev, int v, Problem& p) {
                                        LADDER_GPU_CALL(dev, loss_sum, v, p.f32("out"), p.f32("losses"), p["R"]);
                                    });
    op.error_bounds = total_bounds;
    op.flops = [](const Case& c) { return static_cast<double>(c["R"]); };
    op.bytes = [](const Case& c) { return 4.0 * c["R"]; };
    r.add(std::move(op));
}

}  // namespace ladder
