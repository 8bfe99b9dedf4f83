// Exercise 3.1: look up rows of an embedding table by id, on the CPU.
// table (V,D) row-major, ids (B) in [0, V), out (B,D). Introduced in ch03
// (book/ch03_word2vec.md, "An embedding is a row of a table").
#include "core/error.hpp"
#include "exercises/ch03_word2vec/exercises.hpp"

namespace ladder::ex03 {

// Hint: row b of out is a copy of row ids[b] of table: D floats starting at
// table + ids[b] * D. Use std::size_t for the index arithmetic.
void gather_loops(float* out, const float* table, const std::int32_t* ids, std::size_t B, std::size_t V, std::size_t D) {
    // TODO(ex3.1): two loops, over b < B and j < D.
    throw NotImplemented("exercise 3.1: gather_loops (exercises/ch03_word2vec/gather_loops.cpp)");
}

}  // namespace ladder::ex03
