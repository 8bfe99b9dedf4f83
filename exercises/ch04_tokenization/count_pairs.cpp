// Exercise 4.3: count adjacent pairs, the inner loop of BPE training (book: "Counting
// pairs"). Introduced in ch04.
#include "core/error.hpp"
#include "exercises/ch04_tokenization/exercises.hpp"

namespace ladder::ex04 {

// count_pairs({1, 2, 3, 1, 2}) -> {(1,2): 2, (2,3): 1, (3,1): 1}
// count_pairs({1, 2, -1, 2, 1}) -> {(1,2): 1, (2,1): 1}: -1 separates two words, and a
// pair never crosses it.
std::map<std::pair<std::int32_t, std::int32_t>, std::int32_t> count_pairs(const std::vector<std::int32_t>& tokens) {
    // TODO(ex4.3): one pass over the neighbours (tokens[i], tokens[i + 1]).
    throw NotImplemented("exercise 4.3: count_pairs (exercises/ch04_tokenization/count_pairs.cpp)");
}

}  // namespace ladder::ex04
