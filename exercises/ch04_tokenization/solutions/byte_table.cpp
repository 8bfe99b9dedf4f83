// Solution to exercise 4.1: GPT-2's byte -> printable character table.
#include "exercises/ch04_tokenization/exercises.hpp"

namespace ladder::ex04 {

std::array<char32_t, 256> byte_table() {
    std::array<char32_t, 256> table{};
    char32_t next = 256;
    for (int b = 0; b < 256; ++b) {
        const bool printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
        table[b] = printable ? static_cast<char32_t>(b) : next++;
    }
    return table;
}

}  // namespace ladder::ex04
