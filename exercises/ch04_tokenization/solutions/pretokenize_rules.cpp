// Solution to exercise 4.2: GPT-2's pre-tokeniser, rule by rule.
#include "chapters/ch04_tokenization/pretokenize.hpp"
#include "core/text.hpp"
#include "exercises/ch04_tokenization/exercises.hpp"

namespace ladder::ex04 {

namespace {
tok::CharClass class_at(std::string_view text, std::size_t i, std::size_t& len) {
    char32_t cp = 0;
    len = utf8_length_at(text, i, &cp);
    if (len == 1 && static_cast<unsigned char>(text[i]) >= 0x80) return tok::CharClass::other;   // invalid byte
    return tok::gpt2_char_class(cp);
}
}  // namespace

std::size_t pretoken_end(std::string_view text, std::size_t i) {
    const std::size_t n = text.size();
    if (text[i] == '\'' && i + 1 < n) {                                        // rule 1
        const char c = text[i + 1];
        if (c == 's' || c == 't' || c == 'm' || c == 'd') return i + 2;
        if (i + 2 < n && (text.substr(i + 1, 2) == "re" || text.substr(i + 1, 2) == "ve" || text.substr(i + 1, 2) == "ll"))
            return i + 3;
    }
    std::size_t len = 0, start = i;
    tok::CharClass cls = class_at(text, i, len);
    if (text[i] == ' ' && i + 1 < n) {                                         // the optional space
        std::size_t len2 = 0;
        const tok::CharClass next = class_at(text, i + 1, len2);
        if (next != tok::CharClass::space) {
            cls = next;
            start = i + 1;
        }
    }
    if (cls != tok::CharClass::space) {                                        // rules 2-4
        std::size_t k = start;
        while (k < n && class_at(text, k, len) == cls) k += len;
        return k;
    }
    std::size_t k = i, last = i;                                               // rules 5-6
    while (k < n && class_at(text, k, len) == tok::CharClass::space) {
        last = k;
        k += len;
    }
    return (k == n || last == i) ? k : last;
}

}  // namespace ladder::ex04
