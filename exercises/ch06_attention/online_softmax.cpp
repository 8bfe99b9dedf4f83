// Exercise 6.2: the online softmax (Milakov and Gimelshein 2018). A row's softmax needs its
// max and its sum of exp(x - max); the usual way reads the row twice for them (the max, then
// the sum). The online way keeps a running state (max, sum) and merges states: one pass, and
// two halves of a row (two warps, two tiles of keys) can each compute their own state and
// merge them afterwards. Chapter 10's flash attention is built on this merge.
// Introduced in ch06 (the softmax op's v4, kernels/softmax).
#include "core/error.hpp"
#include "exercises/ch06_attention/exercises.hpp"

namespace ladder::ex06 {

// Requirements for merge_max_sum(a, b):
//   * max = the larger of the two maxima; the side with the smaller max has its sum rescaled
//     by exp(its max - the larger max) (a factor <= 1, so nothing overflows):
//       {max, sum} = {a.max, a.sum + b.sum * exp(b.max - a.max)}   when a.max >= b.max
//   * careful with -inf: a side whose max is -inf (the empty set, or a masked value) adds
//     nothing. Computing exp(-inf - (-inf)) = exp(NaN) would poison the sum: return the
//     other side before that. Merging two empty states gives the empty state {-inf, 0}.
// Hint: order the two sides first (hi = the one with the larger max, lo = the other).
MaxSum merge_max_sum(MaxSum a, MaxSum b) {
    // TODO(ex6.2): hi, lo; return hi when lo.max is -inf; else the rescaled sum.
    throw NotImplemented("exercise 6.2: merge_max_sum (exercises/ch06_attention/online_softmax.cpp)");
}

// Requirements for softmax_online(out, inp, C):
//   * one pass over inp for the state: start from the empty state and merge in {x, 1} for
//     every entry x (std::size_t c = 0 .. C-1);
//   * then out[c] = exp(inp[c] - max) / sum (a masked entry gives exp(-inf) = 0).
void softmax_online(float* out, const float* inp, std::size_t C) {
    // TODO(ex6.2): the state in one pass with merge_max_sum, then the outputs.
    throw NotImplemented("exercise 6.2: softmax_online (exercises/ch06_attention/online_softmax.cpp)");
}

}  // namespace ladder::ex06
