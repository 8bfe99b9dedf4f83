// Exercise 6.3: the causal mask on the GPU. scores (BH,T,T) is a device pointer, changed in
// place: scores[bh][t][s] = -inf for every key s after the query t (s > t), so that after the
// softmax a position never attends to a later one; the diagonal and below stay as they are.
// Introduced in ch06 (a language model's attention; the softmax op's causal_mask is the reference).
#include "core/kernel.hpp"
#include "exercises/ch06_attention/exercises.hpp"

namespace ladder::LADDER_GPU_NS::ex06 {

// Hint: one thread per element of scores, BH * T * T of them (in std::size_t): i =
// blockIdx.x * blockDim.x + threadIdx.x, nothing to do past the end. The element's key is
// s = i % T and its query t = (i / T) % T. Write -INFINITY where s > t and leave every other
// element as it is: those are the scores the softmax needs.
static __global__ void causal_mask_ex_kernel(float* scores, std::size_t BH, std::size_t T) {
    // TODO(ex6.3): compute i, return past BH * T * T, then mask when s > t.
}

void causal_mask_kernel(float* scores, std::size_t BH, std::size_t T) {
    // TODO(ex6.3): if (BH * T == 0) return; then
    // launch(causal_mask_ex_kernel, dim3(ceil_div(BH * T * T, 256)), dim3(256), 0, 0, scores, BH, T);
    // and delete the throw below.
    throw NotImplemented("exercise 6.3: causal_mask_kernel (exercises/ch06_attention/causal_mask_kernel.cu)");
}

}  // namespace ladder::LADDER_GPU_NS::ex06
