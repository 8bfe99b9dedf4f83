// pretokenize.cpp: GPT-2's pre-tokeniser regex, rule by rule, as a scanner over code
// points; the byte-to-unicode table of GPT-2's files. Introduced in ch04.
#include "chapters/ch04_tokenization/pretokenize.hpp"

#include <memory>

#include <utf8proc.h>

#include "core/error.hpp"
#include "core/text.hpp"

namespace ladder::tok {

namespace {

// Code points that Unicode 15.1 (2023) and 16.0 (2024) made letters (L) or numbers (N)
// and that utf8proc 2.8 (Unicode 15.0) still calls unassigned: CJK Extension I (15.1);
// Todhri, Garay, Tulu-Tigalari,
// Sunuwar, Egyptian hieroglyphs extension A, Gurung Khema, Kirat Rai, Ol Onal and a few
// Latin and Cyrillic letters. The reference encoder (tiktoken 1.0.22) matches with the
// Unicode 16.0 tables of Rust's regex crate, so it puts them in runs of letters or
// numbers. OpenAI's original 2019 encoder used an older Unicode, in which they were
// unassigned ("other"); text written in these scripts was not possible then, so we
// follow the reference that exists. The test that classifies every code point through
// tiktoken found exactly these 5,004 code points, all Cn in utf8proc.
struct Added {
    char32_t first, last;
    CharClass cls;
};
constexpr Added kUnicodeNewer[] = {
    {0x01C89, 0x01C8A, CharClass::letter}, {0x0A7CB, 0x0A7CD, CharClass::letter}, {0x0A7DA, 0x0A7DC, CharClass::letter},
    {0x105C0, 0x105F3, CharClass::letter}, {0x10D40, 0x10D49, CharClass::number}, {0x10D4A, 0x10D65, CharClass::letter},
    {0x10D6F, 0x10D85, CharClass::letter}, {0x10EC2, 0x10EC4, CharClass::letter}, {0x11380, 0x11389, CharClass::letter},
    {0x1138B, 0x1138B, CharClass::letter}, {0x1138E, 0x1138E, CharClass::letter}, {0x11390, 0x113B5, CharClass::letter},
    {0x113B7, 0x113B7, CharClass::letter}, {0x113D1, 0x113D1, CharClass::letter}, {0x113D3, 0x113D3, CharClass::letter},
    {0x116D0, 0x116E3, CharClass::number}, {0x11BC0, 0x11BE0, CharClass::letter}, {0x11BF0, 0x11BF9, CharClass::number},
    {0x13460, 0x143FA, CharClass::letter}, {0x16100, 0x1611D, CharClass::letter}, {0x16130, 0x16139, CharClass::number},
    {0x16D40, 0x16D6C, CharClass::letter}, {0x16D70, 0x16D79, CharClass::number}, {0x18CFF, 0x18CFF, CharClass::letter},
    {0x1CCF0, 0x1CCF9, CharClass::number}, {0x1E5D0, 0x1E5ED, CharClass::letter}, {0x1E5F0, 0x1E5F0, CharClass::letter},
    {0x1E5F1, 0x1E5FA, CharClass::number}, {0x2EBF0, 0x2EE5D, CharClass::letter},
};

// [book:char-class]
// GPT-2's \p{L}, \p{N} and \s, from Unicode's tables (utf8proc): letters are the general
// categories Lu Ll Lt Lm Lo, numbers Nd Nl No, spaces the White_Space property. Marks
// (accents, combining vowel signs) are not letters: "é" written as e + U+0301 splits
// into two pieces, as it does in GPT-2.
CharClass classify(char32_t cp) {
    if (is_space(cp)) return CharClass::space;
    const auto cat = utf8proc_category(static_cast<utf8proc_int32_t>(cp));
    if (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO) return CharClass::letter;
    if (cat >= UTF8PROC_CATEGORY_ND && cat <= UTF8PROC_CATEGORY_NO) return CharClass::number;
    if (cat == UTF8PROC_CATEGORY_CN)   // unassigned in 15.0: maybe assigned in 15.1 or 16.0
        for (const Added& a : kUnicodeNewer)
            if (cp >= a.first && cp <= a.last) return a.cls;
    return CharClass::other;
}
// [/book]

// Every code point below 0x10000 classified once (64 KiB), the rest on demand.
struct ClassTable {
    std::unique_ptr<CharClass[]> bmp{new CharClass[0x10000]};
    ClassTable() {
        for (char32_t cp = 0; cp < 0x10000; ++cp) bmp[cp] = classify(cp);
    }
};

const ClassTable& class_table() {
    static const ClassTable t;
    return t;
}

// One UTF-8 character at text[i]: its code point and length. An invalid or truncated
// sequence is one byte long and gets `kInvalid`, an "other" character.
constexpr char32_t kInvalid = 0xFFFFFFFF;

inline char32_t decode_at(std::string_view text, std::size_t i, std::size_t& len) {
    const auto* s = reinterpret_cast<const unsigned char*>(text.data());
    const std::size_t n = text.size();
    const unsigned c = s[i];
    len = 1;
    if (c < 0x80) return c;
    auto cont = [&](std::size_t k) { return i + k < n && (s[i + k] & 0xC0) == 0x80; };
    if (c >= 0xC2 && c <= 0xDF && cont(1)) {
        len = 2;
        return ((c & 0x1F) << 6) | (s[i + 1] & 0x3F);
    }
    if (c >= 0xE0 && c <= 0xEF && cont(1) && cont(2)) {
        const char32_t cp = ((c & 0x0F) << 12) | ((s[i + 1] & 0x3F) << 6) | (s[i + 2] & 0x3F);
        if (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF)) return kInvalid;   // overlong, surrogate
        len = 3;
        return cp;
    }
    if (c >= 0xF0 && c <= 0xF4 && cont(1) && cont(2) && cont(3)) {
        const char32_t cp = ((c & 0x07) << 18) | ((s[i + 1] & 0x3F) << 12) | ((s[i + 2] & 0x3F) << 6) | (s[i + 3] & 0x3F);
        if (cp < 0x10000 || cp > 0x10FFFF) return kInvalid;
        len = 4;
        return cp;
    }
    return kInvalid;
}

inline CharClass class_at(std::string_view text, std::size_t i, std::size_t& len) {
    const char32_t cp = decode_at(text, i, len);
    if (cp < 0x10000) return class_table().bmp[cp];
    return cp == kInvalid ? CharClass::other : classify(cp);
}

}  // namespace

