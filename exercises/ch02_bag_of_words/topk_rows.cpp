// Exercise 2.3: the k largest values of each row and where they are, on the CPU: the last
// step of cosine search (the best documents for a query). x (rows, cols) -> values,
// indices (rows, k). Introduced in ch02 (book/ch02_bag_of_words.md, "Search").
#include "core/error.hpp"
#include "exercises/ch02_bag_of_words/exercises.hpp"

namespace ladder::ex02 {

// Requirements: for each row r, values[r*k + i] and indices[r*k + i] (i < k) hold the i-th
// largest value of row r and its column; equal values are ordered by the smaller column
// first. k <= cols.
// Hint: std::partial_sort (or std::nth_element + sort) on a vector of column indices 0..cols-1
// with a comparator "x[a] > x[b], or x[a] == x[b] and a < b" is all it takes.
void topk_rows(float* values, std::int32_t* indices, const float* x, std::size_t rows, std::size_t cols, std::size_t k) {
    // TODO(ex2.3): per row, order the column indices and keep the first k.
    throw NotImplemented("exercise 2.3: topk_rows (exercises/ch02_bag_of_words/topk_rows.cpp)");
}

}  // namespace ladder::ex02
