// tfidf_op.cpp: the registry entry for tfidf. Introduced in ch02.
#include <algorithm>
#include <cmath>

#include "core/gpu_dispatch.hpp"
#include "kernels/registry.hpp"
#include "kernels/tfidf/random_csr.hpp"
#include "kernels/tfidf/tfidf.hpp"

namespace ladder {

namespace {

// R rows, V columns (words), about L entries per row.

Problem make(const Case& c, Rng& rng) {
    Problem p(c);
    const RandomCsr m = random_csr(rng, c["R"], c["V"], c["L"]);
    const std::size_t nnz = m.col.size();
    std::ranges::copy(m.row_ptr, p.add_i32("row_ptr", Role::in, Shape{c["R"] + 1}).begin());
    std::ranges::copy(m.col, p.add_i32("col", Role::in, Shape{nnz}).begin());
    // Counts are what a document has: small positive integers (1..6).
    fill_small_ints(rng, p.add_f32("counts", Role::in, Shape{nnz}), 1, 6);
    // idf = ln((1 + N) / (1 + df)) + 1 lies in [1, ~10] for any corpus under 10^4 documents.
    rng.fill_uniform(p.add_f32("idf", Role::in, Shape{c["V"]}), 1.0f, 10.0f);
    p.add_f32("out", Role::out, Shape{nnz});
    return p;
}

// Each implementation: w = c * idf (1 rounding), w*w (1), a sum of L non-negative terms in
// any order (relative error gamma_{L-1} <= (L-1) u, Higham 3.1 with |sum| = sum of |terms|),
// so sum_sq is within (L + 1) u; sqrt halves that and adds u; the division adds u, and w
// carries its own u: out is within ((L + 1)/2 + 3) u of exact, relative. Two implementations
// differ by at most twice that: (L + 7) u |out|, per element, L the length of its row.
// (sqrtf and the division are correctly rounded in CUDA by default, as on the CPU.)
std::map<std::string, std::vector<double>> bounds(const Problem& ref) {
    const std::int32_t* row_ptr = ref.i32("row_ptr");
    const float* out = ref.f32("out");
    const std::size_t R = ref["R"];
    std::vector<double> b(static_cast<std::size_t>(row_ptr[R]));
    constexpr double u = 0x1.0p-24;
    for (std::size_t r = 0; r < R; ++r) {
        const auto L = static_cast<double>(row_ptr[r + 1] - row_ptr[r]);
        for (std::int32_t j = row_ptr[r]; j < row_ptr[r + 1]; ++j) b[j] = (L + 7) * u * std::fabs(out[j]) + 1e-30;
    }
    return {{"out", std::move(b)}};
}

}  // namespace

void register_tfidf(Registry& r) {
    OpSpec op("tfidf", "ch02", "out (nnz) = counts * idf[col], each CSR row scaled to unit L2 norm");
    // One row; rows shorter and longer than a warp (L = 3, 40, 300); empty rows (about 1
    // in 10); row counts off the block size (7, 33, 1001).
    op.test_cases = cases({"R", "V", "L"}, {{1, 1, 1}, {7, 20, 3}, {33, 500, 40}, {100, 2000, 300}, {1001, 5000, 30}});
    op.bench_cases = cases({"R", "V", "L"}, {{3000, 20000, 35}, {30000, 30000, 35}});
    op.make = make;
    op.reference = {"xtensor", "per row: gather idf, multiply, divide by the L2 norm", [](Problem& p) {
                        tfidf_cpu(p.f32("out"), p.i32("row_ptr"), p.i32("col"), p.f32("counts"), p.f32("idf"), p["R"]);
                    }};
    op.versions =
        numbered_versions(tfidf_gpu_versions, {"one thread per row", "one warp per row, shuffle reduction of the norm"},
                          [](Device dev, int v, Problem& p) {
                              LADDER_GPU_CALL(dev, tfidf, v, p.f32("out"), p.i32("row_ptr"), p.i32("col"),
                                              p.f32("counts"), p.f32("idf"), p["R"]);
                          });
    op.error_bounds = bounds;
    op.flops = [](const Case& c) { return 5.0 * c["R"] * c["L"]; };
    // Reads row_ptr, col, counts, idf[col] and writes out: ~16 bytes per entry.
    op.bytes = [](const Case& c) { return 16.0 * c["R"] * c["L"] + 4.0 * c["R"]; };
    r.add(std::move(op));
}

}  // namespace ladder
