// ch03_test.cpp: chapter 3's program end to end (--quick, on the hand-written sample): it
// trains on cpu and simt, writes its summary, CSVs and vectors, is reproducible at one
// thread, and turns bad input (unknown words, bad vector files, an empty corpus) into
// clear errors with a non-zero exit.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>

#include "chapters/ch03_word2vec/corpus.hpp"
#include "chapters/ch03_word2vec/analogies.hpp"
#include "chapters/ch03_word2vec/vectors.hpp"
#include "core/fileio.hpp"
#include "tests/chapters/run_chapter.hpp"

using namespace ladder;

namespace {
const std::string kSample = std::string(LADDER_SOURCE_DIR) + "/data/samples/ch03_corpus.txt";

std::filesystem::path write_temp(const std::string& name, const std::string& content) {
    const auto p = std::filesystem::temp_directory_path() / ("ladder_ch03e2e_" + std::to_string(::getpid()) + name);
    std::ofstream(p, std::ios::binary) << content;
    return p;
}
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
        const double loss = s["final_loss"].get<double>();
        REQUIRE(std::isfinite(loss));
        REQUIRE(loss > 0);
        REQUIRE(s["analogy_answered"] == answerable);
        REQUIRE(s["analogy_accuracy"].get<double>() >= 0);
        REQUIRE(s["neighbours"].size() >= 5);
        REQUIRE(s["neighbours"][0]["neighbours"].size() == 8);
        REQUIRE(s["clusters"].size() >= 2);
        REQUIRE(s["odd_one_out"].size() >= 1);
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

    const auto truncated = write_temp("trunc.txt", "3 2\nking 0.1 0.2\nqueen 0.3 0.4\n");
    const auto t = testing::run_chapter("ch03", "--quick --load " + truncated.string());
    REQUIRE(t.exit_code == 1);
    REQUIRE_THAT(t.output, Catch::Contains(truncated.string() + ": truncated") && Catch::Contains("line 3"));

    const auto wrong = write_temp("dim.txt", "2 2\nking 0.1 0.2\nqueen 0.3 0.4 0.5\n");
    const auto w = testing::run_chapter("ch03", "--quick --load " + wrong.string());
    REQUIRE(w.exit_code == 1);
    REQUIRE_THAT(w.output, Catch::Contains(wrong.string() + ": line 3: 'queen' has 3 values"));

    const auto good = write_temp("good.txt", "2 2\nking 0.1 0.2\nqueen 0.3 0.4\n");
    const auto d = testing::run_chapter("ch03", "--quick --dim 50 --load " + good.string());
    REQUIRE(d.exit_code == 1);
    REQUIRE_THAT(d.output, Catch::Contains(good.string() + ": the vectors have dimension 2, expected 50"));

    const auto empty = write_temp("empty.txt", "\n  \n--- ...\n");
    const auto e = testing::run_chapter("ch03", "--quick --corpus " + empty.string());
    REQUIRE(e.exit_code == 1);
    REQUIRE_THAT(e.output, Catch::Contains(empty.string() + ": the corpus holds no words"));
}
