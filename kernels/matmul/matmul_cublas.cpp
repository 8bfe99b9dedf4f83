// matmul_cublas.cpp: C = alpha op(A) op(B) + beta C through cublasSgemm, the peer of the
// CUDA versions in `ladder bench ch01`. Built only with the CUDA Toolkit. Introduced in ch01.
#include <cublas_v2.h>
#include <mutex>

#include "core/error.hpp"
#include "kernels/matmul/matmul.hpp"

namespace ladder {

namespace {
cublasHandle_t handle() {
    static cublasHandle_t h = nullptr;
    static std::once_flag once;
    std::call_once(once, [] {
        const cublasStatus_t s = cublasCreate(&h);
        LADDER_CHECK(s == CUBLAS_STATUS_SUCCESS, "cublasCreate failed: {}", cublasGetStatusString(s));
        // Plain fp32 arithmetic, like our kernels: no TF32 tensor-core shortcut.
        cublasSetMathMode(h, CUBLAS_PEDANTIC_MATH);
    });
    return h;
}
}  // namespace

void matmul_cublas(float* c, const float* a, const float* b, const MatmulDims& d) {
    // cuBLAS is column-major. A row-major (M,N) C is a column-major (N,M) C^T, and
    // C^T = op(B)^T op(A)^T: swap the operands and the roles of M and N.
    const int M = static_cast<int>(d.M), N = static_cast<int>(d.N), K = static_cast<int>(d.K);
    const cublasStatus_t s = cublasSgemm(handle(), d.tb ? CUBLAS_OP_T : CUBLAS_OP_N, d.ta ? CUBLAS_OP_T : CUBLAS_OP_N,
                                         N, M, K, &d.alpha, b, d.tb ? K : N, a, d.ta ? M : K, &d.beta, c, N);
    LADDER_CHECK(s == CUBLAS_STATUS_SUCCESS, "cublasSgemm failed: {}", cublasGetStatusString(s));
}

}  // namespace ladder
