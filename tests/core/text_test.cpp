// text_test.cpp: UTF-8 validation with byte offsets, normalisation (accents and Hangul),
// character classes and the word splitter on English, accented Latin and Korean.
#include <catch2/catch.hpp>

#include "core/text.hpp"

using namespace ladder;
using V = std::vector<std::string>;

TEST_CASE("invalid UTF-8 is reported with its byte offset", "[text]") {
    REQUIRE_FALSE(find_invalid_utf8("plain ascii, café, 한국어"));
    const std::string bad = std::string("abc") + "\xC3\x28" + "def";   // C3 needs a continuation byte
    const auto p = find_invalid_utf8(bad);
    REQUIRE(p);
    REQUIRE(p->offset == 3);
    REQUIRE_THAT(p->what, Catch::Contains("byte 3") && Catch::Contains("0xC3 0x28"));
    REQUIRE_THROWS_WITH(require_valid_utf8(bad, "corpus.txt"), Catch::Contains("corpus.txt: invalid UTF-8 at byte 3"));
    REQUIRE(replace_invalid_utf8(bad) == "abc\xEF\xBF\xBD(def");
    REQUIRE(find_invalid_utf8("\xED\xA0\x80"));   // an encoded surrogate is not valid UTF-8
    REQUIRE(find_invalid_utf8("\xC0\xAF"));       // nor is an overlong "/"
}

TEST_CASE("decode and encode round trip", "[text]") {
    const std::string s = "a\u00e9\ud55c\U0001F600";   // a, é, 한, 😀: 1, 2, 3 and 4 bytes
    const auto cps = decode_utf8(s);
    REQUIRE(cps == std::vector<char32_t>{U'a', 0xE9, 0xD55C, 0x1F600});
    REQUIRE(encode_utf8(cps) == s);
    char32_t cp = 0;
    REQUIRE(utf8_length_at(s, 3, &cp) == 3);
    REQUIRE(cp == 0xD55C);
}

TEST_CASE("NFC composes accents and Hangul jamo; NFD takes them apart", "[text]") {
    REQUIRE(nfc("e\u0301") == "\u00e9");
    REQUIRE(nfd("\u00e9") == "e\u0301");
    REQUIRE(nfc("\u1112\u1161\u11ab") == "\ud55c");   // ᄒ + ᅡ + ᆫ -> 한
    REQUIRE(nfd("\ud55c") == "\u1112\u1161\u11ab");
    REQUIRE(casefold_nfc("Stra\u00dfe \u00c9T\u00c9") == "strasse \u00e9t\u00e9");
}

TEST_CASE("character classes follow the Unicode categories", "[text]") {
    REQUIRE(is_letter(U'a'));
    REQUIRE(is_letter(0xD55C));          // Hangul syllable, Lo
    REQUIRE(is_number(U'7'));
    REQUIRE(is_number(0x2163));          // Roman numeral four, Nl
    REQUIRE(is_mark(0x0301));
    REQUIRE(is_space(U' '));
    REQUIRE(is_space(U'\n'));
    REQUIRE(is_space(0x3000));           // ideographic space
    REQUIRE(is_space(0x85));             // NEL
    REQUIRE_FALSE(is_space(0x200B));     // zero width space is Cf, not White_Space
    REQUIRE(std::string(unicode_category(U'!')) == "Po");
}

TEST_CASE("split_words on English, accents and Korean", "[text]") {
    REQUIRE(split_words("Dog bites man!") == V{"dog", "bites", "man"});
    REQUIRE(split_words("Man bites dog.") == V{"man", "bites", "dog"});
    REQUIRE(split_words("Don't panic -- it's 42 o\u2019clock.") == V{"don't", "panic", "it's", "42", "o'clock"});
    REQUIRE(split_words("Cre\u0300me bru\u0302le\u0301e, s'il vous pla\u00eet") ==
            V{"crème", "brûlée", "s'il", "vous", "plaît"});
    REQUIRE(split_words("\ud55c\uad6d\uc5b4\ub97c \ubc30\uc6c1\ub2c8\ub2e4. \uc548\ub155!") ==
            V{"\ud55c\uad6d\uc5b4\ub97c", "\ubc30\uc6c1\ub2c8\ub2e4", "\uc548\ub155"});
    REQUIRE(split_words("route 66 in 1999", {.casefold = true, .keep_numbers = false}) == V{"route", "in"});
    REQUIRE(split_words("  ,,, !!").empty());
    REQUIRE_THROWS_WITH(split_words("ok \xFF"), Catch::Contains("invalid UTF-8 at byte 3"));
}

