// ch04_gpt2_test.cpp: our BPE encoder against GPT-2's reference encoder (npm tiktoken,
// run now through node: no id is pasted here) on a mixed corpus, on every Unicode code
// point in short contexts, and with the special token; GPT-2's files saved back byte for
// byte. Needs `npm ci --prefix tools/tiktoken`; without it these tests fail and say so.
#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>
#include <optional>

#include "chapters/ch04_tokenization/bpe_internal.hpp"
#include "chapters/ch04_tokenization/reference.hpp"
#include "core/error.hpp"
#include "core/fileio.hpp"
#include "core/text.hpp"
#include "tests/temp_dir.hpp"

using namespace ladder;
using namespace ladder::tok;

namespace {

// The reference must be installed: CI must never skip the GPT-2 check silently.
std::filesystem::path reference_dir() {
    const auto dir = default_tiktoken_dir();
    if (auto missing = reference_missing(dir)) FAIL(*missing);
    return dir;
}

const BpeTokenizer& gpt2() {
    static const std::optional<BpeTokenizer> t = [] {
        return std::optional<BpeTokenizer>(BpeTokenizer::load_gpt2(gpt2_files_dir(reference_dir())));
    }();
    return *t;
}

std::string sample(const std::string& name) {
    return read_file(std::filesystem::path(LADDER_SOURCE_DIR) / "data" / "samples" / name);
}

std::string pieces_of(std::string_view text) {
    std::string out;
    for (auto p : pretokenize(text)) out += "[" + printable(p) + "]";
    return out;
}

// Runs of spaces, tabs and newlines of every length 1..6 before letters, digits,
// punctuation and the end; digits and contractions.
std::string whitespace_corpus() {
    std::string s;
    const char* ends[] = {"x", "1", "!", "\n", "", " y", "한"};
    const char* ws[] = {" ", "\n", "\t", "\r\n", " \n", "\n ", "\u3000", "\u00a0"};
    for (const char* w : ws)
        for (int n = 1; n <= 6; ++n)
            for (const char* e : ends) {
                s += "a";
                for (int k = 0; k < n; ++k) s += w;
                s += e;
            }
    s += "123456789 1,000,000 3.14 007 x2 2x ½5 ";
    s += "it's IT'S we've they'll I'd he'd'nt 'tis ''s 's't '' ' ";
    return s;
}

}  // namespace

TEST_CASE("ch04 GPT-2 ids match tiktoken on English, code, Korean, emoji and whitespace", "[ch04][gpt2]") {
    const auto dir = reference_dir();
    const BpeTokenizer& t = gpt2();
    REQUIRE(t.vocab_size() == 50257);
    REQUIRE(t.merges().size() == 50000);
    std::vector<std::string> texts = {sample("ch04_mixed.txt"), sample("ch04_english.txt"), sample("ch04_korean.txt"),
                                      sample("ch04_code.txt"), whitespace_corpus(), nfd(sample("ch04_korean.txt")),
                                      "", " ", "\n", "  ", "a", "<|endoftext|>", "x <|endoftext|> y"};
    // Each line alone too: line starts and ends are where the whitespace rules differ.
    const std::string mixed = sample("ch04_mixed.txt");
    for (std::size_t i = 0; i < mixed.size();) {
        const std::size_t eol = std::min(mixed.find('\n', i), mixed.size());
        texts.push_back(mixed.substr(i, eol - i));                  // without its newline
        texts.push_back(mixed.substr(i, eol + 1 - i));              // with it
        i = eol + 1;
    }
    const auto expected = tiktoken_ids_many(dir, texts);
    REQUIRE(expected.size() == texts.size());
    for (std::size_t i = 0; i < texts.size(); ++i) {
        INFO("text " << i << ": " << printable(texts[i].substr(0, 300)) << "\npieces: " << pieces_of(texts[i].substr(0, 300)));
        CHECK(t.encode(texts[i]) == expected[i]);
    }
}