CharClass gpt2_char_class(char32_t cp) { return cp < 0x10000 ? class_table().bmp[cp] : classify(cp); }

// [book:pretoken-end]
std::size_t pretoken_end(std::string_view text, std::size_t i) {
    const std::size_t n = text.size();
    // 's|'t|'re|'ve|'m|'ll|'d : English contractions, tried first, ASCII apostrophe only.
    if (text[i] == '\'' && i + 1 < n) {
        const char c1 = text[i + 1];
        if (c1 == 's' || c1 == 't' || c1 == 'm' || c1 == 'd') return i + 2;
        if (i + 2 < n) {
            const std::string_view two = text.substr(i + 1, 2);
            if (two == "re" || two == "ve" || two == "ll") return i + 3;
        }
    }
    std::size_t len = 0;
    CharClass cls = class_at(text, i, len);
    // ` ?\p{L}+ | ?\p{N}+ | ?[^\s\p{L}\p{N}]+` : one optional space (U+0020 only), then a
    // run of one class. The space joins the word that follows it: " world".
    std::size_t run = i;
    if (text[i] == ' ' && i + 1 < n) {
        std::size_t len2 = 0;
        const CharClass next = class_at(text, i + 1, len2);
        if (next != CharClass::space) {
            cls = next;
            run = i + 1;
        }
    }
    if (cls != CharClass::space) {
        std::size_t k = run;
        while (k < n && class_at(text, k, len) == cls) k += len;
        return k;
    }
    // `\s+(?!\S) | \s+` : a run of spaces. If something other than a space follows the
    // run, give its last character back (it will lead the next word: "  x" -> " ", " x"),
    // unless the run is a single character.
    std::size_t k = i, last = i;
    while (k < n && class_at(text, k, len) == CharClass::space) {
        last = k;
        k += len;
    }
    if (k == n || last == i) return k;
    return last;
}
// [/book]

