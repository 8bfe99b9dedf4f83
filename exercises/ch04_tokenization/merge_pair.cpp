// Exercise 4.4: apply one merge (book: "One merge"). tokens (n) -> out (n), *out_len.
// Introduced in ch04.
#include "core/error.hpp"
#include "exercises/ch04_tokenization/exercises.hpp"

namespace ladder::ex04 {

// [a b a b b] with (a, b) -> Z gives [Z Z b]; [a a a] with (a, a) -> Z gives [Z a]: scan
// left to right, and once a pair is merged its right half is used up.
// out has room for n tokens: write the merged ones first, then fill the rest with -1
// (out holds NaN-like garbage before you write it), and store how many there are.
void merge_pair(std::int32_t* out, std::int32_t* out_len, const std::int32_t* tokens, std::size_t n, std::int32_t left,
                std::int32_t right, std::int32_t result) {
    // TODO(ex4.4): one pass with a read index i and a write index m.
    throw NotImplemented("exercise 4.4: merge_pair (exercises/ch04_tokenization/merge_pair.cpp)");
}

}  // namespace ladder::ex04