TEST_CASE("ch04 GPT-2 special token only where allowed", "[ch04][gpt2]") {
    const auto dir = reference_dir();
    const BpeTokenizer& t = gpt2();
    const std::string text = "first<|endoftext|>second <|endoftext|><|endoftext|> third<|endoftext";
    REQUIRE(t.special_id(kEndOfText) == 50256);
    const auto plain = t.encode(text);
    CHECK(plain == tiktoken_ids(dir, text, false));
    CHECK(std::count(plain.begin(), plain.end(), 50256) == 0);
    EncodeOptions allow;
    allow.allow_special = true;
    const auto special = t.encode(text, allow);
    CHECK(special == tiktoken_ids(dir, text, true));
    CHECK(std::count(special.begin(), special.end(), 50256) == 3);
    CHECK(t.decode(special) == text);
}

namespace {

// Every code point (surrogates aside) in short contexts: between letters, after a space,
// between digits, before a newline, after a run of spaces. Each context asks whether the
// character is a letter, a number or a space.
std::string snippet(char32_t cp) {
    std::string c;
    append_utf8(c, cp);
    return "a" + c + "b " + c + "x 1" + c + "2" + c + "\n  " + c + "y\n";
}

// Compares `ours` with the reference on chunks of 512 code points; on a mismatch, names
// the code points (their snippets one by one) and how we split them.
using Encode = std::function<std::vector<TokenId>(const std::string&)>;
using Reference = std::function<std::vector<std::vector<TokenId>>(const std::vector<std::string>&)>;
void check_every_code_point(const Encode& ours, const Reference& reference) {
    constexpr char32_t kChunk = 512;
    std::vector<std::string> chunks;
    std::vector<std::pair<char32_t, char32_t>> ranges;
    for (char32_t first = 0; first <= 0x10FFFF; first += kChunk) {
        std::string text;
        for (char32_t cp = first; cp < first + kChunk && cp <= 0x10FFFF; ++cp)
            if (cp < 0xD800 || cp > 0xDFFF) text += snippet(cp);
        if (text.empty()) continue;
        chunks.push_back(std::move(text));
        ranges.emplace_back(first, std::min<char32_t>(first + kChunk - 1, 0x10FFFF));
    }
    const auto expected = reference(chunks);
    REQUIRE(expected.size() == chunks.size());
    std::vector<std::size_t> bad;
    for (std::size_t i = 0; i < chunks.size(); ++i)
        if (ours(chunks[i]) != expected[i]) bad.push_back(i);
    if (bad.empty()) return;
    std::vector<std::string> singles;
    std::vector<char32_t> cps;
    for (std::size_t k = 0; k < std::min<std::size_t>(bad.size(), 4); ++k)
        for (char32_t cp = ranges[bad[k]].first; cp <= ranges[bad[k]].second; ++cp)
            if (cp < 0xD800 || cp > 0xDFFF) {
                singles.push_back(snippet(cp));
                cps.push_back(cp);
            }
    const auto exp1 = reference(singles);
    std::string report;
    std::size_t shown = 0;
    for (std::size_t i = 0; i < singles.size() && shown < 40; ++i)
        if (ours(singles[i]) != exp1[i]) {
            report += fmt::format("U+{:04X} ({}, our class {}) our pieces: {}\n", static_cast<unsigned>(cps[i]),
                                  unicode_category(cps[i]), static_cast<int>(gpt2_char_class(cps[i])), pieces_of(singles[i]));
            ++shown;
        }
    FAIL(bad.size() << " chunk(s) of " << static_cast<unsigned>(kChunk) << " code points differ, the first at U+"
                    << fmt::format("{:04X}", static_cast<unsigned>(ranges[bad[0]].first)) << "; code points:\n" << report);
}

}  // namespace

TEST_CASE("ch04 GPT-2 ids match tiktoken for every code point in several contexts", "[ch04][gpt2][unicode]") {
    const auto dir = reference_dir();
    const BpeTokenizer& t = gpt2();
    check_every_code_point([&](const std::string& s) { return t.encode(s); },
                           [&](const std::vector<std::string>& texts) { return tiktoken_ids_many(dir, texts); });
}

