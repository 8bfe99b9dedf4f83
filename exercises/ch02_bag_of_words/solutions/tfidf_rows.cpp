// Solution to exercise 2.2: TF-IDF rows of unit length.
#include <cmath>

#include "core/error.hpp"
#include "exercises/ch02_bag_of_words/exercises.hpp"

namespace ladder::ex02 {

void tfidf_rows(float* out, const std::int32_t* row_ptr, const std::int32_t* col, const float* counts, const float* idf,
                std::size_t rows) {
    for (std::size_t r = 0; r < rows; ++r) {
        float sum_sq = 0.0f;
        for (std::int32_t j = row_ptr[r]; j < row_ptr[r + 1]; ++j) {
            const float w = counts[j] * idf[col[j]];
            sum_sq += w * w;
        }
        const float norm = std::sqrt(sum_sq);
        for (std::int32_t j = row_ptr[r]; j < row_ptr[r + 1]; ++j) out[j] = counts[j] * idf[col[j]] / norm;
    }
}

}  // namespace ladder::ex02
