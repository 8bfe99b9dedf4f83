// spmm_cpu.cpp: the CPU reference for spmm: for every stored entry a_ik of A, a scaled row
// of B added to a row of C (the row-by-row form of a sparse product). Shapes in spmm.hpp.
// Introduced in ch02.
#include <array>

#include <xtensor/xadapt.hpp>
#include <xtensor/xnoalias.hpp>

#include "kernels/spmm/spmm.hpp"

namespace ladder {

// [book:spmm-cpu]
template <class T>
void spmm_cpu(T* c, const std::int32_t* row_ptr, const std::int32_t* col, const T* val, const T* b, const SpmmDims& d) {
    const std::size_t c_rows = d.ta ? d.K : d.R;
    auto C = xt::adapt(c, c_rows * d.N, xt::no_ownership(), std::array{c_rows, d.N});   // (R,N) or (K,N)
    const auto alpha = static_cast<T>(d.alpha), beta = static_cast<T>(d.beta);
    if (!d.ta) {
        if (beta == 0) C.fill(0);   // beta = 0 never reads C (it may hold NaN)
        else C *= beta;
    }
    // Row by row: for every stored a_ik, add alpha a_ik times a row of B to a row of C.
    // (Rows of N = 11 classes are too short for an xtensor view to pay for itself.)
    for (std::size_t i = 0; i < d.R; ++i) {
        for (std::int32_t p = row_ptr[i]; p < row_ptr[i + 1]; ++p) {
            const auto k = static_cast<std::size_t>(col[p]);
            const T a = alpha * val[p];
            const T* b_row = d.ta ? b + i * d.N : b + k * d.N;   // B[k,:], or B[i,:] for A^T
            T* c_row = d.ta ? c + k * d.N : c + i * d.N;         // C[i,:], or C[k,:] for A^T
            for (std::size_t j = 0; j < d.N; ++j) c_row[j] += a * b_row[j];
        }
    }
}
// [/book]

template void spmm_cpu<float>(float*, const std::int32_t*, const std::int32_t*, const float*, const float*,
                              const SpmmDims&);
template void spmm_cpu<double>(double*, const std::int32_t*, const std::int32_t*, const double*, const double*,
                               const SpmmDims&);

}  // namespace ladder