std::vector<std::string_view> pretokenize(std::string_view text) {
    std::vector<std::string_view> out;
    for (std::size_t i = 0; i < text.size();) {
        const std::size_t e = pretoken_end(text, i);
        out.push_back(text.substr(i, e - i));
        i = e;
    }
    return out;
}

// ---- the byte-level alphabet ----

namespace {
struct ByteTables {
    std::array<char32_t, 256> to_unicode{};
    std::array<unsigned char, 256> order{};
    ByteTables() {
        // Printable bytes keep their own code point and come first in GPT-2's id order:
        // '!'..'~', '¡'..'¬', '®'..'ÿ' (188 bytes); the other 68 follow, shown as
        // U+0100 + k in byte order.
        int id = 0;
        auto printable_byte = [](int b) { return (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255); };
        for (int b = 0; b < 256; ++b)
            if (printable_byte(b)) {
                to_unicode[b] = static_cast<char32_t>(b);
                order[id++] = static_cast<unsigned char>(b);
            }
        int k = 0;
        for (int b = 0; b < 256; ++b)
            if (!printable_byte(b)) {
                to_unicode[b] = static_cast<char32_t>(256 + k++);
                order[id++] = static_cast<unsigned char>(b);
            }
    }
};
const ByteTables& byte_tables() {
    static const ByteTables t;
    return t;
}
}  // namespace

const std::array<char32_t, 256>& byte_to_unicode() { return byte_tables().to_unicode; }
const std::array<unsigned char, 256>& gpt2_byte_order() { return byte_tables().order; }

std::string bytes_to_gpt2_text(std::string_view bytes) {
    std::string out;
    for (unsigned char b : bytes) append_utf8(out, byte_to_unicode()[b]);
    return out;
}

std::optional<std::string> gpt2_text_to_bytes(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size();) {
        std::size_t len = 0;
        const char32_t cp = decode_at(text, i, len);
        if (cp == kInvalid || cp >= 0x144) return std::nullopt;
        // Inverse of the table: printable bytes are themselves; U+0100 + k is the k-th
        // non-printable byte.
        int byte = -1;
        if (cp < 256 && byte_to_unicode()[cp] == cp) byte = static_cast<int>(cp);
        if (cp >= 256) byte = gpt2_byte_order()[188 + (cp - 256)];
        if (byte < 0) return std::nullopt;
        out.push_back(static_cast<char>(byte));
        i += len;
    }
    return out;
}

std::string printable(std::string_view bytes) {
    std::string out;
    for (std::size_t i = 0; i < bytes.size();) {
        std::size_t len = 0;
        const char32_t cp = decode_at(bytes, i, len);
        if (cp == kInvalid) {
            out += "\xEF\xBF\xBD";   // U+FFFD
        } else if (cp == '\n') {
            out += "\\n";
        } else if (cp == '\t') {
            out += "\\t";
        } else if (cp == '\r') {
            out += "\\r";
        } else if (cp < 0x20 || cp == 0x7F) {
            out += fmt::format("\\x{:02x}", static_cast<unsigned>(cp));
        } else {
            out.append(bytes.substr(i, len));
        }
        i += len;
    }
    return out;
}

}  // namespace ladder::tok
