// ch04_test.cpp: chapter 4's program end to end (--quick, on data/samples): it trains,
// tokenises four ways, checks GPT-2 against tiktoken, runs the kernels, and its
// summary.json, CSV and saved tokenizer say so; bad options get clear messages.
#include <catch2/catch.hpp>

#include "chapters/ch04_tokenization/tokenizer.hpp"
#include "core/fileio.hpp"
#include "tests/chapters/run_chapter.hpp"
#include "tests/temp_dir.hpp"

using namespace ladder;

TEST_CASE("ch04 trains, compares tokenizers and writes its summary", "[ch04][chapters]") {
    const auto run = testing::run_chapter("ch04", "--quick --data-dir " LADDER_SOURCE_DIR "/data");
    INFO(run.output);
    REQUIRE(run.exit_code == 0);
    REQUIRE_THAT(run.output, Catch::Contains("What you just saw") && Catch::Contains("The first merges learned"));
    const auto s = run.summary();
    CHECK(s["chapter"] == "ch04");
    CHECK(s["vocab_size"].get<int>() > 256);
    CHECK(s["merges"].get<int>() > 100);
    CHECK(s["training_seconds"].get<double>() > 0);
    CHECK(s["merges_per_s"].get<double>() > 0);
    CHECK(s["naive"]["same_merges"] == true);
    CHECK(s["encode_mb_s"]["threads_1"].get<double>() > 0);
    CHECK(s["encode_mb_s"]["identical_ids"] == true);
    // The GPT-2 check must run (the reference is installed for the tests) and match.
    CHECK(s["gpt2_check"]["ran"] == true);
    CHECK(s["gpt2_check_matched"] == true);
    for (const char* lang : {"english", "korean", "code"}) CHECK(s["bytes_per_token"][lang].get<double>() > 1.0);
    // Korean costs more tokens per character than English, with GPT-2's vocabulary.
    CHECK(s["cost"]["korean"]["gpt2_tokens_per_char"].get<double>() > s["cost"]["english"]["gpt2_tokens_per_char"].get<double>());
    // NFD spells each syllable with 2-3 jamo: more code points and more bytes than NFC.
    CHECK(s["hangul"]["NFD"]["bytes"].get<int>() > s["hangul"]["NFC"]["bytes"].get<int>());
    for (const auto& [name, k] : s["kernels"].items()) {
        INFO(name);
        CHECK(k["ok"] == true);
    }
    const std::string csv = read_file(run.out_dir / "length_vs_vocab.csv");
    CHECK(csv.rfind("tokenizer,vocab,text,bytes,chars,tokens,bytes_per_token,tokens_per_char", 0) == 0);
    CHECK(csv.find("bpe,256,korean") != std::string::npos);
    // The saved tokenizer loads (GPT-2's format) and round-trips.
    const auto t = tok::BpeTokenizer::load_gpt2(run.out_dir / "tokenizer");
    CHECK(t.vocab_size() == s["vocab_size"].get<std::size_t>());
    const std::string text = "Tokens, 토큰, \xff and more.";
    CHECK(t.decode(t.encode(text)) == text);
}

TEST_CASE("ch04 rejects a vocabulary under 256 and a missing corpus", "[ch04][chapters]") {
    const auto small = testing::run_chapter("ch04", "--quick --vocab 100 --data-dir " LADDER_SOURCE_DIR "/data");
    REQUIRE(small.exit_code == 1);
    REQUIRE_THAT(small.output, Catch::Contains("vocabulary size 100 is smaller than the 257 tokens"));
    // Without --quick the program needs the real corpus: from an empty data folder it is missing.
    const testing::TempDir dir("ch04_empty");
    const auto missing = testing::run_chapter("ch04", "--data-dir " + dir.path().string());
    INFO(missing.output);
    CHECK(missing.exit_code == 1);
    CHECK_THAT(missing.output, Catch::Contains("kjv.txt is missing") && Catch::Contains("./ladder data kjv"));
    const auto bad = testing::run_chapter("ch04", "--no-such-option");
    REQUIRE(bad.exit_code != 0);
}
