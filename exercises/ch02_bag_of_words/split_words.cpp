// Exercise 2.1: text -> words. Normalise, then keep the runs of letters, marks and digits.
// Introduced in ch02 (book/ch02_bag_of_words.md, "From text to words").
#include "core/error.hpp"
#include "core/text.hpp"
#include "exercises/ch02_bag_of_words/exercises.hpp"

namespace ladder::ex02 {

// Requirements (the test compares with ladder::split_words on English, accents and Korean):
//   1. Normalise with casefold_nfc(text) (core/text.hpp): "Crème" and "CRE\u0300ME" become one word.
//   2. Decode the result to code points (decode_utf8).
//   3. A word is a maximal run of code points for which is_letter, is_mark or is_number holds.
//   4. An apostrophe (' or U+2019) with a letter on both sides stays in the word, as a
//      plain ' ("don't", "o'clock"); anywhere else it separates words like any other character.
//   5. Encode each word back to UTF-8 (append_utf8).
// Hint: build the current word in a std::string; "flush" it into the result when a
// separator comes, and once more at the end.
std::vector<std::string> split_words(std::string_view text) {
    // TODO(ex2.1): normalise, decode, and collect the words.
    throw NotImplemented("exercise 2.1: split_words (exercises/ch02_bag_of_words/split_words.cpp)");
}

}  // namespace ladder::ex02
