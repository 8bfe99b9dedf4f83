// ch04_tokenizer_test.cpp: unit tests of chapter 4's library: the pre-tokeniser's rules,
// the four tokenizers, BPE training (naive == incremental, the worked example), save and
// load, exact round trips on any bytes, and every kind of bad input with its message.
#include <catch2/catch.hpp>

#include <random>

#include "chapters/ch04_tokenization/bpe_internal.hpp"
#include "core/error.hpp"
#include "core/fileio.hpp"
#include "core/text.hpp"
#include "tests/temp_dir.hpp"

using namespace ladder;
using namespace ladder::tok;

namespace {

std::string sample(const std::string& name) {
    return read_file(std::filesystem::path(LADDER_SOURCE_DIR) / "data" / "samples" / name);
}

std::string corpus() { return sample("ch04_english.txt") + sample("ch04_korean.txt") + sample("ch04_code.txt") + sample("ch04_mixed.txt"); }

std::vector<std::string> pieces(std::string_view s) {
    std::vector<std::string> out;
    for (auto p : pretokenize(s)) out.emplace_back(p);
    return out;
}

// Random byte strings: a mix of ASCII, valid multi-byte characters, their fragments
// and bytes that are never valid UTF-8.
std::string random_bytes(std::mt19937& rng, std::size_t n) {
    const char* atoms[] = {"a", "Z", " ", "  ", "\n", "\t", "1", "'s", "!", "한", "글", "🙂", "é", "\xed\x95", "\x80", "\xff",
                           "\xc3", "\xf0\x9f", "\xe0\x80\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\0", "<|endoftext|>"};
    std::string s;
    while (s.size() < n) s += atoms[rng() % (sizeof(atoms) / sizeof(atoms[0]))];
    return s;
}

TrainOptions options(std::size_t vocab) {
    TrainOptions o;
    o.vocab_size = vocab;
    return o;
}

}  // namespace

// ---- the pre-tokeniser, rule by rule ----
TEST_CASE("ch04 pretokenize follows GPT-2's rules", "[ch04][pretokenize]") {
    using V = std::vector<std::string>;
    CHECK(pieces("Hello world's  \n") == V{"Hello", " world", "'s", "  \n"});
    CHECK(pieces("they're we'll I'd") == V{"they", "'re", " we", "'ll", " I", "'d"});
    CHECK(pieces("DON'T") == V{"DON", "'", "T"});                       // contractions are lower case only
    CHECK(pieces("abc123 45") == V{"abc", "123", " 45"});
    CHECK(pieces("x  y") == V{"x", " ", " y"});                          // a space run gives its last space back
    CHECK(pieces("x\n\ny") == V{"x", "\n", "\n", "y"});                 // \s+(?!\S) then \s+
    CHECK(pieces("x \n y") == V{"x", " \n", " y"});
    CHECK(pieces("end   ") == V{"end", "   "});                         // at the end the run stays whole
    CHECK(pieces("a...!? b") == V{"a", "...!?", " b"});
    CHECK(pieces("한국어 문장") == V{"한국어", " 문장"});
    CHECK(pieces("caf\xc3\xa9") == V{"caf\xc3\xa9"});
    CHECK(pieces("cafe\xcc\x81") == V{"cafe", "\xcc\x81"});             // a combining mark is not a letter
    CHECK(pieces("\xff\xfe" "ab") == V{"\xff\xfe", "ab"});              // invalid bytes: "other" characters
    CHECK(pieces("") == V{});
    CHECK(gpt2_char_class(U'\u3000') == CharClass::space);
    CHECK(gpt2_char_class(U'\u00a0') == CharClass::space);
    CHECK(gpt2_char_class(U'\u00bd') == CharClass::number);             // ½ is No
    CHECK(gpt2_char_class(U'\u0301') == CharClass::other);
    CHECK(gpt2_char_class(U'\U000105C0') == CharClass::letter);         // Todhri (Unicode 16.0)
    CHECK(gpt2_char_class(U'\U00010D40') == CharClass::number);         // Garay digit zero (Unicode 16.0)
    CHECK(gpt2_char_class(U'\U0002EBF0') == CharClass::letter);         // CJK Extension I (Unicode 15.1)
}

