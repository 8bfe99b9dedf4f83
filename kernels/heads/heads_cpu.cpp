// heads_cpu.cpp: the CPU references of the head permutes (layouts in heads.hpp). Each
// hs-long run of a head's row is contiguous on both sides, so a permute is B*T*NH (times 3
// for q, k, v) copies of hs values: plain loops and std::copy_n, no xtensor needed.
// Introduced in ch06.
#include <algorithm>

#include "kernels/heads/heads.hpp"

namespace ladder {

namespace {

// The two layouts of one element, as offsets of the start of its hs-long run:
//   rows  (B,T,G,NH,hs): the layer's rows, G = 3 (q, k, v side by side) or 1 (merged heads)
//   heads (B,NH,T,hs):   one tensor per g
struct Runs {
    std::size_t B, T, NH, hs;
    std::size_t row(std::size_t b, std::size_t t, std::size_t G, std::size_t g, std::size_t h) const {
        return ((b * T + t) * G + g) * NH * hs + h * hs;
    }
    std::size_t head(std::size_t b, std::size_t h, std::size_t t) const { return ((b * NH + h) * T + t) * hs; }
};

}  // namespace

// [book:heads-cpu]
// q[b][h][t][:] = qkv[b][t][0*C + h*hs : ...], k from 1*C, v from 2*C.
template <class T>
void split_qkv_cpu(T* q, T* k, T* v, const T* qkv, std::size_t B, std::size_t T_, std::size_t NH, std::size_t hs) {
    const Runs r{B, T_, NH, hs};
    T* const dst[3] = {q, k, v};
    for (std::size_t b = 0; b < B; ++b)
        for (std::size_t t = 0; t < T_; ++t)
            for (std::size_t g = 0; g < 3; ++g)
                for (std::size_t h = 0; h < NH; ++h) std::copy_n(qkv + r.row(b, t, 3, g, h), hs, dst[g] + r.head(b, h, t));
}

// The same with the bias added on the way: q[b][h][t][i] = qkv[b][t][h*hs + i] + bias[h*hs + i], ...
template <class T>
void split_qkv_bias_cpu(T* q, T* k, T* v, const T* qkv, const T* bias, std::size_t B, std::size_t T_, std::size_t NH,
                        std::size_t hs) {
    const Runs r{B, T_, NH, hs};
    T* const dst[3] = {q, k, v};
    for (std::size_t b = 0; b < B; ++b)
        for (std::size_t t = 0; t < T_; ++t)
            for (std::size_t g = 0; g < 3; ++g)
                for (std::size_t h = 0; h < NH; ++h) {
                    const T* src = qkv + r.row(b, t, 3, g, h);
                    const T* add = bias + r.row(0, 0, 3, g, h);   // the bias is one row's worth (3C)
                    T* out = dst[g] + r.head(b, h, t);
                    for (std::size_t i = 0; i < hs; ++i) out[i] = src[i] + add[i];
                }
}

// out[b][t][h*hs : (h+1)*hs] = inp[b][h][t][:]
template <class T>
void merge_heads_cpu(T* out, const T* inp, std::size_t B, std::size_t T_, std::size_t NH, std::size_t hs) {
    const Runs r{B, T_, NH, hs};
    for (std::size_t b = 0; b < B; ++b)
        for (std::size_t t = 0; t < T_; ++t)
            for (std::size_t h = 0; h < NH; ++h) std::copy_n(inp + r.head(b, h, t), hs, out + r.row(b, t, 1, 0, h));
}
// [/book]

// The gradient of a permutation is the inverse permutation: each element of dqkv receives
// exactly one element of dq, dk or dv (overwritten, not accumulated).
template <class T>
void split_qkv_backward_cpu(T* dqkv, const T* dq, const T* dk, const T* dv, std::size_t B, std::size_t T_,
                            std::size_t NH, std::size_t hs) {
    const Runs r{B, T_, NH, hs};
    const T* const src[3] = {dq, dk, dv};
    for (std::size_t b = 0; b < B; ++b)
        for (std::size_t t = 0; t < T_; ++t)
            for (std::size_t g = 0; g < 3; ++g)
                for (std::size_t h = 0; h < NH; ++h) std::copy_n(src[g] + r.head(b, h, t), hs, dqkv + r.row(b, t, 3, g, h));
}

template <class T>
void merge_heads_backward_cpu(T* dinp, const T* dout, std::size_t B, std::size_t T_, std::size_t NH, std::size_t hs) {
    const Runs r{B, T_, NH, hs};
    for (std::size_t b = 0; b < B; ++b)
        for (std::size_t t = 0; t < T_; ++t)
            for (std::size_t h = 0; h < NH; ++h) std::copy_n(dout + r.row(b, t, 1, 0, h), hs, dinp + r.head(b, h, t));
}

#define LADDER_HEADS_INSTANTIATE(T)                                                                                    \
    template void split_qkv_cpu<T>(T*, T*, T*, const T*, std::size_t, std::size_t, std::size_t, std::size_t);           \
    template void split_qkv_bias_cpu<T>(T*, T*, T*, const T*, const T*, std::size_t, std::size_t, std::size_t,          \
                                        std::size_t);                                                                  \
    template void split_qkv_backward_cpu<T>(T*, const T*, const T*, const T*, std::size_t, std::size_t, std::size_t,    \
                                            std::size_t);                                                              \
    template void merge_heads_cpu<T>(T*, const T*, std::size_t, std::size_t, std::size_t, std::size_t);                 \
    template void merge_heads_backward_cpu<T>(T*, const T*, std::size_t, std::size_t, std::size_t, std::size_t);
LADDER_HEADS_INSTANTIATE(float)
LADDER_HEADS_INSTANTIATE(double)
#undef LADDER_HEADS_INSTANTIATE

}  // namespace ladder
