// Exercise 3.3: skip-gram with negative sampling, forward and backward, on the CPU.
// For pair b: u = w_in[in_ids[b]] (D), v_k = w_out[out_ids[b][k]] (D) for k < K1; k = 0 is
// the true context (label 1), the others are negatives (label 0).
//   s_k = u . v_k
//   loss[b] = -log sigmoid(s_0) - sum_{k>=1} log sigmoid(-s_k)
//   g_k = sigmoid(s_k) - label_k
//   d_in[b] = sum_k g_k v_k          (D)
//   d_out[b][k] = g_k u              (K1,D)
// Introduced in ch03 (book/ch03_word2vec.md, "The gradient").
#include "core/error.hpp"
#include "exercises/ch03_word2vec/exercises.hpp"

namespace ladder::ex03 {

// Hint: -log sigmoid(x) = log(1 + exp(-x)); write it as max(-x, 0) + log1p(exp(-|x|)) so a
// large |x| cannot overflow. Keep the K1 values g_k in a small array (K1 <= 32).
void sgns_loops(float* loss, float* d_in, float* d_out, const float* w_in, const float* w_out,
                const std::int32_t* in_ids, const std::int32_t* out_ids, const SgnsDims& d) {
    // TODO(ex3.3): for each pair b: the K1 scores and g_k, loss[b], then d_out and d_in.
    throw NotImplemented("exercise 3.3: sgns_loops (exercises/ch03_word2vec/sgns_loops.cpp)");
}

}  // namespace ladder::ex03