TEST_CASE("ch04 byte-to-unicode table is GPT-2's", "[ch04][pretokenize]") {
    CHECK(bytes_to_gpt2_text(" the") == "\xc4\xa0the");                 // "Ġthe"
    CHECK(bytes_to_gpt2_text("\n") == "\xc4\x8a");                      // "Ċ"
    CHECK(gpt2_text_to_bytes("\xc4\xa0the") == std::optional<std::string>(" the"));
    CHECK_FALSE(gpt2_text_to_bytes("\xe2\x82\xac").has_value());        // '€' is not in the alphabet
    for (int b = 0; b < 256; ++b) {
        const std::string one(1, static_cast<char>(b));
        CHECK(gpt2_text_to_bytes(bytes_to_gpt2_text(one)) == std::optional<std::string>(one));
    }
    CHECK(gpt2_byte_order()[0] == '!');
    CHECK(gpt2_byte_order()[188] == 0);
}

// ---- the simple tokenizers ----
TEST_CASE("ch04 bytes, characters and words tokenizers", "[ch04][tokenizers]") {
    const std::string text = "The dog bites the man. 개가 사람을 문다.";
    const ByteTokenizer bytes;
    CHECK(bytes.encode(text).size() == text.size());
    CHECK(bytes.decode(bytes.encode(text)) == text);
    const CharTokenizer chars(text);
    CHECK(chars.encode(text).size() == decode_utf8(text).size());
    CHECK(chars.decode(chars.encode(text)) == text);
    CHECK(chars.encode("Q")[0] == 0);                                   // unseen: <unk>
    CHECK(chars.token_bytes(0) == kUnknown);
    const WordTokenizer words(text, 100);
    const auto ids = words.encode("the man bites the cat");
    REQUIRE(ids.size() == 5);
    CHECK(ids[4] == 0);                                                 // "cat" is unknown
    CHECK(words.decode(ids) == "the man bites the <unk>");
    CHECK(words.token_id("the").has_value());
    CHECK_FALSE(words.lossless());
    CHECK(bytes.lossless());
}

// ---- training ----
// [book:worked-example]
// The example of Wikipedia's "Byte pair encoding" article: in "aaabdaaabac" the pair
// "aa" is the most frequent (4 times), then "ab" (tied with "aa"+"a" at 2; "a" has the
// smaller id), then "aa"+"ab" = "aaab".
TEST_CASE("ch04 BPE training on the worked example", "[ch04][train]") {
    TrainOptions o = options(256 + 3 + 1);
    const TrainResult r = train_bpe("aaabdaaabac", o);
    REQUIRE(r.merges.size() == 3);
    CHECK(r.tokens[r.merges[0].result] == "aa");
    CHECK(r.tokens[r.merges[1].result] == "ab");
    CHECK(r.tokens[r.merges[2].result] == "aaab");
    CHECK(r.merge_counts == std::vector<std::int64_t>{4, 2, 2});
    const BpeTokenizer t = r.tokenizer();
    CHECK(t.encode("aaabdaaabac") == std::vector<TokenId>{r.merges[2].result, t.byte_id('d'), r.merges[2].result,
                                                          t.byte_id('a'), t.byte_id('c')});
}
// [/book]

TEST_CASE("ch04 naive and incremental training learn the same merges", "[ch04][train]") {
    const std::string text = corpus();
    for (std::size_t vocab : {257u, 300u, 600u, 1200u}) {
        INFO("vocab " << vocab);
        const TrainResult naive = train_bpe_naive(text, options(vocab));
        const TrainResult fast = train_bpe(text, options(vocab));
        REQUIRE(naive.merges.size() == fast.merges.size());
        for (std::size_t i = 0; i < naive.merges.size(); ++i) {
            INFO("merge " << i);
            REQUIRE(naive.merges[i].left == fast.merges[i].left);
            REQUIRE(naive.merges[i].right == fast.merges[i].right);
        }
        CHECK(naive.merge_counts == fast.merge_counts);
        CHECK(naive.tokens == fast.tokens);
        // Counts never rise: each merge is the most frequent pair left.
        for (std::size_t i = 1; i < fast.merge_counts.size(); ++i) CHECK(fast.merge_counts[i] <= fast.merge_counts[i - 1]);
    }
}

