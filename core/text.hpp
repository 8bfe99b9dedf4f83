// text.hpp: UTF-8 text the way every chapter reads it: validation that names the byte
// offset, decoding to code points, Unicode normalisation (NFC, NFD, case folding) and
// character classes from utf8proc, and the word splitter of the bag-of-words chapter.
// Introduced in ch02; ch03 reads its corpus and ch04 its pre-tokeniser with it.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ladder {

// ---- UTF-8 ----
struct Utf8Problem {
    std::size_t offset;     // byte offset of the first bad byte
    std::string what;       // "invalid UTF-8 at byte 17 (0xC3 0x28): ..."
};
std::optional<Utf8Problem> find_invalid_utf8(std::string_view text);
// Throws ladder::Error "<where>: invalid UTF-8 at byte N (...)" at the first bad byte.
void require_valid_utf8(std::string_view text, std::string_view where);
// Replaces each invalid sequence with U+FFFD (the explicit option for messy input).
std::string replace_invalid_utf8(std::string_view text);
// Code points of valid UTF-8 (throws on invalid input).
std::vector<char32_t> decode_utf8(std::string_view text);
void append_utf8(std::string& out, char32_t cp);
std::string encode_utf8(const std::vector<char32_t>& cps);
// Length in bytes of the UTF-8 sequence starting at text[i] (1 for an invalid byte),
// and the code point there (U+FFFD when invalid).
std::size_t utf8_length_at(std::string_view text, std::size_t i, char32_t* cp = nullptr);

// ---- normalisation (utf8proc; valid UTF-8 in, throws otherwise) ----
std::string nfc(std::string_view text);             // composed: "e" + U+0301 -> "é"; jamo -> Hangul syllables
std::string nfd(std::string_view text);             // decomposed
std::string casefold_nfc(std::string_view text);    // full case folding, then NFC ("Straße" -> "strasse")

// ---- character classes (Unicode general categories, utf8proc) ----
bool is_letter(char32_t cp);     // L*: Lu Ll Lt Lm Lo
bool is_mark(char32_t cp);       // M*: combining marks (accents, vowel signs)
bool is_number(char32_t cp);     // N*: Nd Nl No
bool is_space(char32_t cp);      // the Unicode White_Space property (\s of most regex engines)
const char* unicode_category(char32_t cp);   // "Lu", "Nd", ...

// ---- words ----
// split_words("Dog bites man!") -> {"dog", "bites", "man"}
// Normalises (case folding + NFC), then keeps maximal runs of letters, marks and digits;
// an apostrophe (' or U+2019) between two letters stays inside the word ("don't").
// Everything else (spaces, punctuation, symbols) separates words. Works the same on
// Korean (Hangul syllables are letters), accented Latin and ASCII.
struct SplitOptions {
    bool casefold = true;
    bool keep_numbers = true;    // false: drop words made only of digits
};
std::vector<std::string> split_words(std::string_view text, const SplitOptions& opts = {});

}  // namespace ladder
