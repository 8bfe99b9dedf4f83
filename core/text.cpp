// text.cpp: UTF-8 validation, normalisation and word splitting on top of utf8proc.
#include "core/text.hpp"

#include <cstdlib>
#include <memory>
#include <utf8proc.h>

#include "core/error.hpp"

namespace ladder {

namespace {

std::string hex_bytes(std::string_view text, std::size_t at, std::size_t n) {
    std::string s;
    for (std::size_t i = at; i < text.size() && i < at + n; ++i)
        s += fmt::format("{}0x{:02X}", s.empty() ? "" : " ", static_cast<unsigned char>(text[i]));
    return s;
}

// Decodes one code point at text[i]; returns bytes consumed or a negative utf8proc error.
utf8proc_ssize_t decode_at(std::string_view text, std::size_t i, utf8proc_int32_t* cp) {
    return utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(text.data() + i),
                            static_cast<utf8proc_ssize_t>(text.size() - i), cp);
}

std::string map(std::string_view text, int flags, const char* what) {
    require_valid_utf8(text, what);
    utf8proc_uint8_t* out = nullptr;
    const utf8proc_ssize_t n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(text.data()),
                                            static_cast<utf8proc_ssize_t>(text.size()), &out,
                                            static_cast<utf8proc_option_t>(flags));
    std::unique_ptr<utf8proc_uint8_t, decltype(&std::free)> guard(out, &std::free);
    LADDER_CHECK(n >= 0, "{}: utf8proc failed: {}", what, utf8proc_errmsg(n));
    return std::string(reinterpret_cast<const char*>(out), static_cast<std::size_t>(n));
}

}  // namespace

std::optional<Utf8Problem> find_invalid_utf8(std::string_view text) {
    for (std::size_t i = 0; i < text.size();) {
        if (static_cast<unsigned char>(text[i]) < 0x80) {   // ASCII fast path
            ++i;
            continue;
        }
        utf8proc_int32_t cp = 0;
        const utf8proc_ssize_t n = decode_at(text, i, &cp);
        if (n < 0) {
            return Utf8Problem{i, fmt::format("invalid UTF-8 at byte {} ({}): {}", i, hex_bytes(text, i, 4),
                                              utf8proc_errmsg(n))};
        }
        i += static_cast<std::size_t>(n);
    }
    return std::nullopt;
}

void require_valid_utf8(std::string_view text, std::string_view where) {
    if (auto p = find_invalid_utf8(text)) LADDER_THROW("{}: {}", where, p->what);
}

std::size_t utf8_length_at(std::string_view text, std::size_t i, char32_t* cp) {
    utf8proc_int32_t c = 0;
    const utf8proc_ssize_t n = decode_at(text, i, &c);
    if (cp) *cp = n < 0 ? U'\uFFFD' : static_cast<char32_t>(c);
    return n <= 0 ? 1 : static_cast<std::size_t>(n);
}

std::string replace_invalid_utf8(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        utf8proc_int32_t c = 0;
        const utf8proc_ssize_t n = decode_at(text, i, &c);
        if (n <= 0) {
            out += "\xEF\xBF\xBD";   // U+FFFD REPLACEMENT CHARACTER
            ++i;
        } else {
            out.append(text.substr(i, static_cast<std::size_t>(n)));
            i += static_cast<std::size_t>(n);
        }
    }
    return out;
}

std::vector<char32_t> decode_utf8(std::string_view text) {
    require_valid_utf8(text, "decode_utf8");
    std::vector<char32_t> out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        char32_t cp;
        i += utf8_length_at(text, i, &cp);
        out.push_back(cp);
    }
    return out;
}

void append_utf8(std::string& out, char32_t cp) {
    utf8proc_uint8_t buf[4];
    const utf8proc_ssize_t n = utf8proc_encode_char(static_cast<utf8proc_int32_t>(cp), buf);
    LADDER_CHECK(n > 0, "append_utf8: U+{:04X} is not a valid code point", static_cast<unsigned>(cp));
    out.append(reinterpret_cast<const char*>(buf), static_cast<std::size_t>(n));
}

std::string encode_utf8(const std::vector<char32_t>& cps) {
    std::string out;
    for (char32_t cp : cps) append_utf8(out, cp);
    return out;
}

std::string nfc(std::string_view text) { return map(text, UTF8PROC_STABLE | UTF8PROC_COMPOSE, "nfc"); }
std::string nfd(std::string_view text) { return map(text, UTF8PROC_STABLE | UTF8PROC_DECOMPOSE, "nfd"); }
std::string casefold_nfc(std::string_view text) {
    return map(text, UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD, "casefold");
}

bool is_letter(char32_t cp) {
    const auto c = utf8proc_category(static_cast<utf8proc_int32_t>(cp));
    return c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO;
}

bool is_mark(char32_t cp) {
    const auto c = utf8proc_category(static_cast<utf8proc_int32_t>(cp));
    return c >= UTF8PROC_CATEGORY_MN && c <= UTF8PROC_CATEGORY_ME;
}

bool is_number(char32_t cp) {
    const auto c = utf8proc_category(static_cast<utf8proc_int32_t>(cp));
    return c >= UTF8PROC_CATEGORY_ND && c <= UTF8PROC_CATEGORY_NO;
}

bool is_space(char32_t cp) {
    // White_Space (PropList.txt): the Zs, Zl, Zp separators plus the controls
    // TAB..CR (U+0009..U+000D) and NEL (U+0085).
    if ((cp >= 0x09 && cp <= 0x0D) || cp == 0x85) return true;
    const auto c = utf8proc_category(static_cast<utf8proc_int32_t>(cp));
    return c == UTF8PROC_CATEGORY_ZS || c == UTF8PROC_CATEGORY_ZL || c == UTF8PROC_CATEGORY_ZP;
}

const char* unicode_category(char32_t cp) { return utf8proc_category_string(static_cast<utf8proc_int32_t>(cp)); }

std::vector<std::string> split_words(std::string_view text, const SplitOptions& opts) {
    const std::string norm = opts.casefold ? casefold_nfc(text) : nfc(text);
    const std::vector<char32_t> cps = decode_utf8(norm);
    auto in_word = [](char32_t c) { return is_letter(c) || is_mark(c) || is_number(c); };
    std::vector<std::string> words;
    std::string word;
    bool has_letter = false;
    auto flush = [&] {
        if (!word.empty() && (opts.keep_numbers || has_letter)) words.push_back(word);
        word.clear();
        has_letter = false;
    };
    for (std::size_t i = 0; i < cps.size(); ++i) {
        const char32_t c = cps[i];
        if (in_word(c)) {
            append_utf8(word, c);
            has_letter = has_letter || is_letter(c);
        } else if ((c == U'\'' || c == U'\u2019') && !word.empty() && i + 1 < cps.size() && is_letter(cps[i + 1]) &&
                   is_letter(cps[i - 1])) {
            word += '\'';   // "don't", "o'clock": one word, with a plain apostrophe
        } else {
            flush();
        }
    }
    flush();
    return words;
}

}  // namespace ladder

namespace ladder::detail {

void split_stretch(std::string_view text, const SplitOptions& opts, std::vector<std::string>& out) {
    out = split_words(text, opts);
}

}  // namespace ladder::detail
