// Exercise 4.1: GPT-2's byte -> printable character table (book: "Bytes as text").
// Introduced in ch04.
#include "core/error.hpp"
#include "exercises/ch04_tokenization/exercises.hpp"

namespace ladder::ex04 {

// The 188 bytes that are printable in Latin-1 -- '!' (33) to '~' (126), '¡' (161) to
// '¬' (172) and '®' (174) to 'ÿ' (255) -- are shown as themselves. The other 68 bytes
// (0..32, 127..160, 173) get the code points 256, 257, ... in increasing byte order: so
// the space (32) becomes 256 + 32 = 'Ġ' (U+0120), because 32 bytes before it are also
// non-printable.
std::array<char32_t, 256> byte_table() {
    // TODO(ex4.1): fill table[b] for every b, keeping a counter for the non-printable ones.
    throw NotImplemented("exercise 4.1: byte_table (exercises/ch04_tokenization/byte_table.cpp)");
}

}  // namespace ladder::ex04
