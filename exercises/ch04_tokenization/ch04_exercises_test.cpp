// ch04_exercises_test.cpp: checks chapter 4's exercises against the chapter's library
// and reference kernels, on fresh inputs (outputs poisoned: an element you forget shows).
// Tags [ch04][ex4.N]: `./ladder exercise ch04` runs them in order.
#include <random>

#include "chapters/ch04_tokenization/pretokenize.hpp"
#include "core/fileio.hpp"
#include "core/gpu_dispatch.hpp"
#include "exercises/ch04_tokenization/exercises.hpp"
#include "exercises/common/exercise.hpp"
#include "kernels/pair_count/pair_count.hpp"

using namespace ladder;

namespace {
// Texts that exercise every rule: contractions, spaces before words and numbers, runs of
// spaces and newlines, Korean, emoji, accents, invalid bytes.
std::vector<std::string> texts() {
    std::vector<std::string> out = {"Hello world's  \n", "they're we'll I'd DON'T", "x  y\n\nz", "end   ", "a...!? b 12 345",
                                    "한국어 문장입니다.", "cafe\xcc\x81 caf\xc3\xa9", "\xff\xfe" "ab \xed\x95", "\t\tx \n y 🙂🙂"};
    std::mt19937 rng(4);
    const char* atoms[] = {"a", "Z", " ", "  ", "\n", "1", "'s", "'", "!", "한", "🙂", "\xff", "\t", "\u3000"};
    for (int k = 0; k < 200; ++k) {
        std::string s;
        for (int j = 0; j < 12; ++j) s += atoms[rng() % 14];
        out.push_back(s);
    }
    return out;
}
}  // namespace

TEST_CASE("ex4.1 byte_table matches GPT-2's", "[ch04][ex4.1]") {
    const auto got = ex04::byte_table();
    const auto& want = tok::byte_to_unicode();
    for (int b = 0; b < 256; ++b)
        if (got[b] != want[b])
            FAIL("ex4.1: byte " << b << ": expected U+" << std::hex << static_cast<unsigned>(want[b]) << ", got U+"
                                << static_cast<unsigned>(got[b]) << "\n  hint: the space (32) must become U+0120 ('Ġ').");
}

TEST_CASE("ex4.2 pretoken_end cuts text like GPT-2", "[ch04][ex4.2]") {
    for (const std::string& text : texts()) {
        for (std::size_t i = 0; i < text.size();) {
            const std::size_t want = tok::pretoken_end(text, i), got = ex04::pretoken_end(text, i);
            if (got != want)
                FAIL("ex4.2: in \"" << tok::printable(text) << "\" the piece at byte " << i << " should be \""
                                    << tok::printable(text.substr(i, want - i)) << "\", you cut \""
                                    << tok::printable(text.substr(i, got > i ? got - i : 0))
                                    << "\"\n  hint: try the rules in order; a run of spaces followed by a word gives "
                                       "its last space to the word.");
            i = want;
        }
    }
}

TEST_CASE("ex4.3 count_pairs matches the reference table", "[ch04][ex4.3]") {
    const OpSpec& op = registry().get("pair_count");
    for (const Case& c : op.test_cases) {
        const Problem host = make_problem(op, c, 1);
        Problem expected = run_reference(op, host);
        const std::int32_t* t = host.i32("tokens");
        const auto got = ex04::count_pairs(std::vector<std::int32_t>(t, t + c["n"]));
        std::map<std::pair<std::int32_t, std::int32_t>, std::int32_t> want;
        const std::int32_t* keys = expected.i32("keys");
        const std::int32_t* counts = expected.i32("counts");
        for (std::size_t s = 0; s < c["capacity"]; ++s)
            if (static_cast<std::uint32_t>(keys[s]) != kPairEmpty)
                want[{static_cast<std::int32_t>(static_cast<std::uint32_t>(keys[s]) >> 16), keys[s] & 0xFFFF}] = counts[s];
        if (got != want) {
            for (const auto& [pair, count] : want) {
                const auto it = got.find(pair);
                if (it == got.end() || it->second != count)
                    FAIL("ex4.3 on " << c.str() << ": pair (" << pair.first << ", " << pair.second << ") expected " << count
                                     << ", got " << (it == got.end() ? 0 : it->second)
                                     << "\n  hint: skip a pair when either side is -1; do not count the last token alone.");
            }
            FAIL("ex4.3 on " << c.str() << ": you count " << got.size() << " distinct pairs, expected " << want.size()
                             << "\n  hint: a pair with a -1 is not a pair.");
        }
    }
}

TEST_CASE("ex4.4 merge_pair matches the reference", "[ch04][ex4.4]") {
    const OpSpec& op = registry().get("bpe_merge");
    exercise::check_cpu_exercise(
        "ex4.4", op, op.test_cases,
        [](Problem& p) {
            const bool same = p["same"] != 0;
            ex04::merge_pair(p.i32("out"), p.i32("out_len"), p.i32("tokens"), p["n"], 1, same ? 1 : 2,
                             static_cast<std::int32_t>(p["vocab"]));
        },
        "after a merge, skip the right half (i += 2); fill out[m..n) with -1.");
}

TEST_CASE("ex4.5 pair_count_kernel matches the reference table", "[ch04][ex4.5]") {
    const OpSpec& op = registry().get("pair_count");
    exercise::check_gpu_exercise(
        "ex4.5", op, op.test_cases,
        [](Device d, Problem& p) {
            LADDER_GPU_CALL(d, ex04::pair_count_kernel, p.i32("keys"), p.i32("counts"), p["capacity"], p.i32("tokens"), p["n"]);
        },
        "never-written slots: clear the whole table first; wrong counts: count with atomicAdd in the slot atomicCAS found.");
}

TEST_CASE("ex4.6 scan_kernel matches std::exclusive_scan", "[ch04][ex4.6]") {
    std::vector<Case> cases;
    for (std::size_t n : {1, 7, 256, 257, 500, 512}) cases.push_back(Case{{{"n", n}}});
    exercise::check_gpu_exercise(
        "ex4.6", registry().get("scan"), cases,
        [](Device d, Problem& p) { LADDER_GPU_CALL(d, ex04::scan_kernel, p.i32("out"), p.i32("in"), p["n"]); },
        "out[0] must be 0 (exclusive); wrong values from the middle on usually mean a missing __syncthreads().");
}
