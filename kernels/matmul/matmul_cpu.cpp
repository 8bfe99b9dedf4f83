// matmul_cpu.cpp: the CPU reference (xtensor + OpenBLAS) and the naive triple loop.
// Shapes as in matmul.hpp. Introduced in ch01.
#include <array>

#include <xtensor-blas/xblas.hpp>
#include <xtensor/xadapt.hpp>

#include "core/error.hpp"
#include "kernels/matmul/matmul.hpp"

namespace ladder {

// [book:matmul-cpu]
template <class T>
void matmul_cpu(T* c, const T* a, const T* b, const MatmulDims& d) {
    const std::array a_shape = d.ta ? std::array{d.K, d.M} : std::array{d.M, d.K};
    const std::array b_shape = d.tb ? std::array{d.N, d.K} : std::array{d.K, d.N};
    auto A = xt::adapt(a, d.M * d.K, xt::no_ownership(), a_shape);                 // (M,K) or (K,M)
    auto B = xt::adapt(b, d.K * d.N, xt::no_ownership(), b_shape);                 // (K,N) or (N,K)
    auto C = xt::adapt(c, d.M * d.N, xt::no_ownership(), std::array{d.M, d.N});    // (M,N)
    // One sgemm/dgemm call; transposes cost no copy; beta = 0 never reads C.
    xt::blas::gemm(A, B, C, d.ta, d.tb, static_cast<T>(d.alpha), static_cast<T>(d.beta));
}
// [/book]

template void matmul_cpu<float>(float*, const float*, const float*, const MatmulDims&);
template void matmul_cpu<double>(double*, const double*, const double*, const MatmulDims&);

// [book:matmul-loops]
void matmul_cpu_loops(float* c, const float* a, const float* b, const MatmulDims& d) {
    for (std::size_t i = 0; i < d.M; ++i) {
        for (std::size_t j = 0; j < d.N; ++j) {
            float acc = 0.0f;
            for (std::size_t k = 0; k < d.K; ++k) {
                const float a_ik = d.ta ? a[k * d.M + i] : a[i * d.K + k];
                const float b_kj = d.tb ? b[j * d.K + k] : b[k * d.N + j];
                acc += a_ik * b_kj;
            }
            float* c_ij = c + i * d.N + j;
            *c_ij = d.beta == 0.0f ? d.alpha * acc : d.alpha * acc + d.beta * *c_ij;
        }
    }
}
// [/book]

}  // namespace ladder
