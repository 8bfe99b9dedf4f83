// Exercise 3.4: the backward of an embedding lookup: table[ids[b]] += scale * rows[b].
// table (V,D), rows (B,D), ids (B) (-1: padding, skip it) are device pointers.
// Introduced in ch03 (book/ch03_word2vec.md, "Updates that collide").
#include "core/kernel.hpp"
#include "exercises/ch03_word2vec/exercises.hpp"

namespace ladder::LADDER_GPU_NS::ex03 {

// Hint: one thread per element of rows (B * D threads): b = i / D, j = i % D. Two threads
// can add into the same table element when an id repeats, so a plain `+=` loses updates:
// use atomicAdd(address, value).
static __global__ void scatter_add_ex_kernel(float* table, const float* rows, const std::int32_t* ids, std::size_t B,
                                             std::size_t V, std::size_t D, float scale) {
    // TODO(ex3.4): compute i, return past B * D or for an id < 0, then atomicAdd.
}

void scatter_add_kernel(float* table, const float* rows, const std::int32_t* ids, std::size_t B, std::size_t V,
                        std::size_t D, float scale) {
    // TODO(ex3.4): launch(scatter_add_ex_kernel, dim3(blocks), dim3(256), 0, 0, table, rows, ids, B, V, D, scale);
    // with enough blocks for B * D threads, and delete the throw below.
    throw NotImplemented("exercise 3.4: scatter_add_kernel (exercises/ch03_word2vec/scatter_add_kernel.cu)");
}

}  // namespace ladder::LADDER_GPU_NS::ex03
