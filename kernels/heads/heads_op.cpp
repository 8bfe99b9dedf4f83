// heads_op.cpp: the registry entries for the head permutes: "split_qkv", "split_qkv_bias" (ch07)
// and "merge_heads" (forward), "split_qkv_backward" and "merge_heads_backward" (each names the
// forward it differentiates). Introduced in ch06.
#include <vector>

#include "core/backend.hpp"
#include "core/gpu_dispatch.hpp"
#include "kernels/heads/heads.hpp"
#include "kernels/registry.hpp"

namespace ladder {

namespace {

Shape heads_shape(const Case& c) { return Shape{c["B"], c["NH"], c["T"], c["hs"]}; }
Shape rows_shape(const Case& c, std::size_t G) { return Shape{c["B"], c["T"], G * c["NH"] * c["hs"]}; }
double elements(const Case& c) { return static_cast<double>(c["B"]) * c["T"] * c["NH"] * c["hs"]; }

// One element of each; widths off the warp (hs 5, 24, 33: a warp spans runs, and v2's block
// of one warp leaves lanes idle) and one at GPT-2's hs 64 with its 12 heads; T off any block.
std::vector<Case> test_cases() {
    return cases({"B", "T", "NH", "hs"}, {{1, 1, 1, 1}, {2, 3, 2, 5}, {3, 17, 4, 33}, {2, 7, 3, 24}, {1, 5, 12, 64}});
}
// The check runs the forward four times per input element: a few dozen elements each.
std::vector<Case> grad_cases() { return cases({"B", "T", "NH", "hs"}, {{1, 1, 1, 1}, {1, 2, 2, 3}, {2, 3, 3, 2}}); }
// GPT-2 small (B 8, T 1024, 12 heads of 64) and medium's 16 heads, a small model's hs 32,
// and hs 24, off the warp.
std::vector<Case> bench_cases() {
    return cases({"B", "T", "NH", "hs"}, {{8, 1024, 12, 64}, {4, 1024, 16, 64}, {16, 256, 8, 32}, {8, 512, 8, 24}});
}

// Every one of these ops moves values without any arithmetic: the GPU must give the
// reference's bits exactly, so the tolerance is 0 (and NaN-poisoned outputs show any element
// not written).
Tolerance exact(const Case&) { return Tolerance{0, 0}; }

}  // namespace

void register_heads(Registry& r) {
    {
        OpSpec op("split_qkv", "ch06", "qkv (B,T,3C) -> q, k, v (B,NH,T,hs), C = NH*hs");
        op.test_cases = test_cases();
        op.bench_cases = bench_cases();
        op.make = [](const Case& c, Rng& rng) {
            Problem p(c);
            fill_test_values(rng, p.add_f32("qkv", Role::in, rows_shape(c, 3)), 3 * c["NH"] * c["hs"]);
            for (const char* name : {"q", "k", "v"}) p.add_f32(name, Role::out, heads_shape(c));
            return p;
        };
        op.reference = {"loops", "std::copy_n of each hs-long run", [](Problem& p) {
                            split_qkv_cpu(p.f32("q"), p.f32("k"), p.f32("v"), p.f32("qkv"), p["B"], p["T"], p["NH"],
                                          p["hs"]);
                        }};
        op.reference_f64 = [](Problem64& p) {
            split_qkv_cpu(p.f64("q"), p.f64("k"), p.f64("v"), p.f64("qkv"), p["B"], p["T"], p["NH"], p["hs"]);
        };
        op.cpu_peers = {{"backend", "split_qkv(Backend cpu, Tensor...): the path a model takes", [](Problem& p) {
                             Tensor q = p.tensor("q"), k = p.tensor("k"), v = p.tensor("v");
                             split_qkv(Backend(Device::cpu), q, k, v, p.tensor("qkv"), p["NH"]);
                         }}};
        op.versions = numbered_versions(heads_gpu_versions,
                                        {"a thread per output element (64-bit index splits)",
                                         "a block per row (b,t) and per q/k/v, threads striding over its C values"},
                                        [](Device dev, int v, Problem& p) {
                                            LADDER_GPU_CALL(dev, split_qkv, v, p.f32("q"), p.f32("k"), p.f32("v"),
                                                            p.f32("qkv"), p["B"], p["T"], p["NH"], p["hs"]);
                                        });
        op.tolerance = exact;
        op.bytes = [](const Case& c) { return 2 * 4.0 * 3 * elements(c); };
        r.add(std::move(op));
    }
    {
        // GPT-2's c_attn bias added inside the permute: one pass over (B,T,3C) instead of two (the
        // linear's bias kernel, then split_qkv). One float add per element, the same on every side:
        // exact too. Its gradient is split_qkv_backward's and linear_backward's dbias (see heads.hpp).
        OpSpec op("split_qkv_bias", "ch07", "qkv (B,T,3C) + bias (3C) -> q, k, v (B,NH,T,hs), the bias fused");
        op.test_cases = test_cases();
        op.bench_cases = bench_cases();
        op.make = [](const Case& c, Rng& rng) {
            Problem p(c);
            const std::size_t C3 = 3 * c["NH"] * c["hs"];
            fill_test_values(rng, p.add_f32("qkv", Role::in, rows_shape(c, 3)), C3);
            fill_test_values(rng, p.add_f32("bias", Role::in, Shape{C3}), C3);
            for (const char* name : {"q", "k", "v"}) p.add_f32(name, Role::out, heads_shape(c));
            return p;
        };
        op.reference = {"loops", "each hs-long run copied with its bias added", [](Problem& p) {
                            split_qkv_bias_cpu(p.f32("q"), p.f32("k"), p.f32("v"), p.f32("qkv"), p.f32("bias"), p["B"],
                                               p["T"], p["NH"], p["hs"]);
                        }};
        op.reference_f64 = [](Problem64& p) {
            split_qkv_bias_cpu(p.f64("q"), p.f64("k"), p.f64("v"), p.f64("qkv"), p.f64("bias"), p["B"], p["T"],
                               p["NH"], p["hs"]);
        };
        op.cpu_peers = {{"backend", "split_qkv_bias(Backend cpu, Tensor...): the path a model takes",
                         [](Problem& p) {
                             Tensor q = p.tensor("q"), k = p.tensor("k"), v = p.tensor("v");
                             split_qkv_bias(Backend(Device::cpu), q, k, v, p.tensor("qkv"), p.tensor("bias"), p["NH"]);
                         }}};
        op.versions = numbered_versions(heads_gpu_versions,
                                        {"split_qkv v1 with the bias added (a thread per output element)",
                                         "split_qkv v2 with the bias added (a block per row and per q/k/v)"},
                                        [](Device dev, int v, Problem& p) {
                                            LADDER_GPU_CALL(dev, split_qkv_bias, v, p.f32("q"), p.f32("k"),
                                                            p.f32("v"), p.f32("qkv"), p.f32("bias"), p["B"], p["T"],
                                                            p["NH"], p["hs"]);
                                        });
        op.tolerance = exact;
        op.flops = [](const Case& c) { return 3 * elements(c); };
        op.bytes = [](const Case& c) { return 2 * 4.0 * 3 * elements(c) + 4.0 * 3 * c["NH"] * c["hs"]; };
        r.add(std::move(op));
    }
    {
        OpSpec op("split_qkv_backward", "ch06", "dq, dk, dv (B,NH,T,hs) -> dqkv (B,T,3C) (overwritten)");
        op.test_cases = test_cases();
        op.bench_cases = bench_cases();
        op.make = [](const Case& c, Rng& rng) {
            Problem p(c);
            for (const char* name : {"dq", "dk", "dv"}) fill_test_values(rng, p.add_f32(name, Role::in, heads_shape(c)), c["hs"]);
            // Overwritten, not accumulated: an output, poisoned before each run.
            p.add_f32("dqkv", Role::out, rows_shape(c, 3));
            return p;
        };
        op.reference = {"loops", "std::copy_n of each hs-long run", [](Problem& p) {
                            split_qkv_backward_cpu(p.f32("dqkv"), p.f32("dq"), p.f32("dk"), p.f32("dv"), p["B"], p["T"],
                                                   p["NH"], p["hs"]);
                        }};
        op.cpu_peers = {{"backend", "split_qkv_backward(Backend cpu, Tensor...): the path a model takes",
                         [](Problem& p) {
                             Tensor dqkv = p.tensor("dqkv");
                             split_qkv_backward(Backend(Device::cpu), dqkv, p.tensor("dq"), p.tensor("dk"),
                                                p.tensor("dv"));
                         }}};
        op.versions = numbered_versions(heads_gpu_versions,
                                        {"a thread per element of dqkv (64-bit index splits)",
                                         "a block per row (b,t) and per dq/dk/dv, threads striding over its C values"},
                                        [](Device dev, int v, Problem& p) {
                                            LADDER_GPU_CALL(dev, split_qkv_backward, v, p.f32("dqkv"), p.f32("dq"),
                                                            p.f32("dk"), p.f32("dv"), p["B"], p["T"], p["NH"],
                                                            p["hs"]);
                                        });
        op.tolerance = exact;
        // Each element of qkv lands in exactly one of q, k, v, so d sum <dq,q> + <dk,k> + <dv,v>
        // / d qkv is that element's upstream gradient: the check finds a wrong index or a swapped
        // q and k (the central difference of a linear f is exact up to rounding).
        op.differentiates = Differentiates{
            .forward = "split_qkv",
            .outputs = {"q", "k", "v"},
            .wrt = {"qkv"},
            .backward_f64 =
                [](Problem64& p) {
                    split_qkv_backward_cpu(p.f64("dqkv"), p.f64("dq"), p.f64("dk"), p.f64("dv"), p["B"], p["T"],
                                           p["NH"], p["hs"]);
                },
            .cases = grad_cases(),
        };
        op.bytes = [](const Case& c) { return 2 * 4.0 * 3 * elements(c); };
        r.add(std::move(op));
    }
    {
        OpSpec op("merge_heads", "ch06", "inp (B,NH,T,hs) -> out (B,T,NH*hs)");
        op.test_cases = test_cases();
        op.bench_cases = bench_cases();
        op.make = [](const Case& c, Rng& rng) {
            Problem p(c);
            fill_test_values(rng, p.add_f32("inp", Role::in, heads_shape(c)), c["hs"]);
            p.add_f32("out", Role::out, rows_shape(c, 1));
            return p;
        };
        op.reference = {"loops", "std::copy_n of each hs-long run", [](Problem& p) {
                            merge_heads_cpu(p.f32("out"), p.f32("inp"), p["B"], p["T"], p["NH"], p["hs"]);
                        }};
        op.reference_f64 = [](Problem64& p) {
            merge_heads_cpu(p.f64("out"), p.f64("inp"), p["B"], p["T"], p["NH"], p["hs"]);
        };
        op.cpu_peers = {{"backend", "merge_heads(Backend cpu, Tensor...): the path a model takes", [](Problem& p) {
                             Tensor out = p.tensor("out");
                             merge_heads(Backend(Device::cpu), out, p.tensor("inp"));
                         }}};
        op.versions = numbered_versions(heads_gpu_versions,
                                        {"a thread per output element (64-bit index splits)",
                                         "a block per row (b,t), threads striding over its C values"},
                                        [](Device dev, int v, Problem& p) {
                                            LADDER_GPU_CALL(dev, merge_heads, v, p.f32("out"), p.f32("inp"), p["B"],
                                                            p["T"], p["NH"], p["hs"]);
                                        });
        op.tolerance = exact;
        op.bytes = [](const Case& c) { return 2 * 4.0 * elements(c); };
        r.add(std::move(op));
    }
    {
        OpSpec op("merge_heads_backward", "ch06", "dout (B,T,NH*hs) -> dinp (B,NH,T,hs) (overwritten)");
        op.test_cases = test_cases();
        op.bench_cases = bench_cases();
        op.make = [](const Case& c, Rng& rng) {
            Problem p(c);
            fill_test_values(rng, p.add_f32("dout", Role::in, rows_shape(c, 1)), c["NH"] * c["hs"]);
            p.add_f32("dinp", Role::out, heads_shape(c));
            return p;
        };
        op.reference = {"loops", "std::copy_n of each hs-long run", [](Problem& p) {
                            merge_heads_backward_cpu(p.f32("dinp"), p.f32("dout"), p["B"], p["T"], p["NH"], p["hs"]);
                        }};
        op.cpu_peers = {{"backend", "merge_heads_backward(Backend cpu, Tensor...): the path a model takes",
                         [](Problem& p) {
                             Tensor dinp = p.tensor("dinp");
                             merge_heads_backward(Backend(Device::cpu), dinp, p.tensor("dout"));
                         }}};
        op.versions = numbered_versions(heads_gpu_versions,
                                        {"a thread per element of dinp (64-bit index splits)",
                                         "a block per row (b,t), threads striding over its C values"},
                                        [](Device dev, int v, Problem& p) {
                                            LADDER_GPU_CALL(dev, merge_heads_backward, v, p.f32("dinp"),
                                                            p.f32("dout"), p["B"], p["T"], p["NH"], p["hs"]);
                                        });
        op.tolerance = exact;
        // out[b][t][h*hs + i] = inp[b][h][t][i]: d sum <dout, out> / d inp[b][h][t][i] is
        // dout[b][t][h*hs + i], the inverse permutation.
        op.differentiates = Differentiates{
            .forward = "merge_heads",
            .outputs = {"out"},
            .wrt = {"inp"},
            .backward_f64 =
                [](Problem64& p) {
                    merge_heads_backward_cpu(p.f64("dinp"), p.f64("dout"), p["B"], p["T"], p["NH"], p["hs"]);
                },
            .cases = grad_cases(),
        };
        op.bytes = [](const Case& c) { return 2 * 4.0 * elements(c); };
        r.add(std::move(op));
    }
}

}  // namespace ladder