namespace {
V words_of(std::string_view text, const SplitOptions& opts = {}) {
    V out;
    for_each_word(text, [&](std::string_view w) { out.emplace_back(w); }, opts);
    return out;
}
}  // namespace

TEST_CASE("for_each_word gives the words of split_words", "[text]") {
    const char* texts[] = {
        "Dog bites man!",
        "Don't panic -- it's 42 o\u2019clock. 'quoted' rock'n'roll 5'6 x'",
        "Cre\u0300me bru\u0302le\u0301e, s'il vous pla\u00eet",
        "\ud55c\uad6d\uc5b4\ub97c \ubc30\uc6c1\ub2c8\ub2e4. \uc548\ub155!",
        "a = \u0338 b, a =\u0338 b, a <\u0338 c",          // NFC: "=" + U+0338 -> U+2260 (a symbol)
        "\u212a is a Kelvin sign; \u017ftop; STRASSE Stra\u00dfe",   // fold to ASCII letters
        "x\u0301 \u0301y ,\u0301 end.",                      // marks after letters and separators
        "route 66 in 1999, R2D2 and 3po",
        "\u1112\u1161\u11ab \u1100\u1173\u11af",             // jamo that compose into syllables
        "",
        "   ,,, !!",
        "tab\tnew\nline\r\nCRLF",
    };
    for (const char* t : texts) {
        INFO(t);
        REQUIRE(words_of(t) == split_words(t));
        REQUIRE(words_of(t, {.casefold = false, .keep_numbers = false}) ==
                split_words(t, {.casefold = false, .keep_numbers = false}));
    }
}

TEST_CASE("for_each_word agrees with split_words on random mixtures of tricky characters", "[text]") {
    // Letters, digits, apostrophes, separators, accents (composed and combining), Hangul
    // syllables and jamo, symbols that NFC composes with a following mark, case-folding traps.
    const std::vector<std::string> pieces = {"a", "Z", "7", "'", "\u2019", " ", ",", "-", "=", "<", "\n", "\u0301",
                                             "\u0338", "\u00e9", "\u00c9", "\ud55c", "\u1112", "\u1161", "\u11ab",
                                             "\u212a", "\u00df", "\u017f", "\u0345", "\u3000", "!", "x"};
    std::uint64_t state = 12345;
    auto next = [&] {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        return static_cast<std::size_t>(state >> 33);
    };
    for (int trial = 0; trial < 20000; ++trial) {
        std::string t;
        const std::size_t len = next() % 12;
        for (std::size_t k = 0; k < len; ++k) t += pieces[next() % pieces.size()];
        INFO("text: " << t);
        REQUIRE(words_of(t) == split_words(t));
    }
}

TEST_CASE("for_each_word names the source and byte offset of invalid UTF-8", "[text]") {
    const std::string bad = std::string("good words \xE2\x82 then");
    REQUIRE_THROWS_WITH(for_each_word(bad, [](std::string_view) {}, {}, "train.tsv"),
                        Catch::Contains("train.tsv: invalid UTF-8 at byte 11"));
}

TEST_CASE("LineReader: LF and CRLF lines, a last line without a newline, empty lines counted", "[text]") {
    auto read_all = [](std::string_view text) {
        std::vector<std::pair<std::size_t, std::string>> out;
        LineReader lines(text);
        for (std::string_view line; lines.next(line);) out.emplace_back(lines.number(), std::string(line));
        return out;
    };
    using Lines = std::vector<std::pair<std::size_t, std::string>>;
    REQUIRE(read_all("").empty());
    REQUIRE(read_all("\n") == Lines{{1, ""}});
    REQUIRE(read_all("a\nb") == Lines{{1, "a"}, {2, "b"}});
    REQUIRE(read_all("a\r\n\r\nb\r\n") == Lines{{1, "a"}, {2, ""}, {3, "b"}});
    REQUIRE(read_all("a\rb\n") == Lines{{1, "a\rb"}});   // a lone '\r' inside a line is kept
}
