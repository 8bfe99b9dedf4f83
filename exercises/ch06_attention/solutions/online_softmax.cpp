// Solution to exercise 6.2: the online softmax's merge, and a row's softmax with it.
#include <cmath>

#include "exercises/ch06_attention/exercises.hpp"

namespace ladder::ex06 {

MaxSum merge_max_sum(MaxSum a, MaxSum b) {
    const MaxSum hi = a.max >= b.max ? a : b, lo = a.max >= b.max ? b : a;
    if (lo.max == -INFINITY) return hi;   // lo adds nothing (and -inf - -inf would be NaN)
    return MaxSum{hi.max, hi.sum + lo.sum * std::exp(lo.max - hi.max)};
}

void softmax_online(float* out, const float* inp, std::size_t C) {
    MaxSum st;   // the empty state {-inf, 0}
    for (std::size_t c = 0; c < C; ++c) st = merge_max_sum(st, MaxSum{inp[c], 1.0f});
    for (std::size_t c = 0; c < C; ++c) out[c] = std::exp(inp[c] - st.max) / st.sum;
}

}  // namespace ladder::ex06