// GPT-2's own merges rarely cross a character boundary, so a wrong letter/number/space
// class for a rare character may not change GPT-2's ids at all. Here the vocabulary
// (every byte pair) makes each piece boundary visible: this checks the pre-tokeniser's
// classes themselves against tiktoken's regex engine.
TEST_CASE("ch04 pre-tokeniser pieces match tiktoken's regex for every code point", "[ch04][gpt2][unicode]") {
    const auto dir = reference_dir();
    const BpeTokenizer b = boundary_tokenizer();
    check_every_code_point([&](const std::string& s) { return b.encode(s); },
                           [&](const std::vector<std::string>& texts) { return tiktoken_pieces_many(dir, texts); });
}

TEST_CASE("ch04 GPT-2 files load and save back byte for byte", "[ch04][gpt2]") {
    const auto files = gpt2_files_dir(reference_dir());
    const BpeTokenizer& t = gpt2();
    CHECK(t.encoder_json() == read_file(files / "encoder.json"));
    CHECK(t.vocab_bpe() == read_file(files / "vocab.bpe"));
    // The Hugging Face names for the same bytes load too.
    const ladder::testing::TempDir tmp("ch04_hf");
    const auto& hf = tmp.path();
    std::filesystem::copy_file(files / "encoder.json", hf / "vocab.json", std::filesystem::copy_options::overwrite_existing);
    std::filesystem::copy_file(files / "vocab.bpe", hf / "merges.txt", std::filesystem::copy_options::overwrite_existing);
    const BpeTokenizer h = BpeTokenizer::load_gpt2(hf);
    CHECK(h.encode("Hello, 세계!") == t.encode("Hello, 세계!"));
}

TEST_CASE("ch04 GPT-2 encode is identical on 1 and 2 threads and round-trips", "[ch04][gpt2]") {
    const BpeTokenizer& t = gpt2();
    std::string big;
    const std::string parts[] = {sample("ch04_mixed.txt"), sample("ch04_korean.txt"), sample("ch04_code.txt"), whitespace_corpus()};
    for (int k = 0; big.size() < (1u << 20); ++k) big += parts[k % 4] + std::to_string(k) + (k % 3 ? " " : "\n");
    EncodeOptions one, two, many;
    two.threads = 2;
    many.threads = 7;
    const auto ids1 = t.encode(big, one);
    CHECK(t.encode(big, two) == ids1);
    CHECK(t.encode(big, many) == ids1);
    CHECK(t.decode(ids1) == big);
    // Every safe split point really is one: the parts cover the text, and pre-tokenising them
    // one by one gives the very pieces of the whole text (no piece is cut at a split).
    const auto parts_at = split_for_threads(big, 64);
    REQUIRE(parts_at.size() > 8);
    std::size_t total = 0;
    std::vector<std::string_view> pieces;
    for (auto p : parts_at) {
        total += p.size();
        for (auto piece : pretokenize(p)) pieces.push_back(piece);
    }
    CHECK(total == big.size());
    const auto whole = pretokenize(big);
    REQUIRE(pieces.size() == whole.size());
    const auto first_diff = std::mismatch(pieces.begin(), pieces.end(), whole.begin()).first - pieces.begin();
    CHECK(first_diff == static_cast<std::ptrdiff_t>(pieces.size()));   // else: the index of the first cut piece
}

TEST_CASE("ch04 both merge loops agree on every piece", "[ch04][gpt2]") {
    const BpeTokenizer& t = gpt2();
    std::string text = sample("ch04_mixed.txt") + sample("ch04_korean.txt") + whitespace_corpus();
    text += std::string(200, ' ') + "x" + std::string(300, '!') + std::string(100, 'a');
    for (auto piece : pretokenize(text)) {
        if (piece.size() > kShortPiece) continue;
        INFO(printable(piece));
        CHECK(encode_piece_with(t, piece, MergeLoop::short_only) == encode_piece_with(t, piece, MergeLoop::long_only));
    }
    // Long pieces only take the heap; they still match tiktoken (checked above) and
    // their bytes come back.
    const std::string run(5000, ' ');
    const auto ids = t.encode(run + "x");
    CHECK(t.decode(ids) == run + "x");
}
