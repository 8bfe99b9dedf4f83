// ch02_exercises_test.cpp: checks chapter 2's exercises against the references: the word
// splitter against core/text's, the CPU and CUDA kernels through the equivalence harness
// (fresh inputs, outputs poisoned). Tags [ch02][ex2.N]: `./ladder exercise ch02` runs them in order.
#include "core/gpu_dispatch.hpp"
#include "core/text.hpp"
#include "exercises/ch02_bag_of_words/exercises.hpp"
#include "exercises/common/exercise.hpp"

using namespace ladder;

TEST_CASE("ex2.1 split_words matches core/text on English, accents and Korean", "[ch02][ex2.1]") {
    const char* texts[] = {"Dog bites man!",
                           "Don't panic -- it's 42 o\u2019clock.",
                           "Cre\u0300me BRU\u0302LE\u0301E, s'il vous pla\u00eet",
                           "\ud55c\uad6d\uc5b4\ub97c \ubc30\uc6c1\ub2c8\ub2e4. \uc548\ub155!",
                           "STRASSE Stra\u00dfe 'quoted' rock'n'roll 5'6",
                           "",
                           "  ,,, !!"};
    for (const char* t : texts) {
        const std::vector<std::string> expected = ladder::split_words(t);
        const std::vector<std::string> got = ex02::split_words(t);
        INFO("text: \"" << t << "\"");
        if (got != expected) {
            std::string e, g;
            for (const auto& w : expected) e += "[" + w + "] ";
            for (const auto& w : got) g += "[" + w + "] ";
            FAIL("ex2.1: expected " << e << "\n  got " << g
                                     << "\n  hint: case-fold and compose first (casefold_nfc), then split on anything that "
                                        "is not a letter, mark or digit; keep ' only between two letters.");
        }
    }
}

TEST_CASE("ex2.2 tfidf_rows matches the reference", "[ch02][ex2.2]") {
    const OpSpec& op = registry().get("tfidf");
    exercise::check_cpu_exercise(
        "ex2.2", op, op.test_cases,
        [](Problem& p) {
            ex02::tfidf_rows(p.f32("out"), p.i32("row_ptr"), p.i32("col"), p.f32("counts"), p.f32("idf"), p["R"]);
        },
        "weight = counts[j] * idf[col[j]], then divide every weight of the row by sqrt(sum of the row's squared "
        "weights); a row's entries are j in [row_ptr[r], row_ptr[r+1]).");
}

TEST_CASE("ex2.3 topk_rows matches the reference", "[ch02][ex2.3]") {
    const OpSpec& op = registry().get("topk");
    exercise::check_cpu_exercise(
        "ex2.3", op, op.test_cases,
        [](Problem& p) { ex02::topk_rows(p.f32("values"), p.i32("indices"), p.f32("x"), p["rows"], p["cols"], p["k"]); },
        "sort column indices by value, largest first; equal values: smaller column first. Write k per row at r * k.");
}

TEST_CASE("ex2.4 histogram_atomic matches the reference", "[ch02][ex2.4]") {
    const OpSpec& op = registry().get("histogram");
    exercise::check_gpu_exercise(
        "ex2.4", op, op.test_cases,
        [](Device d, Problem& p) { LADDER_GPU_CALL(d, ex02::histogram_atomic, p.i32("counts"), p.i32("ids"), p["n"], p["bins"]); },
        "counts never written (poison): zero them with cudaMemset first; counts too small: use atomicAdd, and enough "
        "blocks (ceil_div(n, threads)); skip ids < 0 or >= bins.");
}

TEST_CASE("ex2.5 histogram_shared matches the reference", "[ch02][ex2.5]") {
    const OpSpec& op = registry().get("histogram");
    std::vector<Case> cases;   // the registry's cases that fit the exercise's shared histogram
    for (const Case& c : op.test_cases)
        if (c["bins"] <= ex02_shared_max_bins) cases.push_back(c);
    exercise::check_gpu_exercise(
        "ex2.5", op, cases,
        [](Device d, Problem& p) { LADDER_GPU_CALL(d, ex02::histogram_shared, p.i32("counts"), p.i32("ids"), p["n"], p["bins"]); },
        "zero the shared histogram, __syncthreads, count with a grid-stride loop, __syncthreads, then add each non-zero "
        "bin to counts with atomicAdd; counts themselves start at zero (cudaMemset).");
}
