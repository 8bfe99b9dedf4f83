// attention_cpu.cpp: causal attention on the CPU, naive and fused, forward and backward,
// T = float or double (double for the gradient checks). Layouts in attention.hpp.
// Each head is cut into tiles of kQueryTile queries. A tile's queries [i0, i1) only see the
// keys [0, i1): its scores are one (i1 - i0, i1) matrix product (cblas gemm), so the causal
// mask halves the work instead of computing the whole (T, T) square and throwing half away.
//   naive: the scores of a tile go straight into att (BH,T,T); the backward reads them back.
//   fused: the scores of a tile live in a scratch of kQueryTile x T values that the next tile
//          reuses; the backward recomputes them from q, k and lse (the log of each softmax's
//          denominator), so nothing of size T^2 outlives a tile.
// Introduced in ch06.
#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <type_traits>
#include <vector>

#include "core/error.hpp"
#include "kernels/attention/attention.hpp"
#include "kernels/fast_math.hpp"
#include "kernels/row_sum.hpp"

namespace ladder {

namespace {

constexpr std::size_t kQueryTile = 64;   // queries per tile: a few hundred KB of scores at T = 2048

// C (M,N) = alpha op(A) op(B) + beta C, row-major with leading dimensions (cblas; float or double).
template <class T>
void gemm(bool ta, bool tb, std::size_t M, std::size_t N, std::size_t K, T alpha, const T* A, std::size_t lda,
          const T* B, std::size_t ldb, T beta, T* C, std::size_t ldc) {
    const auto i = [](std::size_t n) { return static_cast<int>(n); };
    const CBLAS_TRANSPOSE a = ta ? CblasTrans : CblasNoTrans, b = tb ? CblasTrans : CblasNoTrans;
    if constexpr (std::is_same_v<T, float>)
        cblas_sgemm(CblasRowMajor, a, b, i(M), i(N), i(K), alpha, A, i(lda), B, i(ldb), beta, C, i(ldc));
    else
        cblas_dgemm(CblasRowMajor, a, b, i(M), i(N), i(K), alpha, A, i(lda), B, i(ldb), beta, C, i(ldc));
}

// exp(x) for x <= 0: the vectorisable float version (within 1 ulp), std::exp in double.
template <class T>
T exp_np(T x) {
    if constexpr (std::is_same_v<T, float>) return exp_nonpositive(x);
    else return std::exp(x);
}

// [book:attention-softmax-row]
// Row t of a causal softmax: x[0..n) (n = t + 1 keys) becomes its probabilities, and the
// return value is lse = max + log sum_s exp(x_s - max), what the fused backward needs to
// recompute them: p_s = exp(x_s - lse).
template <class T>
T softmax_row(T* x, std::size_t n) {
    T m = x[0];
    for (std::size_t s = 1; s < n; ++s) m = x[s] > m ? x[s] : m;
    for (std::size_t s = 0; s < n; ++s) x[s] = exp_np(x[s] - m);   // <= 0: no overflow
    const T S = row_sum<T>(x, nullptr, n);
    for (std::size_t c = 0; c < n; ++c) x[c] /= S;   // S >= 1: the max's own term is 1
    return m + std::log(S);
}
// [/book]

void check_sizes(const char* what, std::size_t T_, std::size_t hs) {
    LADDER_CHECK(T_ > 0 && hs > 0, "{}: T = {} and hs = {} must both be at least 1", what, T_, hs);
}

}  // namespace

// [book:attention-forward-cpu]
template <class T>
void attention_forward_cpu(T* out, T* att, const T* q, const T* k, const T* v, std::size_t BH, std::size_t T_,
                           std::size_t hs, T scale) {
    check_sizes("attention_forward_cpu", T_, hs);
    for (std::size_t bh = 0; bh < BH; ++bh) {
        const T *q_h = q + bh * T_ * hs, *k_h = k + bh * T_ * hs, *v_h = v + bh * T_ * hs;   // (T,hs) each
        T* att_h = att + bh * T_ * T_;                                                       // (T,T)
        for (std::size_t i0 = 0; i0 < T_; i0 += kQueryTile) {
            const std::size_t i1 = std::min(T_, i0 + kQueryTile), rows = i1 - i0;   // keys [0, i1)
            T* a = att_h + i0 * T_;   // the tile's rows of att, leading dimension T
            // scores (rows, i1) = scale q[i0:i1] k[0:i1]^T
            gemm<T>(false, true, rows, i1, hs, scale, q_h + i0 * hs, hs, k_h, hs, T(0), a, T_);
            for (std::size_t t = i0; t < i1; ++t) {
                T* a_t = att_h + t * T_;
                softmax_row(a_t, t + 1);                    // the keys s <= t
                std::fill(a_t + t + 1, a_t + T_, T(0));     // the mask: later keys get exactly 0
            }
            // out[i0:i1] (rows, hs) = att[i0:i1, 0:i1] v[0:i1]
            gemm<T>(false, false, rows, hs, i1, T(1), a, T_, v_h, hs, T(0), out + (bh * T_ + i0) * hs, hs);
        }
    }
}
// [/book]

// [book:attention-backward-cpu]
// With y = att v, att = softmax(scores), scores = scale q k^T (masked):
//   dv = att^T dout,  datt = dout v^T,  dpreatt_ts = att_ts (datt_ts - sum_s' att_ts' datt_ts'),
//   dq = scale dpreatt k,  dk = scale dpreatt^T q.
template <class T>
void attention_backward_cpu(T* dq, T* dk, T* dv, T* dpreatt, const T* dout, const T* q, const T* k, const T* v,
                            const T* att, std::size_t BH, std::size_t T_, std::size_t hs, T scale) {
    check_sizes("attention_backward_cpu", T_, hs);
    for (std::size_t bh = 0; bh < BH; ++bh) {
        const std::size_t o = bh * T_ * hs;
        const T *q_h = q + o, *k_h = k + o, *v_h = v + o, *dout_h = dout + o;
        T *dq_h = dq + o, *dk_h = dk + o, *dv_h = dv + o;
        const T* att_h = att + bh * T_ * T_;
        T* dpre_h = dpreatt + bh * T_ * T_;
        std::fill(dk_h, dk_h + T_ * hs, T(0));   // every tile adds its queries' share
        std::fill(dv_h, dv_h + T_ * hs, T(0));
        for (std::size_t i0 = 0; i0 < T_; i0 += kQueryTile) {
            const std::size_t i1 = std::min(T_, i0 + kQueryTile), rows = i1 - i0;
            const T* a = att_h + i0 * T_;
            T* d = dpre_h + i0 * T_;
            // datt (rows, i1) = dout[i0:i1] v[0:i1]^T, then the softmax's backward in place
            gemm<T>(false, true, rows, i1, hs, T(1), dout_h + i0 * hs, hs, v_h, hs, T(0), d, T_);
            for (std::size_t t = i0; t < i1; ++t) {
                const T* a_t = att_h + t * T_;
                T* d_t = dpre_h + t * T_;
                const T rowsum = row_sum(a_t, static_cast<const T*>(d_t), t + 1);
                for (std::size_t s = 0; s <= t; ++s) d_t[s] = a_t[s] * (d_t[s] - rowsum);
                std::fill(d_t + t + 1, d_t + T_, T(0));
            }
            gemm<T>(false, false, rows, hs, i1, scale, d, T_, k_h, hs, T(0), dq_h + i0 * hs, hs);
            gemm<T>(true, false, i1, hs, rows, scale, d, T_, q_h + i0 * hs, hs, T(1), dk_h, hs);
            gemm<T>(true, false, i1, hs, rows, T(1), a, T_, dout_h + i0 * hs, hs, T(1), dv_h, hs);
        }
    }
}
// [/book]

// [book:attention-fused-forward-cpu]
template <class T>
void attention_fused_forward_cpu(T* out, T* lse, const T* q, const T* k, const T* v, std::size_t BH, std::size_t T_,
                                 std::size_t hs, T scale) {
    check_sizes("attention_fused_forward_cpu", T_, hs);
    std::vector<T> scratch(std::min(T_, kQueryTile) * T_);   // one tile's scores: not (T,T)
    for (std::size_t bh = 0; bh < BH; ++bh) {
        const T *q_h = q + bh * T_ * hs, *k_h = k + bh * T_ * hs, *v_h = v + bh * T_ * hs;
        for (std::size_t i0 = 0; i0 < T_; i0 += kQueryTile) {
            const std::size_t i1 = std::min(T_, i0 + kQueryTile), rows = i1 - i0;
            T* a = scratch.data();   // (rows, i1), leading dimension i1
            gemm<T>(false, true, rows, i1, hs, scale, q_h + i0 * hs, hs, k_h, hs, T(0), a, i1);
            for (std::size_t t = i0; t < i1; ++t) {
                T* a_t = a + (t - i0) * i1;
                lse[bh * T_ + t] = softmax_row(a_t, t + 1);
                std::fill(a_t + t + 1, a_t + i1, T(0));
            }
            gemm<T>(false, false, rows, hs, i1, T(1), a, i1, v_h, hs, T(0), out + (bh * T_ + i0) * hs, hs);
        }
    }
}
// [/book]

// [book:attention-fused-backward-cpu]
// The same gradients as the naive backward, with att recomputed a tile at a time:
// att_ts = exp(scale q_t . k_s - lse_t), and sum_s att_ts datt_ts = dout_t . out_t (both are
// dout_t . sum_s att_ts v_s), a dot product of hs values instead of t + 1.
template <class T>
void attention_fused_backward_cpu(T* dq, T* dk, T* dv, const T* dout, const T* q, const T* k, const T* v, const T* out,
                                  const T* lse, std::size_t BH, std::size_t T_, std::size_t hs, T scale) {
    check_sizes("attention_fused_backward_cpu", T_, hs);
    const std::size_t tile = std::min(T_, kQueryTile);
    std::vector<T> p_buf(tile * T_), d_buf(tile * T_);   // a tile's att and dpreatt
    for (std::size_t bh = 0; bh < BH; ++bh) {
        const std::size_t o = bh * T_ * hs;
        const T *q_h = q + o, *k_h = k + o, *v_h = v + o, *dout_h = dout + o, *out_h = out + o;
        T *dq_h = dq + o, *dk_h = dk + o, *dv_h = dv + o;
        std::fill(dk_h, dk_h + T_ * hs, T(0));
        std::fill(dv_h, dv_h + T_ * hs, T(0));
        for (std::size_t i0 = 0; i0 < T_; i0 += kQueryTile) {
            const std::size_t i1 = std::min(T_, i0 + kQueryTile), rows = i1 - i0;
            T *p = p_buf.data(), *d = d_buf.data();   // (rows, i1) each, leading dimension i1
            gemm<T>(false, true, rows, i1, hs, scale, q_h + i0 * hs, hs, k_h, hs, T(0), p, i1);
            gemm<T>(false, true, rows, i1, hs, T(1), dout_h + i0 * hs, hs, v_h, hs, T(0), d, i1);
            for (std::size_t t = i0; t < i1; ++t) {
                T *p_t = p + (t - i0) * i1, *d_t = d + (t - i0) * i1;
                const T l = lse[bh * T_ + t];
                const T rowsum = row_sum(dout_h + t * hs, out_h + t * hs, hs);
                for (std::size_t s = 0; s <= t; ++s) {
                    p_t[s] = exp_np(p_t[s] - l);   // <= 0 up to rounding: lse >= every score
                    d_t[s] = p_t[s] * (d_t[s] - rowsum);
                }
                std::fill(p_t + t + 1, p_t + i1, T(0));
                std::fill(d_t + t + 1, d_t + i1, T(0));
            }
            gemm<T>(false, false, rows, hs, i1, scale, d, i1, k_h, hs, T(0), dq_h + i0 * hs, hs);
            gemm<T>(true, false, i1, hs, rows, scale, d, i1, q_h + i0 * hs, hs, T(1), dk_h, hs);
            gemm<T>(true, false, i1, hs, rows, T(1), p, i1, dout_h + i0 * hs, hs, T(1), dv_h, hs);
        }
    }
}
// [/book]

#define LADDER_ATTENTION_INSTANTIATE(T)                                                                            \
    template void attention_forward_cpu<T>(T*, T*, const T*, const T*, const T*, std::size_t, std::size_t,         \
                                           std::size_t, T);                                                        \
    template void attention_backward_cpu<T>(T*, T*, T*, T*, const T*, const T*, const T*, const T*, const T*,      \
                                            std::size_t, std::size_t, std::size_t, T);                             \
    template void attention_fused_forward_cpu<T>(T*, T*, const T*, const T*, const T*, std::size_t, std::size_t,   \
                                                 std::size_t, T);                                                  \
    template void attention_fused_backward_cpu<T>(T*, T*, T*, const T*, const T*, const T*, const T*, const T*,    \
                                                  const T*, std::size_t, std::size_t, std::size_t, T);
LADDER_ATTENTION_INSTANTIATE(float)
LADDER_ATTENTION_INSTANTIATE(double)
#undef LADDER_ATTENTION_INSTANTIATE

}  // namespace ladder
