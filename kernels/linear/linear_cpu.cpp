// linear_cpu.cpp: the CPU references of the linear layer, forward and backward, with xtensor
// on adapted pointers and xt::blas::gemm. inp (N,C), weight (OC,C), bias (OC), out (N,OC). Introduced in ch05.
#include <array>

#include <xtensor-blas/xblas.hpp>
#include <xtensor/xadapt.hpp>
#include <xtensor/xnoalias.hpp>
#include <xtensor/xreducer.hpp>

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
    xt::blas::gemm(x, w, y, false, true, T(1), T(0));                           // (N, OC) = x w^T
    if (bias == nullptr) return;
    auto b = xt::adapt(bias, OC, xt::no_ownership(), std::array{OC});           // (OC)
    y += b;                                                                     // (N, OC), b broadcast over rows
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
        auto db = xt::adapt(dbias, OC, xt::no_ownership(), std::array{OC});      // (OC)
        auto col_sum = xt::eval(xt::sum(dy, {0}));                               // (OC)  materialize reducers
        xt::noalias(db) += col_sum;                                              // (OC)
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
