// ch03_exercises_test.cpp: checks chapter 3's exercises against the reference kernels, on
// fresh random inputs with outputs poisoned (an element you forget shows up as NaN).
// Tags [ch03][ex3.N]: `./ladder exercise ch03` runs them in order.
#include <cmath>

#include "chapters/ch03_word2vec/corpus.hpp"
#include "core/gpu_dispatch.hpp"
#include "exercises/ch03_word2vec/exercises.hpp"
#include "exercises/common/exercise.hpp"

using namespace ladder;

TEST_CASE("ex3.1 gather_loops matches the reference", "[ch03][ex3.1]") {
    const OpSpec& op = registry().get("embedding_gather");
    exercise::check_cpu_exercise(
        "ex3.1", op, op.test_cases,
        [](Problem& p) { ex03::gather_loops(p.f32("out"), p.f32("table"), p.i32("ids"), p["B"], p["V"], p["D"]); },
        "out[b * D + j] = table[ids[b] * D + j]; multiply in std::size_t, not int.");
}

TEST_CASE("ex3.2 keep_probability matches the chapter's subsampling", "[ch03][ex3.2]") {
    // A vocabulary with counts from very frequent to rare; the chapter's keep_thresholds are
    // 2^32 * p, so p agrees to about 2^-32.
    ch03::Vocab v;
    for (std::uint64_t c : {400000u, 60000u, 9000u, 700u, 50u, 5u}) {
        v.words.push_back("w" + std::to_string(c));
        v.counts.push_back(c);
        v.total += c;
    }
    for (double sample : {1e-3, 1e-4, 0.0}) {
        const auto keep = ch03::keep_thresholds(v, sample);
        for (std::size_t w = 0; w < v.size(); ++w) {
            const double expected = keep[w] == 0xffffffffu ? 1.0 : keep[w] / 4294967296.0;
            const double got = ex03::keep_probability(v.counts[w], v.total, sample);
            if (std::fabs(got - expected) > 1e-9)
                FAIL("ex3.2: count " << v.counts[w] << " of " << v.total << ", sample " << sample << ": expected "
                                     << expected << ", got " << got
                                     << "\n  hint: p = (sqrt(f / sample) + 1) * sample / f with f = count / total, at most 1");
        }
    }
}

TEST_CASE("ex3.3 sgns_loops matches the reference", "[ch03][ex3.3]") {
    const OpSpec& op = registry().get("sgns");
    exercise::check_cpu_exercise(
        "ex3.3", op, op.test_cases,
        [](Problem& p) {
            ex03::sgns_loops(p.f32("loss"), p.f32("d_in"), p.f32("d_out"), p.f32("w_in"), p.f32("w_out"), p.i32("in_ids"),
                             p.i32("out_ids"), SgnsDims{p["B"], p["K1"], p["V"], p["D"]});
        },
        "g_k = sigmoid(s_k) - 1 for k = 0 and sigmoid(s_k) for the negatives; d_in sums g_k v_k over k.");
}

TEST_CASE("ex3.4 scatter_add_kernel matches the reference", "[ch03][ex3.4]") {
    const OpSpec& op = registry().get("embedding_scatter_add");
    exercise::check_gpu_exercise(
        "ex3.4", op, op.test_cases,
        [](Device d, Problem& p) {
            LADDER_GPU_CALL(d, ex03::scatter_add_kernel, p.f32("table"), p.f32("rows"), p.i32("ids"), p["B"], p["V"],
                            p["D"], -0.5f);
        },
        "a value too small where ids repeat means lost updates: use atomicAdd; skip ids < 0.");
}

TEST_CASE("ex3.5 sgns_kernel matches the reference", "[ch03][ex3.5]") {
    const OpSpec& op = registry().get("sgns");
    exercise::check_gpu_exercise(
        "ex3.5", op, op.test_cases,
        [](Device d, Problem& p) {
            LADDER_GPU_CALL(d, ex03::sgns_kernel, p.f32("loss"), p.f32("d_in"), p.f32("d_out"), p.f32("w_in"),
                            p.f32("w_out"), p.i32("in_ids"), p.i32("out_ids"), SgnsDims{p["B"], p["K1"], p["V"], p["D"]});
        },
        "one thread per pair: blocks = ceil_div(B, 128); write every d_out[(b * K1 + k) * D + j].");
}

TEST_CASE("ex3.6 kmeans_assign_kernel matches the reference", "[ch03][ex3.6]") {
    const OpSpec& op = registry().get("kmeans_assign");
    exercise::check_gpu_exercise(
        "ex3.6", op, op.test_cases,
        [](Device d, Problem& p) {
            LADDER_GPU_CALL(d, ex03::kmeans_assign_kernel, p.i32("assign"), p.f32("dist"), p.f32("x"), p.f32("centroids"),
                            KmeansDims{p["N"], p["C"], p["D"]});
        },
        "ties must go to the smaller index: replace the best only when strictly nearer.");
}
