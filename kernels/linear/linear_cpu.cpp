// linear_cpu.cpp: the CPU references of the linear layer, forward and backward, with xtensor
// on adapted pointers and xt::blas::gemm. inp (N,C), weight (OC,C), bias (OC), out (N,OC). Introduced in ch05.
#include <algorithm>
#include <array>

#include <xtensor-blas/xblas.hpp>
#include <xtensor/xadapt.hpp>

#include "kernels/linear/linear.hpp"

namespace ladder {

// [book:linear-cpu]
template <class T>
void linear_forward_cpu(T* out, const T* inp, const T* weight, const T* bias, std::size_t N, std::size_t C,
                        std::size_t OC) {
    if (N == 0 || OC == 0) return;
    auto x = xt::adapt(inp, N * C, xt::no_ownership(), std::array{N, C});       // (N, C)
    auto w = xt::adapt(weight, OC * C, xt::no_ownership(), std::array{OC, C});  // (OC, C)
    auto y = xt::adapt(out, N * OC, xt::no_ownership(), std::array{N, OC});     // (N, OC)
    if (bias == nullptr) {
        xt::blas::gemm(x, w, y, false, true, T(1), T(0));                       // (N, OC) = x w^T
        return;
    }
    // Every row starts as the bias and sgemm adds x w^T to it (beta = 1): one pass over out
    // instead of a second, broadcast one after the product.
    for (std::size_t n = 0; n < N; ++n) std::copy(bias, bias + OC, out + n * OC);   // (N, OC) = b
    xt::blas::gemm(x, w, y, false, true, T(1), T(1));                           // (N, OC) += x w^T
}

// Every gradient accumulates (beta = 1, +=): they are gradient buffers.
template <class T>
void linear_backward_cpu(T* dinp, T* dweight, T* dbias, const T* dout, const T* inp, const T* weight, std::size_t N,
                         std::size_t C, std::size_t OC) {
    if (N == 0 || OC == 0) return;
    auto dy = xt::adapt(dout, N * OC, xt::no_ownership(), std::array{N, OC});    // (N, OC)
    auto x = xt::adapt(inp, N * C, xt::no_ownership(), std::array{N, C});        // (N, C)
    auto w = xt::adapt(weight, OC * C, xt::no_ownership(), std::array{OC, C});   // (OC, C)
    auto dw = xt::adapt(dweight, OC * C, xt::no_ownership(), std::array{OC, C}); // (OC, C)
    // forward: out[n][o] = sum_c inp[n][c] weight[o][c] + bias[o]
    xt::blas::gemm(dy, x, dw, true, false, T(1), T(1));                          // (OC, C) += dy^T x
    if (dinp != nullptr) {
        auto dx = xt::adapt(dinp, N * C, xt::no_ownership(), std::array{N, C});  // (N, C)
        xt::blas::gemm(dy, w, dx, false, false, T(1), T(1));                     // (N, C) += dy w
    }
    if (dbias != nullptr) {
        // The column sums of dout, row by row: each row is added whole (contiguous, vectorised),
        // where xt::sum over axis 0 would stride down the columns.
        for (std::size_t n = 0; n < N; ++n) {
            const T* dy_n = dout + n * OC;
            for (std::size_t o = 0; o < OC; ++o) dbias[o] += dy_n[o];            // (OC) += dout[n]
        }
    }
}
// [/book]

template void linear_forward_cpu<float>(float*, const float*, const float*, const float*, std::size_t, std::size_t,
                                        std::size_t);
template void linear_forward_cpu<double>(double*, const double*, const double*, const double*, std::size_t,
                                         std::size_t, std::size_t);
template void linear_backward_cpu<float>(float*, float*, float*, const float*, const float*, const float*, std::size_t,
                                         std::size_t, std::size_t);
template void linear_backward_cpu<double>(double*, double*, double*, const double*, const double*, const double*,
                                          std::size_t, std::size_t, std::size_t);

}  // namespace ladder
