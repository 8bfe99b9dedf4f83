// ch03_test.cpp: chapter 3's program end to end (--quick, on the hand-written sample): it
// trains on cpu and simt, writes its summary, CSVs and vectors, is reproducible at one
// thread, and turns bad input (unknown words, bad vector files, an empty corpus) into
// clear errors with a non-zero exit.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "chapters/ch03_word2vec/corpus.hpp"
#include "chapters/ch03_word2vec/analogies.hpp"
#include "chapters/ch03_word2vec/vectors.hpp"
#include "core/fileio.hpp"
#include "tests/chapters/run_chapter.hpp"
#include "tests/temp_dir.hpp"

using namespace ladder;

namespace {
const std::string kSample = std::string(LADDER_SOURCE_DIR) + "/data/samples/ch03_corpus.txt";
}  // namespace

TEST_CASE("ch03 trains on the sample on cpu and simt and writes its summary", "[ch03][chapters]") {
    // What the summary must report, computed here from the sample itself.
    const auto sentences = ch03::read_sentences(kSample);
    std::size_t words = 0;
    for (const auto& s : sentences) words += s.size();
    const ch03::Vocab v = ch03::build_vocab(sentences, 2, kSample);
    const std::size_t vocab = v.size();
    std::size_t answerable = 0;   // questions whose four words are all in the vocabulary
    for (const auto& sec : ch03::read_questions(std::string(LADDER_SOURCE_DIR) + "/data/samples/ch03_questions.txt"))
        for (const auto& q : sec.questions)
            answerable += v.id(q.a) >= 0 && v.id(q.b) >= 0 && v.id(q.c) >= 0 && v.id(q.d) >= 0;
    REQUIRE(answerable > 5);
    // What the --quick run shows, from the same vocabulary: the probe words it knows (ch03.cpp's
    // neighbour queries and odd-one-out sets), and k-means with 6 clusters over its first
    // min(V, 200) words.
    std::size_t probes = 0, odd_sets = 0;
    for (const char* w : {"king", "god", "water", "horse", "love", "red", "father", "city", "gold", "eat"}) probes += v.id(w) >= 0;
    const std::vector<std::vector<std::string>> sets{{"horse", "cow", "sheep", "sword"}, {"red", "green", "blue", "king"},
                                                     {"father", "mother", "son", "river"}, {"gold", "silver", "iron", "love"},
                                                     {"eat", "drink", "bread", "walk"}};
    for (const auto& set : sets)
        odd_sets += std::all_of(set.begin(), set.end(), [&](const std::string& w) { return v.id(w) >= 0; });
    REQUIRE(probes >= 5);
    REQUIRE(odd_sets >= 1);
    const std::size_t clustered = std::min<std::size_t>(vocab, 200);
    // Chance level of the analogy accuracy: 3CosAdd answers with one of the V - 3 words that are
    // not a, b or c, so vectors that learned nothing get 1/(V - 3) of the questions right (1/121
    // of the 10 answerable ones here: 0.08 expected). Trained, they get most of the family and
    // plural questions. We require 3 of 10 right: chance gets that many with probability
    // C(10,3) / 121^3 < 1e-4.
    const double chance = 1.0 / static_cast<double>(vocab - 3);
    const double min_accuracy = 3.0 / static_cast<double>(answerable);
    REQUIRE(min_accuracy > 20 * chance);
    for (const char* backend : {"cpu", "simt"}) {
        const auto run = testing::run_chapter("ch03", std::string("--quick --no-progress --threads 2 --backend ") + backend);
        INFO(run.output);
        REQUIRE(run.exit_code == 0);
        REQUIRE_THAT(run.output, Catch::Contains("Nearest neighbours") && Catch::Contains("Analogy accuracy") &&
                                     Catch::Contains("k-means") && Catch::Contains("does not belong"));
        const auto s = run.summary();
        REQUIRE(s["chapter"] == "ch03");
        REQUIRE(s["backend"] == backend);
        REQUIRE(s["corpus_words"] == words);
        REQUIRE(s["vocab_size"] == vocab);
        REQUIRE(s["words_per_sec"].get<double>() > 0);
        // Both trainers start with w_out = 0: every score is 0 and each of the 1 + K terms of a
        // pair's loss is -log sigmoid(0) = ln 2. Vectors that learned anything end below that
        // (a diverging run ends far above it, or not finite).
        const double loss = s["final_loss"].get<double>();
        const double initial_loss = (1.0 + s["train"]["negative"].get<double>()) * std::log(2.0);
        REQUIRE(std::isfinite(loss));
        REQUIRE(loss > 0);
        REQUIRE(loss < initial_loss);
        REQUIRE(s["analogy_answered"] == answerable);
        REQUIRE(s["analogy_accuracy"].get<double>() >= min_accuracy);
        REQUIRE(s["neighbours"].size() == probes);
        for (const auto& n : s["neighbours"]) REQUIRE(n["neighbours"].size() == 8);
        REQUIRE(s["clusters"].size() == 6);
        std::size_t members = 0;
        for (const auto& c : s["clusters"]) members += c["size"].get<std::size_t>();
        REQUIRE(members == clustered);
        REQUIRE(s["odd_one_out"].size() == odd_sets);
        for (const char* f : {"loss.csv", "map.csv", "neighbours.csv", "vectors.txt", "vectors.bin"})
            REQUIRE(std::filesystem::exists(run.out_dir / f));
        const auto vecs = ch03::load_vectors(run.out_dir / "vectors.bin", 32);
        REQUIRE(vecs.size() == vocab);
        REQUIRE(ch03::load_vectors(run.out_dir / "vectors.txt").vecs == vecs.vecs);
    }
}