TEST_CASE("ch04 a trained tokenizer saves, loads and round-trips", "[ch04][train]") {
    const std::string text = corpus();
    const TrainResult r = train_bpe(text, options(500));
    REQUIRE(r.tokens.size() == 500);
    REQUIRE(r.specials.size() == 1);
    const BpeTokenizer t = r.tokenizer();
    const auto ids = t.encode(text);
    CHECK(ids.size() * 10 < text.size() * 6);     // 244 merges already save 40% of the length
    CHECK(t.decode(ids) == text);
    const ladder::testing::TempDir tmp("ch04_save");
    const auto dir = tmp / "tokenizer";
    t.save(dir);
    const BpeTokenizer u = BpeTokenizer::load_gpt2(dir);
    CHECK(u.vocab_size() == t.vocab_size());
    CHECK(u.encode(text) == ids);
    CHECK(u.special_id(kEndOfText) == r.specials[0]);
    CHECK(read_file(dir / "encoder.json") == t.encoder_json());
}

TEST_CASE("ch04 decode of encode is exact for any bytes, on any thread count", "[ch04][roundtrip]") {
    const BpeTokenizer t = train_bpe(corpus(), options(500)).tokenizer();
    std::mt19937 rng(7);
    for (int k = 0; k < 300; ++k) {
        const std::string s = random_bytes(rng, rng() % 200);
        INFO(printable(s));
        REQUIRE(t.decode(t.encode(s)) == s);
        EncodeOptions allow;
        allow.allow_special = true;
        REQUIRE(t.decode(t.encode(s, allow)) == s);
        for (auto p : pretokenize(s))
            if (p.size() <= kShortPiece)
                REQUIRE(encode_piece_with(t, p, MergeLoop::short_only) == encode_piece_with(t, p, MergeLoop::long_only));
    }
    const std::string big = random_bytes(rng, 600000) + corpus();
    EncodeOptions two;
    two.threads = 2;
    const auto ids = t.encode(big);
    CHECK(t.encode(big, two) == ids);
    CHECK(t.decode(ids) == big);
}

// ---- bad input ----
TEST_CASE("ch04 invalid UTF-8: encoded as bytes, printed with U+FFFD, decoded exactly", "[ch04][bad-input]") {
    const BpeTokenizer t = train_bpe(corpus(), options(400)).tokenizer();
    const std::string bad = "ok \xff\xfe broken \xed\x95 half";
    const auto ids = t.encode(bad);
    CHECK(t.decode(ids) == bad);
    CHECK(printable(bad) == "ok \xef\xbf\xbd\xef\xbf\xbd broken \xef\xbf\xbd\xef\xbf\xbd half");
}

TEST_CASE("ch04 decode rejects ids out of range, naming the position", "[ch04][bad-input]") {
    const BpeTokenizer t = train_bpe(corpus(), options(300)).tokenizer();
    const std::vector<TokenId> ids = {1, 2, 300, 3};
    REQUIRE_THROWS_WITH(t.decode(ids), Catch::Contains("id 300 at position 2") && Catch::Contains("0..299"));
    const std::vector<TokenId> neg = {-1};
    REQUIRE_THROWS_WITH(t.decode(neg), Catch::Contains("id -1 at position 0"));
    REQUIRE_THROWS_WITH(ByteTokenizer().decode(std::vector<TokenId>{256}), Catch::Contains("id 256 at position 0"));
}

TEST_CASE("ch04 training rejects an empty corpus and a vocabulary under 256", "[ch04][bad-input]") {
    REQUIRE_THROWS_WITH(train_bpe("", options(300)), Catch::Contains("corpus is empty"));
    REQUIRE_THROWS_WITH(train_bpe_naive("", options(300)), Catch::Contains("corpus is empty"));
    REQUIRE_THROWS_WITH(train_bpe("abc", options(200)), Catch::Contains("vocabulary size 200 is smaller than the 257"));
    // A corpus too small for the vocabulary stops early, and says so. The pieces are "ab", " ab",
    // " ab": (a,b) occurs 3 times and merges, then (' ',ab) twice and merges; after that no pair
    // is left (merges never cross pieces, so "ab " cannot form).
    const TrainResult r = train_bpe("ab ab ab", options(1000));
    CHECK(r.stopped_early);
    REQUIRE(r.merges.size() == 2);
    CHECK(r.tokens[r.merges[0].result] == "ab");
    CHECK(r.tokens[r.merges[1].result] == " ab");
}

