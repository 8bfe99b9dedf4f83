// Exercise 8.5: gradient accumulation, how a training run uses a batch larger than fits in
// memory. The loss of a batch of B rows is the mean of the rows' losses, so its gradient is the
// mean of the rows' gradients. Cut the batch into k micro-batches of B/k rows; the backward pass
// of micro-batch j gives g_j, the mean gradient over its B/k rows. Then
//   (1/B) sum over all B rows = (1/k) sum_j (k/B) sum over micro-batch j's rows = (1/k) sum_j g_j,
// so adding g_j / k into an accumulator for j = 1 .. k leaves exactly the batch's gradient (up
// to rounding), and the optimizer steps once with it: the same step as the whole batch at once,
// with the memory of one micro-batch. Introduced in ch08 (nanoGPT divides each micro-batch's loss
// by k before its backward pass, which is the same scaling; the test computes a small linear
// model's gradient both ways).
#include "core/error.hpp"
#include "exercises/ch08_pretraining/exercises.hpp"

namespace ladder::ex08 {

// Code plan: check k >= 1 with LADDER_CHECK (k = 0 micro-batches would divide by zero); then
// acc[i] += g[i] / k for i < n, in float (convert k once: const float kf = static_cast<float>(k)).
// Hint: add, never assign: acc holds the earlier micro-batches' share (the test starts it with
// values), and zeroing it is the caller's job, once per batch (zero_grad).
void accumulate_micro_batch(float* acc, const float* g, std::size_t n, std::size_t k) {
    // TODO(ex8.5): the check, then the scaled addition.
    throw NotImplemented("exercise 8.5: accumulate_micro_batch (exercises/ch08_pretraining/grad_accumulation.cpp)");
}

}  // namespace ladder::ex08
