// softmax_xent_cpu.cpp: the CPU references for softmax cross-entropy, forward (vectorised
// loops) and backward (xtensor). Shapes in softmax_xent.hpp. Introduced in ch02.
#include <array>
#include <cmath>
#include <type_traits>

#include <xtensor/xadapt.hpp>
#include <xtensor/xmath.hpp>
#include <xtensor/xnoalias.hpp>
#include <xtensor/xreducer.hpp>

#include "core/error.hpp"
#include "kernels/fast_math.hpp"
#include "kernels/softmax_xent/softmax_xent.hpp"

namespace ladder {

namespace {
void check_targets(const std::int32_t* targets, std::size_t B, std::size_t V) {
    for (std::size_t b = 0; b < B; ++b)
        LADDER_CHECK(targets[b] >= 0 && static_cast<std::size_t>(targets[b]) < V,
                     "softmax_xent: targets[{}] = {} is not a class in [0, {})", b, targets[b], V);
}
}  // namespace

// [book:softmax-xent-forward-cpu]
template <class T>
void softmax_xent_forward_cpu(T* losses, T* probs, const T* logits, const std::int32_t* targets, std::size_t B,
                              std::size_t V) {
    check_targets(targets, B, V);
    // Row by row, each step a loop the compiler vectorises: the max, the exponentials (in
    // float exp_nonpositive from fast_math.hpp, in double std::exp), their sum (in eight
    // running partial sums), the division.
    for (std::size_t b = 0; b < B; ++b) {
        const T* x = logits + b * V;                                  // (V) this row's logits
        T* p = probs + b * V;                                         // (V) its probabilities
        T m = x[0];
        for (std::size_t v = 1; v < V; ++v) m = x[v] > m ? x[v] : m;  // row max, for stability
        for (std::size_t v = 0; v < V; ++v) {
            if constexpr (std::is_same_v<T, float>) p[v] = exp_nonpositive(x[v] - m);   // exp(x - max) <= 1
            else p[v] = std::exp(x[v] - m);
        }
        std::array<T, 8> part{};
        std::size_t v = 0;
        for (; v + 8 <= V; v += 8)
            for (std::size_t j = 0; j < 8; ++j) part[j] += p[v + j];
        T s = 0;
        for (; v < V; ++v) s += p[v];
        for (const T q : part) s += q;                                // the normaliser
        for (std::size_t u = 0; u < V; ++u) p[u] /= s;                // sums to 1
        // loss = -log p_t = log s - (x_t - max): no log of a tiny probability.
        losses[b] = std::log(s) - (x[targets[b]] - m);
    }
}
// [/book]

// [book:softmax-xent-backward-cpu]
template <class T>
void softmax_xent_backward_cpu(T* dlogits, const T* probs, const std::int32_t* targets, const T* dlosses, std::size_t B,
                               std::size_t V, T scale) {
    check_targets(targets, B, V);
    auto p = xt::adapt(probs, B * V, xt::no_ownership(), std::array{B, V});     // (B,V)
    auto g = xt::adapt(dlogits, B * V, xt::no_ownership(), std::array{B, V});   // (B,V)
    // forward: loss_b = log sum_v exp(x_bv) - x_bt, so d loss_b / d x_bv = p_bv - [v == t].
    for (std::size_t b = 0; b < B; ++b) {
        const T factor = dlosses[b] / scale;
        for (std::size_t v = 0; v < V; ++v)
            g(b, v) = (p(b, v) - (static_cast<std::int32_t>(v) == targets[b] ? T(1) : T(0))) * factor;
    }
}
// [/book]

template void softmax_xent_forward_cpu<float>(float*, float*, const float*, const std::int32_t*, std::size_t,
                                              std::size_t);
template void softmax_xent_forward_cpu<double>(double*, double*, const double*, const std::int32_t*, std::size_t,
                                               std::size_t);
template void softmax_xent_backward_cpu<float>(float*, const float*, const std::int32_t*, const float*, std::size_t,
                                               std::size_t, float);
template void softmax_xent_backward_cpu<double>(double*, const double*, const std::int32_t*, const double*, std::size_t,
                                                std::size_t, double);

}  // namespace ladder