namespace {
// A tiny GPT-2-style pair of files: bytes, then "Ġt" and "Ġth" ... built from the real
// alphabet so that only the part under test is broken.
std::string tiny_encoder(bool with_merged_token) {
    std::string s = "{";
    for (int i = 0; i < 256; ++i) {
        const std::string tok = bytes_to_gpt2_text(std::string(1, static_cast<char>(gpt2_byte_order()[i])));
        std::string esc;
        for (char c : tok) esc += (c == '"' || c == '\\') ? std::string("\\") + c : std::string(1, c);
        s += (i ? ", \"" : "\"") + esc + "\": " + std::to_string(i);
    }
    if (with_merged_token) s += ", \"\xc4\xa0t\": 256";
    return s + "}";
}
}  // namespace

TEST_CASE("ch04 GPT-2 file loaders name the bad line or token", "[ch04][bad-input]") {
    const std::string good_merges = "#version: 0.2\n\xc4\xa0 t\n";
    const BpeTokenizer ok = BpeTokenizer::from_gpt2_text(tiny_encoder(true), good_merges);
    CHECK(ok.vocab_size() == 257);
    CHECK(ok.encode(" t") == std::vector<TokenId>{256});
    // A malformed vocab.bpe line.
    REQUIRE_THROWS_WITH(BpeTokenizer::from_gpt2_text(tiny_encoder(true), "#version: 0.2\n\xc4\xa0 t\nab\n"),
                        Catch::Contains("vocab.bpe line 3: expected two tokens separated by one space"));
    REQUIRE_THROWS_WITH(BpeTokenizer::from_gpt2_text(tiny_encoder(true), "#version: 0.2\na b c\n"),
                        Catch::Contains("vocab.bpe line 2"));
    // encoder.json lacks the token a merge makes.
    REQUIRE_THROWS_WITH(BpeTokenizer::from_gpt2_text(tiny_encoder(false), good_merges),
                        Catch::Contains("encoder.json lacks the token \"\xc4\xa0t\" that vocab.bpe line 2 makes"));
    // A merge of a token that is not in encoder.json.
    REQUIRE_THROWS_WITH(BpeTokenizer::from_gpt2_text(tiny_encoder(true), "#version: 0.2\nxy z\n"),
                        Catch::Contains("vocab.bpe line 2: token \"xy\" is not in encoder.json"));
    // Broken JSON, ids that are not dense, a character outside the byte alphabet.
    REQUIRE_THROWS_WITH(BpeTokenizer::from_gpt2_text("{\"a\": 0,", good_merges), Catch::Contains("encoder.json: not valid JSON"));
    REQUIRE_THROWS_WITH(BpeTokenizer::from_gpt2_text("{\"a\": 5}", ""), Catch::Contains("not an integer in 0..0"));
    REQUIRE_THROWS_WITH(BpeTokenizer::from_gpt2_text("{\"\xe2\x82\xac\": 0}", ""), Catch::Contains("outside GPT-2's byte alphabet"));
    REQUIRE_THROWS_WITH(BpeTokenizer::from_gpt2_text("[1, 2]", ""), Catch::Contains("expected a JSON object"));
    // A vocabulary without every byte.
    REQUIRE_THROWS_WITH(BpeTokenizer::from_gpt2_text("{\"a\": 0}", ""), Catch::Contains("256 byte tokens"));
    // A directory with neither pair of names.
    const ladder::testing::TempDir tmp("ch04_load");
    REQUIRE_THROWS_WITH(BpeTokenizer::load_gpt2(tmp / "no_such_dir"),
                        Catch::Contains("neither encoder.json + vocab.bpe"));
}
