// matmul_cblas.cpp: cblas_sgemm called directly, with no xtensor in between: the peer that
// `ladder bench ch01` measures our reference path against. (cblas.h and xtensor-blas
// cannot share a translation unit: their enums clash.) Introduced in ch01.
#include <cblas.h>

#include "kernels/matmul/matmul.hpp"

namespace ladder {

void matmul_cpu_cblas(float* c, const float* a, const float* b, const MatmulDims& d) {
    const auto M = static_cast<int>(d.M), N = static_cast<int>(d.N), K = static_cast<int>(d.K);
    cblas_sgemm(CblasRowMajor, d.ta ? CblasTrans : CblasNoTrans, d.tb ? CblasTrans : CblasNoTrans, M, N, K, d.alpha, a,
                d.ta ? M : K, b, d.tb ? K : N, d.beta, c, N);
}

}  // namespace ladder
