// matmul_op.cpp: the registry entry for matmul: cases, inputs, reference, versions, and
// the error bound the comparison uses. Introduced in ch01.
#include <cmath>
#include <vector>

#include "core/backend.hpp"
#include "core/gpu_dispatch.hpp"
#include "kernels/error_bounds.hpp"
#include "kernels/matmul/matmul.hpp"
#include "kernels/registry.hpp"

namespace ladder {

namespace {

MatmulDims dims_of(const Case& c) {
    MatmulDims d;
    d.M = c["M"];
    d.N = c["N"];
    d.K = c["K"];
    d.ta = c.get("ta", 0) != 0;
    d.tb = c.get("tb", 0) != 0;
    d.beta = static_cast<float>(c.get("beta", 0));
    d.alpha = c.get("alpha_half", 0) ? 0.5f : 1.0f;
    return d;
}

Problem make(const Case& c, Rng& rng) {
    const MatmulDims d = dims_of(c);
    Problem p(c);
    auto a = p.add_f32("a", Role::in, d.ta ? Shape{d.K, d.M} : Shape{d.M, d.K});
    auto b = p.add_f32("b", Role::in, d.tb ? Shape{d.N, d.K} : Shape{d.K, d.N});
    auto out = p.add_f32("c", d.beta != 0 ? Role::inout : Role::out, Shape{d.M, d.N});
    if (c.get("ints", 0)) {
        // Small integers (CUTLASS's trick): every product and partial sum is exact in
        // fp32 while K * 4 * 4 < 2^24, so any summation order gives the same bits.
        fill_small_ints(rng, a, -4, 4);
        fill_small_ints(rng, b, -4, 4);
        fill_small_ints(rng, out, -4, 4);
    } else {
        fill_test_values(rng, a, d.K);
        fill_test_values(rng, b, d.N);
        fill_test_values(rng, out, d.N);
    }
    return p;
}

std::vector<double> abs_copy(const float* x, std::size_t n) {
    std::vector<double> v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = std::fabs(static_cast<double>(x[i]));
    return v;
}

// Each element is a dot product of K terms, scaled by alpha, plus beta c_old: the bound
// of kernels/error_bounds.hpp, 2 gamma_{K+2} (2 |alpha| S + |beta| |c_new|), holds for any
// summation order, with or without FMA. S = |op(A)| |op(B)|. Integer cases are exact: bound 0.
std::map<std::string, std::vector<double>> bounds(const Problem& ref) {
    const Case& c = ref.sizes();
    const MatmulDims d = dims_of(c);
    const std::size_t n = d.M * d.N;
    if (c.get("ints", 0)) return {{"c", std::vector<double>(n, 0.0)}};
    const auto abs_a = abs_copy(ref.f32("a"), d.M * d.K), abs_b = abs_copy(ref.f32("b"), d.K * d.N);
    std::vector<double> s(n);  // S = |op(A)| |op(B)|, in double
    MatmulDims dd = d;
    dd.alpha = 1;
    dd.beta = 0;
    matmul_cpu(s.data(), abs_a.data(), abs_b.data(), dd);
    dot_product_bounds(s, d.K, d.alpha, d.beta, ref.f32("c"));
    return {{"c", std::move(s)}};
}

}  // namespace

void register_matmul(Registry& r) {
    OpSpec op("matmul", "ch01", "C (M,N) = alpha op(A) op(B) + beta C");
    // Sizes off every block size (1, 7, 33, 65, 129), each transpose form, beta = 1,
    // and exact small-integer cases.
    op.test_cases = cases({"M", "N", "K", "ta?", "tb?", "beta?", "ints?"}, {{1, 1, 1, 0, 0, 0, 0},
                                                                           {7, 5, 3, 0, 0, 0, 0},
                                                                           {33, 17, 65, 0, 0, 0, 0},
                                                                           {64, 64, 64, 0, 0, 0, 0},
                                                                           {65, 129, 31, 0, 1, 0, 0},
                                                                           {45, 70, 100, 1, 0, 0, 0},
                                                                           {70, 33, 50, 0, 0, 1, 0},
                                                                           {20, 30, 40, 1, 1, 0, 0},
                                                                           {100, 37, 129, 0, 0, 0, 1},
                                                                           {128, 64, 200, 0, 1, 1, 1}});
    op.bench_cases = cases({"M", "N", "K"}, {{128, 128, 128}, {256, 256, 256}, {512, 512, 512}, {1024, 1024, 1024}});
    op.make = make;
    op.reference = {"blas", "xtensor + xt::blas::gemm (OpenBLAS sgemm): the reference",
                    [](Problem& p) { matmul_cpu(p.f32("c"), p.f32("a"), p.f32("b"), dims_of(p.sizes())); }};
    op.cpu_peers = {
        {"backend", "matmul(Backend cpu, Tensor...): the path a model takes",
         [](Problem& p) {
             const MatmulDims d = dims_of(p.sizes());
             // Tensor views over the problem's buffers, through the Backend dispatch.
             const Backend cpu(Device::cpu);
             Tensor c = p.tensor("c");
             matmul(cpu, c, p.tensor("a"), p.tensor("b"), d.ta, d.tb, d.alpha, d.beta);
         }},
        {"cblas", "cblas_sgemm called directly (OpenBLAS)",
         [](Problem& p) { matmul_cpu_cblas(p.f32("c"), p.f32("a"), p.f32("b"), dims_of(p.sizes())); }},
        {"loops", "the textbook triple loop",
         [](Problem& p) { matmul_cpu_loops(p.f32("c"), p.f32("a"), p.f32("b"), dims_of(p.sizes())); }},
    };
    op.versions =
        numbered_versions(matmul_gpu_versions,
                          {"one thread per output, operands from global memory", "16x16 tiles staged in shared memory",
                           "64x64 block tiles, 4x4 outputs per thread in registers",
                           "128x128 block tiles, 8x8 outputs per thread, float4 shared reads"},
                          [](Device dev, int v, Problem& p) {
                              LADDER_GPU_CALL(dev, matmul, v, p.f32("c"), p.f32("a"), p.f32("b"), dims_of(p.sizes()));
                          });
#if LADDER_WITH_CUDA
    op.gpu_peers.push_back({"cublas", "cublasSgemm (NVIDIA's library)", [](Device, Problem& p) {
                                matmul_cublas(p.f32("c"), p.f32("a"), p.f32("b"), dims_of(p.sizes()));
                            }});
#endif
    op.error_bounds = bounds;
    op.flops = [](const Case& c) { return 2.0 * c["M"] * c["N"] * c["K"]; };
    op.bytes = [](const Case& c) { return 4.0 * (c["M"] * c["K"] + c["K"] * c["N"] + c["M"] * c["N"]); };
    r.add(std::move(op));
}

}  // namespace ladder
