// kv_cache_op.cpp: the registry entries of the KV cache: "kv_cache_append" (a copy, compared
// exactly) and "attention_cached" (n queries at positions pos.. against the cached keys, with
// attention's bounds: attention_bounds.hpp). Introduced in ch07.
#include <cmath>
#include <vector>

#include "core/gpu_dispatch.hpp"
#include "kernels/attention/attention_bounds.hpp"
#include "kernels/error_bounds.hpp"
#include "kernels/kv_cache/kv_cache.hpp"
#include "kernels/registry.hpp"

namespace ladder {

namespace {

Shape rows_shape(const Case& c) { return Shape{c["BH"], c["n"], c["hs"]}; }
Shape cache_shape(const Case& c) { return Shape{c["BH"], c["Tmax"], c["hs"]}; }
float scale_of(const Case& c) { return 1.0f / std::sqrt(static_cast<float>(c["hs"])); }

// Decoding (n = 1) at the first, a middle and the last position; a prefill (pos 0, n = Tmax:
// causal attention over the window); a chunk in the middle; more keys than a warp's 32 lanes
// (v2's lanes take several) and fewer (some lanes have none); head sizes 1, 33 and 128.
std::vector<Case> test_cases() {
    return cases({"BH", "Tmax", "hs", "pos", "n"}, {{1, 1, 1, 0, 1},
                                                    {2, 8, 4, 0, 8},
                                                    {3, 40, 8, 0, 1},
                                                    {2, 40, 8, 17, 1},
                                                    {2, 40, 8, 39, 1},
                                                    {1, 70, 33, 30, 9},
                                                    {2, 100, 16, 0, 100},
                                                    {1, 65, 128, 64, 1}});
}
// GPT-2 small decoding: 12 heads of 64, one query after 63, 255 and 1023 cached tokens.
std::vector<Case> bench_cases() {
    return cases({"BH", "Tmax", "hs", "pos", "n"}, {{12, 64, 64, 63, 1}, {12, 256, 64, 255, 1}, {12, 1024, 64, 1023, 1}});
}

// Rows [pos, pos + n) of the caches hold the keys the queries see; the rest is filled too, so
// a kernel that reads past its query's position gives a wrong answer.
Problem make_cached(const Case& c, Rng& rng) {
    Problem p(c);
    fill_test_values(rng, p.add_f32("q", Role::in, rows_shape(c)), c["hs"]);
    fill_test_values(rng, p.add_f32("cache_k", Role::in, cache_shape(c)), c["hs"]);
    fill_test_values(rng, p.add_f32("cache_v", Role::in, cache_shape(c)), c["hs"]);
    p.add_f32("out", Role::out, rows_shape(c));
    return p;
}

// attention_cached's bounds are attention's (the comment marked attention-bounds) for queries at pos..:
// the probabilities' rho with the keys pos + t + 1, plus v2's merge: each term is rescaled at
// most 5 more times (one per butterfly level), each rescale (|m - M| + 5) u with the |m - M|
// already inside the |t_s| of the derivation: 25 u more per probability.
std::map<std::string, std::vector<double>> cached_bounds(const Problem& ref) {
    const AttentionRows rows{ref.f32("q"),  ref.f32("cache_k"), ref.f32("cache_v"), ref["BH"],
                             ref["n"],      ref["pos"],         ref["Tmax"],        ref["hs"],
                             scale_of(ref.sizes())};
    AttentionExact e = attention_exact_forward(rows);
    for (std::size_t i = 0; i < e.rho.size(); ++i)
        if (e.p[i] > 0) e.rho[i] += 25 * kFp32Unit;
    return {{"out", attention_out_bounds(e, rows)}};
}

}  // namespace

void register_kv_cache(Registry& r) {
    {
        OpSpec op("kv_cache_append", "ch07", "cache_k, cache_v (BH,Tmax,hs) rows pos.. = k, v (BH,n,hs) (a copy)");
        op.test_cases = test_cases();
        op.bench_cases = bench_cases();
        op.make = [](const Case& c, Rng& rng) {
            Problem p(c);
            fill_test_values(rng, p.add_f32("k", Role::in, rows_shape(c)), c["hs"]);
            fill_test_values(rng, p.add_f32("v", Role::in, rows_shape(c)), c["hs"]);
            // The other rows keep their values: a kernel that writes past n rows fails.
            fill_test_values(rng, p.add_f32("cache_k", Role::inout, cache_shape(c)), c["hs"]);
            fill_test_values(rng, p.add_f32("cache_v", Role::inout, cache_shape(c)), c["hs"]);
            return p;
        };
        op.reference = {"copy", "std::copy of each head's n rows", [](Problem& p) {
                            kv_cache_append_cpu(p.f32("cache_k"), p.f32("cache_v"), p.f32("k"), p.f32("v"), p["BH"],
                                                p["n"], p["Tmax"], p["hs"], p["pos"]);
                        }};
        op.cpu_peers = {{"backend", "kv_cache_append(Backend cpu, Tensor...): the path a model takes",
                         [](Problem& p) {
                             Tensor ck = p.tensor("cache_k"), cv = p.tensor("cache_v");
                             // The Tensor API's layout is (B, NH, ...): B = 1, NH = BH here.
                             Tensor ck4 = ck.reshape({1, p["BH"], p["Tmax"], p["hs"]});
                             Tensor cv4 = cv.reshape({1, p["BH"], p["Tmax"], p["hs"]});
                             kv_cache_append(Backend(Device::cpu), ck4, cv4,
                                             p.tensor("k").reshape({1, p["BH"], p["n"], p["hs"]}),
                                             p.tensor("v").reshape({1, p["BH"], p["n"], p["hs"]}), p["pos"]);
                         }}};
        op.versions = numbered_versions(kv_cache_append_gpu_versions, {"a thread per copied element"},
                                        [](Device dev, int v, Problem& p) {
                                            LADDER_GPU_CALL(dev, kv_cache_append, v, p.f32("cache_k"),
                                                            p.f32("cache_v"), p.f32("k"), p.f32("v"), p["BH"], p["n"],
                                                            p["Tmax"], p["hs"], p["pos"]);
                                        });
        op.tolerance = [](const Case&) { return Tolerance{0, 0}; };   // a copy: the same bits
        op.bytes = [](const Case& c) { return 16.0 * c["BH"] * c["n"] * c["hs"]; };
        r.add(std::move(op));
    }
    {
        OpSpec op("attention_cached", "ch07",
                  "out (BH,n,hs): queries at positions pos.. attend to the cached keys and values s <= their own");
        op.test_cases = test_cases();
        op.bench_cases = bench_cases();
        op.make = make_cached;
        op.reference = {"loops", "a query row at a time: scores, max, softmax, the weighted sum", [](Problem& p) {
                            attention_cached_cpu(p.f32("out"), p.f32("q"), p.f32("cache_k"), p.f32("cache_v"),
                                                 p["BH"], p["n"], p["Tmax"], p["hs"], p["pos"], scale_of(p.sizes()));
                        }};
        op.cpu_peers = {{"backend", "attention_cached(Backend cpu, Tensor...): the path a model takes",
                         [](Problem& p) {
                             Tensor out = p.tensor("out").reshape({1, p["BH"], p["n"], p["hs"]});
                             attention_cached(Backend(Device::cpu), out,
                                              p.tensor("q").reshape({1, p["BH"], p["n"], p["hs"]}),
                                              p.tensor("cache_k").reshape({1, p["BH"], p["Tmax"], p["hs"]}),
                                              p.tensor("cache_v").reshape({1, p["BH"], p["Tmax"], p["hs"]}), p["pos"],
                                              scale_of(p.sizes()));
                         }}};
        op.versions = numbered_versions(
            attention_cached_gpu_versions,
            {"a thread per query row, online softmax over the cached keys",
             "a warp per query row: the lanes split the keys, their states merged by shuffles"},
            [](Device dev, int v, Problem& p) {
                LADDER_GPU_CALL(dev, attention_cached, v, p.f32("out"), p.f32("q"), p.f32("cache_k"),
                                p.f32("cache_v"), p["BH"], p["n"], p["Tmax"], p["hs"], p["pos"], scale_of(p.sizes()));
            });
        op.error_bounds = cached_bounds;
        // Query t sees pos + t + 1 keys: 4 hs flops each (the score and the weighted sum).
        op.flops = [](const Case& c) {
            const double n = c["n"], keys = n * c["pos"] + n * (n + 1) / 2;
            return 4.0 * c["hs"] * c["BH"] * keys;
        };
        op.bytes = [](const Case& c) {
            return 4.0 * c["BH"] * c["hs"] * (2.0 * c["n"] + 2.0 * (c["pos"] + c["n"]));
        };
        r.add(std::move(op));
    }
}

}  // namespace ladder
