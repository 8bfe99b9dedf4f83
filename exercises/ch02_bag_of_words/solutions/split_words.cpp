// Solution to exercise 2.1: normalise, decode, keep runs of letters, marks and digits.
#include "core/error.hpp"
#include "core/text.hpp"
#include "exercises/ch02_bag_of_words/exercises.hpp"

namespace ladder::ex02 {

std::vector<std::string> split_words(std::string_view text) {
    const std::vector<char32_t> cps = decode_utf8(casefold_nfc(text));
    auto in_word = [](char32_t c) { return is_letter(c) || is_mark(c) || is_number(c); };
    std::vector<std::string> words;
    std::string word;
    for (std::size_t i = 0; i < cps.size(); ++i) {
        const char32_t c = cps[i];
        if (in_word(c)) {
            append_utf8(word, c);
        } else if ((c == U'\'' || c == U'\u2019') && !word.empty() && i + 1 < cps.size() && is_letter(cps[i - 1]) &&
                   is_letter(cps[i + 1])) {
            word += '\'';
        } else if (!word.empty()) {
            words.push_back(word);
            word.clear();
        }
    }
    if (!word.empty()) words.push_back(word);
    return words;
}

}  // namespace ladder::ex02
