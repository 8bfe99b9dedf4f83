// Exercise 2.2: TF-IDF rows of unit length, on the CPU.
// row_ptr (rows+1), col (nnz), counts (nnz), idf (V) -> out (nnz). Introduced in ch02
// (book/ch02_bag_of_words.md, "TF-IDF").
#include "core/error.hpp"
#include "exercises/ch02_bag_of_words/exercises.hpp"

namespace ladder::ex02 {

// For every row r and every entry j of it (row_ptr[r] <= j < row_ptr[r+1]):
//   w[j]   = counts[j] * idf[col[j]]            (a frequent word in this document, rare elsewhere, weighs most)
//   out[j] = w[j] / sqrt(sum of w^2 over the row) (so that a dot product of two rows is their cosine)
// A row with no entries has nothing to write. out may hold NaN before you write it.
// Hint: two passes over the row: one for the sum of squares, one to write.
void tfidf_rows(float* out, const std::int32_t* row_ptr, const std::int32_t* col, const float* counts, const float* idf,
                std::size_t rows) {
    // TODO(ex2.2): loop over rows, then over each row's entries.
    throw NotImplemented("exercise 2.2: tfidf_rows (exercises/ch02_bag_of_words/tfidf_rows.cpp)");
}

}  // namespace ladder::ex02