TEST_CASE("ch03 is reproducible bit for bit at one thread, with and without --per-pair-negatives", "[ch03][chapters]") {
    std::string vectors[2];
    for (bool shared : {false, true}) {
        const std::string args = std::string("--quick --no-progress --threads 1 --epochs 3") + (shared ? "" : " --per-pair-negatives");
        const auto a = testing::run_chapter("ch03", args);
        const auto b = testing::run_chapter("ch03", args);
        INFO(args << "\n" << a.output);
        REQUIRE(a.exit_code == 0);
        REQUIRE(b.exit_code == 0);
        REQUIRE(a.summary()["train"]["negatives_shared"] == shared);
        REQUIRE_THAT(a.output, Catch::Contains(shared ? "negatives shared per window" : "negatives per pair"));
        vectors[shared] = read_file(a.out_dir / "vectors.bin");
        REQUIRE(read_file(b.out_dir / "vectors.bin") == vectors[shared]);
    }
    REQUIRE(vectors[0] != vectors[1]);
}

TEST_CASE("ch03 rejects bad input with clear messages", "[ch03][chapters]") {
    const auto unknown = testing::run_chapter("ch03", "--quick --no-progress --neighbours king xyzzy");
    REQUIRE(unknown.exit_code == 1);
    REQUIRE_THAT(unknown.output, Catch::Contains("unknown word 'xyzzy'"));
    const auto analogy = testing::run_chapter("ch03", "--quick --no-progress --analogy man king plugh");
    REQUIRE(analogy.exit_code == 1);
    REQUIRE_THAT(analogy.output, Catch::Contains("unknown word 'plugh'"));

    const testing::TempDir tmp("ch03_e2e");
    const auto truncated = tmp.write("trunc.txt", "3 2\nking 0.1 0.2\nqueen 0.3 0.4\n");
    const auto t = testing::run_chapter("ch03", "--quick --load " + truncated.string());
    REQUIRE(t.exit_code == 1);
    REQUIRE_THAT(t.output, Catch::Contains(truncated.string() + ": truncated") && Catch::Contains("line 3"));

    const auto wrong = tmp.write("dim.txt", "2 2\nking 0.1 0.2\nqueen 0.3 0.4 0.5\n");
    const auto w = testing::run_chapter("ch03", "--quick --load " + wrong.string());
    REQUIRE(w.exit_code == 1);
    REQUIRE_THAT(w.output, Catch::Contains(wrong.string() + ": line 3: 'queen' has 3 values"));

    const auto good = tmp.write("good.txt", "2 2\nking 0.1 0.2\nqueen 0.3 0.4\n");
    const auto d = testing::run_chapter("ch03", "--quick --dim 50 --load " + good.string());
    REQUIRE(d.exit_code == 1);
    REQUIRE_THAT(d.output, Catch::Contains(good.string() + ": the vectors have dimension 2, expected 50"));

    const auto empty = tmp.write("empty.txt", "\n  \n--- ...\n");
    const auto e = testing::run_chapter("ch03", "--quick --corpus " + empty.string());
    REQUIRE(e.exit_code == 1);
    REQUIRE_THAT(e.output, Catch::Contains(empty.string() + ": the corpus holds no words"));
}
