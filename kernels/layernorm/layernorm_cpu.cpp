// layernorm_cpu.cpp: the CPU references for layer normalisation, forward and backward, T = float
// or double. A row at a time over contiguous memory. Introduced in ch07.
#include <cmath>
#include <vector>

#include "core/error.hpp"
#include "kernels/layernorm/layernorm.hpp"

namespace ladder {

// [book:layernorm-cpu]
template <class T>
void layernorm_forward_cpu(T* out, T* mean, T* rstd, const T* inp, const T* weight, const T* bias, std::size_t R,
                           std::size_t C, T eps) {
    LADDER_CHECK(C > 0, "layernorm_forward_cpu: rows of C = 0 values have no mean");
    for (std::size_t r = 0; r < R; ++r) {
        const T* x = inp + r * C;   // (C)
        T* y = out + r * C;
        T m = 0;
        for (std::size_t c = 0; c < C; ++c) m += x[c];
        m /= static_cast<T>(C);
        T v = 0;   // the second pass: squares of the deviations, never E[x^2] - E[x]^2
        for (std::size_t c = 0; c < C; ++c) v += (x[c] - m) * (x[c] - m);
        v /= static_cast<T>(C);
        const T s = T(1) / std::sqrt(v + eps);
        for (std::size_t c = 0; c < C; ++c) y[c] = (x[c] - m) * s * weight[c] + bias[c];
        mean[r] = m;
        rstd[r] = s;
    }
}

// The residual add, then the row's layernorm, a row at a time (the sum row still in cache).
template <class T>
void residual_layernorm_forward_cpu(T* sum, T* out, T* mean, T* rstd, const T* a, const T* b, const T* weight,
                                    const T* bias, std::size_t R, std::size_t C, T eps) {
    for (std::size_t r = 0; r < R; ++r) {
        T* s = sum + r * C;
        for (std::size_t c = 0; c < C; ++c) s[c] = a[r * C + c] + b[r * C + c];
        layernorm_forward_cpu(out + r * C, mean + r, rstd + r, s, weight, bias, 1, C, eps);
    }
}

// With n = (x - mean) rstd and y = n w + b, the gradient through n of a row is
//   dx_c = rstd (dn_c - mean(dn) - n_c mean(dn n)),  dn = dout w,
// because mean and rstd depend on every x of the row (their derivatives give the two means).
template <class T>
void layernorm_backward_cpu(T* dinp, T* dweight, T* dbias, const T* dout, const T* inp, const T* weight,
                            const T* mean, const T* rstd, std::size_t R, std::size_t C) {
    for (std::size_t r = 0; r < R; ++r) {
        const T* x = inp + r * C;
        const T* dy = dout + r * C;
        T* dx = dinp + r * C;
        const T m = mean[r], s = rstd[r];
        T mean_dn = 0, mean_dn_n = 0;
        for (std::size_t c = 0; c < C; ++c) {
            const T n = (x[c] - m) * s, dn = dy[c] * weight[c];
            mean_dn += dn;
            mean_dn_n += dn * n;
            dweight[c] += dy[c] * n;
            dbias[c] += dy[c];
        }
        mean_dn /= static_cast<T>(C);
        mean_dn_n /= static_cast<T>(C);
        for (std::size_t c = 0; c < C; ++c) {
            const T n = (x[c] - m) * s, dn = dy[c] * weight[c];
            dx[c] += s * (dn - mean_dn - n * mean_dn_n);
        }
    }
}
// [/book]

template void layernorm_forward_cpu<float>(float*, float*, float*, const float*, const float*, const float*,
                                           std::size_t, std::size_t, float);
template void layernorm_forward_cpu<double>(double*, double*, double*, const double*, const double*, const double*,
                                            std::size_t, std::size_t, double);
template void residual_layernorm_forward_cpu<float>(float*, float*, float*, float*, const float*, const float*,
                                                    const float*, const float*, std::size_t, std::size_t, float);
template void residual_layernorm_forward_cpu<double>(double*, double*, double*, double*, const double*,
                                                     const double*, const double*, const double*, std::size_t,
                                                     std::size_t, double);
template void layernorm_backward_cpu<float>(float*, float*, float*, const float*, const float*, const float*,
                                            const float*, const float*, std::size_t, std::size_t);
template void layernorm_backward_cpu<double>(double*, double*, double*, const double*, const double*, const double*,
                                             const double*, const double*, std::size_t, std::size_t);

}  // namespace ladder
