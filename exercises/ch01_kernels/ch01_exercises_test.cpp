// ch01_exercises_test.cpp: checks chapter 1's exercises against the reference kernels,
// on fresh random inputs with outputs poisoned (an element you forget shows up as NaN).
// Tags [ch01][ex1.N]: `./ladder exercise ch01` runs them in order.
#include "core/gpu_dispatch.hpp"
#include "exercises/ch01_kernels/exercises.hpp"
#include "exercises/common/exercise.hpp"

using namespace ladder;

namespace {
// C = A B without transposes, sizes that are not multiples of 16.
std::vector<Case> plain_matmul_cases() {
    std::vector<Case> out;
    for (auto [m, n, k] : {std::array<std::size_t, 3>{1, 1, 1}, {7, 5, 3}, {16, 16, 16}, {33, 17, 65}, {70, 33, 50}})
        out.push_back(Case{{{"M", m}, {"N", n}, {"K", k}}});
    return out;
}
}  // namespace

TEST_CASE("ex1.1 matmul_loops matches OpenBLAS", "[ch01][ex1.1]") {
    exercise::check_cpu_exercise(
        "ex1.1", registry().get("matmul"), plain_matmul_cases(),
        [](Problem& p) { ex01::matmul_loops(p.f32("c"), p.f32("a"), p.f32("b"), p["M"], p["N"], p["K"]); },
        "c[i * N + j] = sum over k of a[i * K + k] * b[k * N + j]; check which index runs over which size.");
}

TEST_CASE("ex1.2 vector_add_kernel matches the reference", "[ch01][ex1.2]") {
    const OpSpec& op = registry().get("vector_add");
    exercise::check_gpu_exercise(
        "ex1.2", op, op.test_cases,
        [](Device d, Problem& p) { LADDER_GPU_CALL(d, ex01::vector_add_kernel, p.f32("out"), p.f32("a"), p.f32("b"), p["n"]); },
        "if the first elements are right and later ones are NaN, your grid is too small: blocks = ceil_div(n, threads).");
}

TEST_CASE("ex1.3 matmul_naive matches OpenBLAS", "[ch01][ex1.3]") {
    exercise::check_gpu_exercise(
        "ex1.3", registry().get("matmul"), plain_matmul_cases(),
        [](Device d, Problem& p) {
            LADDER_GPU_CALL(d, ex01::matmul_naive, p.f32("c"), p.f32("a"), p.f32("b"), p["M"], p["N"], p["K"]);
        },
        "x of the grid should pick the column j (< N) and y the row i (< M); return early outside C.");
}

TEST_CASE("ex1.4 matmul_tiled matches OpenBLAS", "[ch01][ex1.4]") {
    exercise::check_gpu_exercise(
        "ex1.4", registry().get("matmul"), plain_matmul_cases(),
        [](Device d, Problem& p) {
            LADDER_GPU_CALL(d, ex01::matmul_tiled, p.f32("c"), p.f32("a"), p.f32("b"), p["M"], p["N"], p["K"]);
        },
        "load 0 for tile elements outside A or B, and put __syncthreads() both after loading and after using a tile.");
}
