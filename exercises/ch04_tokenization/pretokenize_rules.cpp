// Exercise 4.2: GPT-2's pre-tokeniser, rule by rule (book: "Pieces before merges").
// Introduced in ch04.
#include "chapters/ch04_tokenization/pretokenize.hpp"
#include "core/error.hpp"
#include "core/text.hpp"
#include "exercises/ch04_tokenization/exercises.hpp"

namespace ladder::ex04 {

// GPT-2's pattern, tried in this order at `begin`; the first rule that matches wins:
//   1. 's 't 're 've 'm 'll 'd          (ASCII apostrophe, lower case)
//   2. an optional ' ' then a run of letters      (\p{L})
//   3. an optional ' ' then a run of numbers      (\p{N})
//   4. an optional ' ' then a run of other characters (not space, letter or number)
//   5. a run of spaces; if a non-space follows the run, leave its last space for the
//      next piece -- unless the run is a single character (then rule 6 takes it whole)
// Return the byte offset where the piece ends.
// Hints: tok::gpt2_char_class(cp) gives letter / number / space / other. utf8_length_at
// (core/text.hpp) gives a character's length and code point; treat an invalid byte
// (length 1, byte >= 0x80) as "other".
std::size_t pretoken_end(std::string_view text, std::size_t begin) {
    // TODO(ex4.2): the rules above. Test yourself on "Hello world's  \n" ->
    // "Hello", " world", "'s", "  \n".
    throw NotImplemented("exercise 4.2: pretoken_end (exercises/ch04_tokenization/pretokenize_rules.cpp)");
}

}  // namespace ladder::ex04
