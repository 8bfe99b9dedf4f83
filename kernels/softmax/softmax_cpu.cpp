// softmax_cpu.cpp: the CPU references for the row softmax (forward, backward) and the causal
// mask, T = float or double. inp, out, dout, dinp (R,C); scores (BH,T,T). Introduced in ch06.
// Plain loops, a row at a time over contiguous memory, that the compiler turns into vector
// instructions: chapter 6's attention on the CPU runs the softmax over B*NH*T rows of T.
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <type_traits>

#include "core/error.hpp"
#include "kernels/fast_math.hpp"
#include "kernels/row_sum.hpp"
#include "kernels/softmax/softmax.hpp"

namespace ladder {

namespace {

// The max of x[0..n), in 16 running maxima (one vector register of floats on AVX-512, four
// on SSE): a single running max is a loop-carried dependency the compiler cannot vectorise
// without reordering, and max is exact in any order, so the result is the same.
template <class T>
T row_max(const T* x, std::size_t n) {
    std::array<T, 16> part;
    part.fill(-std::numeric_limits<T>::infinity());
    std::size_t c = 0;
    for (; c + 16 <= n; c += 16)
        for (std::size_t j = 0; j < 16; ++j) part[j] = x[c + j] > part[j] ? x[c + j] : part[j];
    T m = -std::numeric_limits<T>::infinity();
    for (; c < n; ++c) m = x[c] > m ? x[c] : m;
    for (const T q : part) m = q > m ? q : m;
    return m;
}

// row_sum: kernels/row_sum.hpp.

// The length of x[0..n) without its trailing run of -inf. Whole blocks of 16 are tested with a
// count (a loop that vectorises: the scan then runs at memory speed, 3x the element-by-element
// loop measured here), the last few one by one.
template <class T>
std::size_t unmasked_length(const T* x, std::size_t n) {
    constexpr T neg_inf = -std::numeric_limits<T>::infinity();
    while (n >= 16) {
        int masked = 0;
        for (std::size_t j = 0; j < 16; ++j) masked += x[n - 16 + j] == neg_inf;
        if (masked != 16) break;
        n -= 16;
    }
    while (n > 0 && x[n - 1] == neg_inf) --n;
    return n;
}

}  // namespace

// [book:softmax-forward-cpu]
template <class T>
void softmax_forward_cpu(T* out, const T* inp, std::size_t R, std::size_t C) {
    if (C == 0) return;
    for (std::size_t r = 0; r < R; ++r) {
        const T* x_r = inp + r * C;   // (C) this row's scores
        T* y_r = out + r * C;         // (C) its probabilities
        // A causally masked row ends in a run of -inf (row t of a (T,T) block keeps t + 1
        // entries): their probabilities are exactly 0 and the rest is the softmax of the
        // first n, so the exponentials of the masked half of an attention matrix are skipped.
        const std::size_t n = unmasked_length(x_r, C);
        LADDER_CHECK(n > 0, "softmax_forward_cpu: row {} of ({}, {}) holds no finite value (every entry is -inf)", r,
                     R, C);
        std::fill(y_r + n, y_r + C, T(0));
        const T m = row_max(x_r, n);   // exact; x - m <= 0, so no exp overflows
        for (std::size_t c = 0; c < n; ++c) {
            // exp(-inf - m) = 0: a masked entry inside the row gets exactly 0 too.
            if constexpr (std::is_same_v<T, float>) y_r[c] = exp_nonpositive(x_r[c] - m);   // within 1 ulp
            else y_r[c] = std::exp(x_r[c] - m);
        }
        const T s = row_sum<T>(y_r, nullptr, n);   // >= 1: the max's own term is exp(0) = 1
        for (std::size_t c = 0; c < n; ++c) y_r[c] /= s;
    }
}
// [/book]

// [book:softmax-backward-cpu]
// forward: y_c = exp(x_c) / sum_j exp(x_j), so dy_c/dx_k = y_c ([c == k] - y_k) and
//   dinp_k = sum_c dout_c y_c ([c == k] - y_k) = y_k (dout_k - sum_c dout_c y_c).
// dinp is OVERWRITTEN (the scores it is the gradient of feed nothing else).
template <class T>
void softmax_backward_cpu(T* dinp, const T* out, const T* dout, std::size_t R, std::size_t C) {
    for (std::size_t r = 0; r < R; ++r) {
        const T* y_r = out + r * C;     // (C)
        const T* dy_r = dout + r * C;   // (C)
        T* dx_r = dinp + r * C;         // (C)
        const T d = row_sum(dout + r * C, y_r, C);   // sum_c dout_c y_c
        for (std::size_t c = 0; c < C; ++c) dx_r[c] = y_r[c] * (dy_r[c] - d);
    }
}
// [/book]

// [book:causal-mask-cpu]
// scores[bh][t][s] = -inf for s > t: the key s comes after the query t.
template <class T>
void causal_mask_cpu(T* scores, std::size_t BH, std::size_t T_) {
    for (std::size_t bh = 0; bh < BH; ++bh)
        for (std::size_t t = 0; t < T_; ++t) {
            T* s_bht = scores + (bh * T_ + t) * T_;   // (T) query t's scores over the keys
            std::fill(s_bht + t + 1, s_bht + T_, -std::numeric_limits<T>::infinity());
        }
}
// [/book]

template void softmax_forward_cpu<float>(float*, const float*, std::size_t, std::size_t);
template void softmax_forward_cpu<double>(double*, const double*, std::size_t, std::size_t);
template void softmax_backward_cpu<float>(float*, const float*, const float*, std::size_t, std::size_t);
template void softmax_backward_cpu<double>(double*, const double*, const double*, std::size_t, std::size_t);
template void causal_mask_cpu<float>(float*, std::size_t, std::size_t);
template void causal_mask_cpu<double>(double*, std::size_t, std::size_t);

}  // namespace ladder
