// Exercise 3.2: word2vec's subsampling of frequent words. A word seen `count` times among
// `total` words has frequency f = count / total; one occurrence is kept with probability
//   p = (sqrt(f / sample) + 1) * sample / f, capped at 1.
// Introduced in ch03 (book/ch03_word2vec.md, "Subsampling").
#include "core/error.hpp"
#include "exercises/ch03_word2vec/exercises.hpp"

namespace ladder::ex03 {

// Hint: compute in double. "the" in a 6M-word corpus (f ~ 0.06) at sample = 1e-3 is kept
// about 17% of the time; a word seen 5 times, always. sample = 0 means "keep everything".
double keep_probability(std::uint64_t count, std::uint64_t total, double sample) {
    // TODO(ex3.2): return p (at most 1; 1 when sample is 0).
    throw NotImplemented("exercise 3.2: keep_probability (exercises/ch03_word2vec/subsampling.cpp)");
}

}  // namespace ladder::ex03
