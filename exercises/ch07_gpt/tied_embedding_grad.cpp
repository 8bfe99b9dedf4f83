// Exercise 7.6: the gradient of GPT-2's tied token embedding. The one matrix wte (V,C) is used
// twice: at the bottom, token n's input row is x0[n] = wte[ids[n]] + wpe[t]; at the top, the
// logits are logits = h wte^T, h (N,C) the final layernorm's output, N = B*T positions. So wte's
// gradient is the sum of both uses:
//   output part:  logits[n][v] = sum_c h[n][c] wte[v][c]  =>  dwte[v][c] += sum_n dlogits[n][v] h[n][c]
//                 (dwte += dlogits^T h, a (V,N) x (N,C) product)
//   input part:   x0[n] = wte[ids[n]] + ...               =>  dwte[ids[n]][c] += dx0[n][c]
//                 (a scatter-add: a token that occurs twice receives both rows)
// dlogits (N,V), h (N,C), dx0 (N,C), ids (N) in [0, V); dwte (V,C) accumulates (a gradient
// buffer: never overwrite it). Introduced in ch07 (gpt2.cpp's backward does the same with
// linear_backward and embedding_scatter_add).
#include "core/error.hpp"
#include "exercises/ch07_gpt/exercises.hpp"

namespace ladder::ex07 {

// Code plan (loops, indices in std::size_t):
//   1. the output part: for each position n and vocabulary row v, with g = dlogits[n * V + v],
//      add g * h[n * C + c] to dwte[v * C + c] for c < C. (Name the rows: const float* h_n =
//      h + n * C; float* dwte_v = dwte + v * C.)
//   2. the input part: for each position n, v = ids[n] (check it is in [0, V) with LADDER_CHECK),
//      add dx0[n * C + c] to dwte[v * C + c].
// Hint: a token id that never occurs still gets the output part (every row of wte scores every
// position); one that occurs twice gets two input rows. Do not zero dwte: it already holds the
// gradient from other uses (and the test starts it with values).
void tied_embedding_grad(float* dwte, const float* dlogits, const float* h, const float* dx0, const std::int32_t* ids,
                         std::size_t N, std::size_t V, std::size_t C) {
    // TODO(ex7.6): the output part, then the input part.
    throw NotImplemented("exercise 7.6: tied_embedding_grad (exercises/ch07_gpt/tied_embedding_grad.cpp)");
}

}  // namespace ladder::ex07
