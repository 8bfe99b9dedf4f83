// spmm_op.cpp: the registry entry for spmm: cases, inputs, versions and the error bound.
// Introduced in ch02.
#include <algorithm>
#include <cmath>

#include "core/gpu_dispatch.hpp"
#include "kernels/registry.hpp"
#include "kernels/error_bounds.hpp"
#include "kernels/spmm/spmm.hpp"
#include "kernels/tfidf/random_csr.hpp"

namespace ladder {

namespace {

SpmmDims dims_of(const Problem& p) {
    const Case& c = p.sizes();
    SpmmDims d{.R = c["R"], .K = c["K"], .N = c["N"], .ta = c.get("ta", 0) != 0};
    d.alpha = c.get("alpha_neg", 0) ? -0.5f : 1.0f;
    d.beta = d.ta || c.get("beta", 0) ? 1.0f : 0.0f;
    return d;
}

Problem make(const Case& c, Rng& rng) {
    Problem p(c);
    const std::size_t R = c["R"], K = c["K"], N = c["N"];
    const bool ta = c.get("ta", 0) != 0, accumulate = ta || c.get("beta", 0);
    const RandomCsr m = random_csr(rng, R, K, c["L"]);
    std::ranges::copy(m.row_ptr, p.add_i32("row_ptr", Role::in, Shape{R + 1}).begin());
    std::ranges::copy(m.col, p.add_i32("col", Role::in, Shape{m.col.size()}).begin());
    fill_test_values(rng, p.add_f32("val", Role::in, Shape{m.col.size()}), 16);
    fill_test_values(rng, p.add_f32("b", Role::in, ta ? Shape{R, N} : Shape{K, N}), N);
    auto out = p.add_f32("c", accumulate ? Role::inout : Role::out, ta ? Shape{K, N} : Shape{R, N});
    if (accumulate) fill_test_values(rng, out, N);
    return p;
}

// Element (i, j) of C is a sum of n products plus alpha and beta terms, n = the length of
// row i (forward) or the number of rows holding column k (A^T; bounded by R): the dot
// product bound of kernels/error_bounds.hpp, 2 gamma_{n+2} (2 |alpha| S + |beta| |c_new|),
// with S = sum |a||b| over its terms, from the reference run on |A| and |B| in double.
std::map<std::string, std::vector<double>> bounds(const Problem& ref) {
    SpmmDims d = dims_of(ref);
    const std::size_t c_rows = d.ta ? d.K : d.R, b_rows = d.ta ? d.R : d.K, nnz = ref.buffer("col").shape.numel();
    const std::int32_t* row_ptr = ref.i32("row_ptr");
    std::vector<double> abs_val(nnz), abs_b(b_rows * d.N), s(c_rows * d.N, 0.0);
    for (std::size_t p = 0; p < nnz; ++p) abs_val[p] = std::fabs(ref.f32("val")[p]);
    for (std::size_t i = 0; i < abs_b.size(); ++i) abs_b[i] = std::fabs(ref.f32("b")[i]);
    SpmmDims dd = d;
    dd.alpha = 1;
    dd.beta = 1;  // s starts at 0 and accumulates
    spmm_cpu(s.data(), row_ptr, ref.i32("col"), abs_val.data(), abs_b.data(), dd);
    std::size_t n = 0;
    if (d.ta)
        n = d.R;
    else
        for (std::size_t i = 0; i < d.R; ++i)
            n = std::max<std::size_t>(n, static_cast<std::size_t>(row_ptr[i + 1] - row_ptr[i]));
    dot_product_bounds(s, n, d.alpha, d.beta, ref.f32("c"));
    return {{"c", std::move(s)}};
}

}  // namespace

void register_spmm(Registry& r) {
    OpSpec op("spmm", "ch02", "C (R,N) = alpha A B + beta C, or C (K,N) += alpha A^T B; A sparse (CSR)");
    // Rows shorter and longer than a warp (L = 2..60), N below and above 32 (1, 3, 11, 40),
    // row counts off the block size, empty rows, beta = 1, alpha = -0.5, and the transposed
    // (atomic) form with rows that share columns (small K).
    // A (R,K) with about L entries per row; N columns of B and C.
    const std::initializer_list<std::string_view> dims = {"R", "K", "N", "L", "ta?", "beta?", "alpha_neg?"};
    op.test_cases = cases(dims, {{1, 1, 1, 1, 0, 0, 0},
                                 {7, 20, 3, 4, 0, 0, 0},
                                 {33, 100, 11, 10, 0, 0, 0},
                                 {65, 500, 40, 30, 0, 0, 0},
                                 {200, 1000, 5, 60, 0, 1, 0},
                                 {50, 300, 11, 20, 0, 0, 1},
                                 {1, 1, 1, 1, 1, 0, 0},
                                 {7, 20, 3, 4, 1, 0, 0},
                                 {130, 40, 11, 12, 1, 0, 1},
                                 {65, 500, 40, 30, 1, 0, 0}});
    op.bench_cases =
        cases(dims, {{3000, 20000, 11, 35, 0, 0, 0}, {3000, 20000, 11, 35, 1, 0, 0}, {20000, 30000, 11, 35, 0, 0, 0}});
    op.make = make;
    op.reference = {"loops", "for every entry a_ik: C[i,:] += alpha a_ik B[k,:]", [](Problem& p) {
                        spmm_cpu(p.f32("c"), p.i32("row_ptr"), p.i32("col"), p.f32("val"), p.f32("b"), dims_of(p));
                    }};
    op.cpu_peers = {{"backend", "spmm(Backend cpu, Tensor...): the path the classifiers take", [](Problem& p) {
                         const SpmmDims d = dims_of(p);
                         const Backend cpu(Device::cpu);
                         Tensor c = p.tensor("c");
                         spmm(cpu, c, p.tensor("row_ptr"), p.tensor("col"), p.tensor("val"), d.K, p.tensor("b"), d.ta,
                              d.alpha, d.beta);
                     }}};
    op.versions = numbered_versions(
        spmm_gpu_versions,
        {"one thread per output (A^T: per B element, atomics)", "one warp per row, entries broadcast by __shfl_sync"},
        [](Device dev, int v, Problem& p) {
            LADDER_GPU_CALL(dev, spmm, v, p.f32("c"), p.i32("row_ptr"), p.i32("col"), p.f32("val"), p.f32("b"),
                            dims_of(p));
        });
    op.error_bounds = bounds;
    op.flops = [](const Case& c) { return 2.0 * c["R"] * c["L"] * c["N"]; };
    op.bytes = [](const Case& c) {
        return 8.0 * c["R"] * c["L"] + 4.0 * c["R"] * c["L"] * c["N"] + 4.0 * c["R"] * c["N"];
    };
    r.add(std::move(op));
}

}  // namespace ladder
