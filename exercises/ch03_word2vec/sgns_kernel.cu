// Exercise 3.5: the SGNS forward + backward as a CUDA kernel, one thread per pair.
// The same arithmetic as exercise 3.3 (see sgns_loops.cpp for the formulas); every output
// element is written by exactly one thread, so no atomics are needed.
// Introduced in ch03 (book/ch03_word2vec.md, "On the GPU").
#include "core/kernel.hpp"
#include "exercises/ch03_word2vec/exercises.hpp"

namespace ladder::LADDER_GPU_NS::ex03 {

// Hint: thread b = blockIdx.x * blockDim.x + threadIdx.x handles pair b (return when
// b >= d.B). Keep g in a local array float g[sgns_max_k1]; expf, log1pf, fabsf and fmaxf
// work in both builds.
static __global__ void sgns_ex_kernel(float* loss, float* d_in, float* d_out, const float* w_in, const float* w_out,
                                      const std::int32_t* in_ids, const std::int32_t* out_ids, SgnsDims d) {
    // TODO(ex3.5): the scores, loss[b], d_out[b][k][j] and d_in[b][j] of pair b.
}

void sgns_kernel(float* loss, float* d_in, float* d_out, const float* w_in, const float* w_out,
                 const std::int32_t* in_ids, const std::int32_t* out_ids, const SgnsDims& d) {
    // TODO(ex3.5): launch sgns_ex_kernel with one thread per pair (128 per block), delete the throw.
    throw NotImplemented("exercise 3.5: sgns_kernel (exercises/ch03_word2vec/sgns_kernel.cu)");
}

}  // namespace ladder::LADDER_GPU_NS::ex03
