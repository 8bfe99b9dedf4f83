// Solution to exercise 3.1: a row copy per id.
#include "exercises/ch03_word2vec/exercises.hpp"

namespace ladder::ex03 {

void gather_loops(float* out, const float* table, const std::int32_t* ids, std::size_t B, std::size_t V, std::size_t D) {
    (void)V;
    for (std::size_t b = 0; b < B; ++b) {
        const float* row = table + static_cast<std::size_t>(ids[b]) * D;
        for (std::size_t j = 0; j < D; ++j) out[b * D + j] = row[j];
    }
}

}  // namespace ladder::ex03
