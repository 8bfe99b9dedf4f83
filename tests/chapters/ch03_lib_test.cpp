// ch03_lib_test.cpp: unit tests of chapter 3's library: vocabulary, subsampling, the unigram
// table, vector files (round trips and bad files), questions, search on cpu and simt,
// analogies, odd one out, PCA, k-means, PPMI, and both trainers (reproducibility, quality),
// the CPU one in both negative-sampling modes.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>

#include "chapters/ch03_word2vec/analysis.hpp"
#include "chapters/ch03_word2vec/corpus.hpp"
#include "chapters/ch03_word2vec/trainer.hpp"
#include "chapters/ch03_word2vec/analogies.hpp"
#include "chapters/ch03_word2vec/search.hpp"
#include "chapters/ch03_word2vec/vectors.hpp"
#include "core/error.hpp"
#include "core/fileio.hpp"
#include "core/rng.hpp"
#include "tests/temp_dir.hpp"

using namespace ladder;
using namespace ladder::ch03;
namespace fs = std::filesystem;

namespace {

using Sentences = std::vector<std::vector<std::string>>;

// Random vectors for `n` words "w0".."w{n-1}".
Embeddings random_embeddings(std::size_t n, std::size_t D, std::uint64_t seed) {
    Rng rng(seed);
    std::vector<std::string> words;
    for (std::size_t i = 0; i < n; ++i) words.push_back("w" + std::to_string(i));
    std::vector<float> v(n * D);
    rng.fill_normal(v, 0, 1);
    return Embeddings(words, v, D);
}

// Two topics that never share a sentence: a0..a9 and b0..b9, plus a shared filler word.
Sentences topic_corpus(std::size_t n_sentences, std::uint64_t seed) {
    Rng rng(seed);
    Sentences s;
    for (std::size_t i = 0; i < n_sentences; ++i) {
        const char topic = i % 2 ? 'a' : 'b';
        std::vector<std::string> sent;
        for (int j = 0; j < 8; ++j) sent.push_back(std::string(1, topic) + std::to_string(rng.below(10)));
        sent.insert(sent.begin() + 4, "the");
        s.push_back(sent);
    }
    return s;
}

// Mean cosine within a topic minus the mean across topics.
double topic_margin(const Embeddings& e) {
    double within = 0, across = 0;
    int nw = 0, na = 0;
    for (int i = 0; i < 10; ++i)
        for (int j = 0; j < 10; ++j)
            for (char t1 : {'a', 'b'})
                for (char t2 : {'a', 'b'}) {
                    const auto x = e.id(std::string(1, t1) + std::to_string(i)), y = e.id(std::string(1, t2) + std::to_string(j));
                    if (x == y) continue;
                    double dot = 0;
                    for (std::size_t k = 0; k < e.D; ++k) dot += e.unit_row(x)[k] * e.unit_row(y)[k];
                    (t1 == t2 ? within : across) += dot;
                    (t1 == t2 ? nw : na) += 1;
                }
    return within / nw - across / na;
}

}  // namespace

TEST_CASE("ch03 vocabulary: counts, order, min-count and the empty cases", "[ch03][lib]") {
    const testing::TempDir tmp("ch03_lib");
    const Sentences s{{"b", "a", "c", "a"}, {"b", "a", "d"}};
    const Vocab v = build_vocab(s, 2, "test");
    REQUIRE(v.words == std::vector<std::string>{"a", "b"});   // a: 3, b: 2; c, d dropped
    REQUIRE(v.counts == std::vector<std::uint64_t>{3, 2});
    REQUIRE(v.total == 5);
    REQUIRE(v.id("c") == -1);
    const Corpus c = encode(s, v);
    REQUIRE(c.ids == std::vector<std::int32_t>{1, 0, 0, 1, 0});
    REQUIRE(c.starts == std::vector<std::size_t>{0, 3, 5});
    REQUIRE(c.raw_words == 7);
    REQUIRE_THROWS_WITH(build_vocab(s, 4, "test"), Catch::Contains("no word occurs 4 times") && Catch::Contains("--min-count"));
    REQUIRE_THROWS_WITH(build_vocab({}, 1, "empty.txt"), Catch::Contains("empty.txt: the corpus holds no words"));
    const auto empty = tmp.write("empty.txt", "\n  \n...\n");
    REQUIRE_THROWS_WITH(read_sentences(empty), Catch::Contains(empty.string()) && Catch::Contains("holds no words"));
}

TEST_CASE("ch03 subsampling keeps frequent words with word2vec's probability", "[ch03][lib]") {
    Vocab v;
    v.counts = {50, 1};
    v.words = {"the", "rare"};
    v.total = 1000;   // f("the") = 0.05
    const auto keep = keep_thresholds(v, 1e-3);
    const double p = (std::sqrt(0.05 / 1e-3) + 1) * 1e-3 / 0.05;   // 0.1614...
    REQUIRE(keep[0] / 4294967296.0 == Approx(p).epsilon(1e-8));
    REQUIRE(keep[1] == 0xffffffffu);   // f = 0.001: p = 2 > 1, always kept
    REQUIRE(keep_thresholds(v, 0)[0] == 0xffffffffu);
}

TEST_CASE("ch03 unigram table gives each word a share proportional to count^0.75", "[ch03][lib]") {
    Vocab v;
    v.counts = {1000, 100, 10, 1};
    v.words = {"a", "b", "c", "d"};
    const std::size_t size = 100000;
    const auto table = unigram_table(v, size);
    std::vector<double> share(4, 0);
    for (auto w : table) share[w] += 1.0 / size;
    double norm = 0;
    for (auto c : v.counts) norm += std::pow(c, 0.75);
    for (std::size_t w = 0; w < 4; ++w) REQUIRE(share[w] == Approx(std::pow(v.counts[w], 0.75) / norm).margin(2.0 / size));
}

TEST_CASE("ch03 vectors round-trip through the word2vec text and binary formats", "[ch03][lib]") {
    const testing::TempDir tmp("ch03_lib");
    const Embeddings e = random_embeddings(7, 5, 3);
    for (const char* name : {"v.txt", "v.bin"}) {
        const fs::path p = tmp / name;
        if (std::string(name) == "v.bin") save_binary(e, p);
        else save_text(e, p);
        const Embeddings back = load_vectors(p);
        REQUIRE(back.words == e.words);
        REQUIRE(back.vecs == e.vecs);   // bit for bit: %.9g and raw floats both round-trip
        REQUIRE_THROWS_WITH(load_vectors(p, 6), Catch::Contains(p.string()) && Catch::Contains("dimension 5, expected 6"));
    }
}

TEST_CASE("ch03 bad vector files get errors that name the file and the place", "[ch03][lib]") {
    const testing::TempDir tmp("ch03_lib");
    const auto truncated = tmp.write("trunc.txt", "3 2\nthe 0.1 0.2\nking 0.3 0.4\n");
    REQUIRE_THROWS_WITH(load_vectors(truncated), Catch::Contains(truncated.string()) && Catch::Contains("truncated") &&
                                                     Catch::Contains("promises 3 words"));
    const auto wrong_dim = tmp.write("dim.txt", "2 3\nthe 0.1 0.2 0.3\nking 0.3 0.4\n");
    REQUIRE_THROWS_WITH(load_vectors(wrong_dim), Catch::Contains(wrong_dim.string() + ": line 3") &&
                                                     Catch::Contains("'king' has 2 values") && Catch::Contains("dimension is 3"));
    const auto bad_header = tmp.write("hdr.txt", "hello world\n");
    REQUIRE_THROWS_WITH(load_vectors(bad_header), Catch::Contains("line 1: expected a header"));
    const auto not_number = tmp.write("nan.txt", "1 2\nthe 0.1 x\n");
    REQUIRE_THROWS_WITH(load_vectors(not_number), Catch::Contains("line 2: value 2 of 'the' is not a number"));
    // Binary: cut a valid file short, and claim a dimension the data does not have.
    const Embeddings e = random_embeddings(3, 4, 5);
    const fs::path good = tmp / "good.bin";
    save_binary(e, good);
    const std::string bytes = read_file(good);
    const auto cut = tmp.write("cut.bin", bytes.substr(0, bytes.size() - 7));
    REQUIRE_THROWS_WITH(load_vectors(cut), Catch::Contains(cut.string() + ": truncated at byte") &&
                                               Catch::Contains("record 3 of 3"));
    std::string lie = bytes;
    lie.replace(0, 3, "3 3");   // header "3 4" -> "3 3": records are 4 floats long
    const auto wrong = tmp.write("lie.bin", lie);
    REQUIRE_THROWS_WITH(load_vectors(wrong), Catch::Contains(wrong.string()) && Catch::Contains("does not match the data"));
}

TEST_CASE("ch03 questions file: sections, case folding and errors", "[ch03][lib]") {
    const testing::TempDir tmp("ch03_lib");
    const auto q = tmp.write("q.txt", ": family\nMan King Woman Queen\n\n: plural\ndog dogs cat cats\n");
    const auto s = read_questions(q);
    REQUIRE(s.size() == 2);
    REQUIRE(s[0].name == "family");
    REQUIRE(s[0].questions[0].b == "king");
    REQUIRE(s[1].questions[0].d == "cats");
    const auto bad = tmp.write("qbad.txt", ": family\nman king woman\n");
    REQUIRE_THROWS_WITH(read_questions(bad), Catch::Contains(bad.string() + ": line 2: expected 4 words"));
    const auto empty = tmp.write("qempty.txt", ": family\n");
    REQUIRE_THROWS_WITH(read_questions(empty), Catch::Contains("no questions"));
}

TEST_CASE("ch03 search: cpu (OpenBLAS) and simt (cosine_topk kernel) agree, unknown words throw", "[ch03][lib][simt]") {
    const Embeddings e = random_embeddings(300, 16, 9);
    const Searcher cpu(e, Device::cpu), simt(e, Device::simt);
    const std::vector<std::string> words{"w0", "w17", "w299"};
    const auto a = cpu.neighbours(words, 10), b = simt.neighbours(words, 10);
    for (std::size_t i = 0; i < words.size(); ++i) {
        REQUIRE(a[i].size() == 10);
        for (std::size_t j = 0; j < 10; ++j) {
            REQUIRE(a[i][j].word == b[i][j].word);
            REQUIRE(a[i][j].word != words[i]);
            // Two float dot products of 16 unit-scale terms: differ by < 1e-5.
            REQUIRE(a[i][j].sim == Approx(b[i][j].sim).margin(1e-5));
            if (j) REQUIRE(a[i][j - 1].sim >= a[i][j].sim);
        }
    }
    REQUIRE_THROWS_WITH(cpu.neighbours({"w1", "xyzzy"}, 3), Catch::Contains("unknown word 'xyzzy'"));
}

TEST_CASE("ch03 analogies: 3CosAdd and 3CosMul find d = b - a + c, odd one out", "[ch03][lib]") {
    // Axes: 0 royalty, 1 gender, 2 food; king = royal + male, queen = royal + female, ...
    const std::vector<std::string> words{"king", "queen", "man", "woman", "bread", "apple"};
    const std::vector<float> v{1, 1, 0.1f, 1, -1, 0.1f, 0, 1, 0.1f, 0, -1, 0.1f, 0, 0, 1, 0.1f, 0, 1};
    const Embeddings e(words, v, 3);
    for (Device d : {Device::cpu, Device::simt}) {
        const Searcher s(e, d);
        for (AnalogyMethod m : {AnalogyMethod::add, AnalogyMethod::mul}) {
            const auto r = analogies(s, {{"man", "king", "woman", ""}, {"king", "man", "queen", ""}}, m);
            REQUIRE(r[0].word == "queen");
            // 3CosMul reads "king : man :: queen : ?" differently here: bread is half-similar to
            // all three words, while woman is opposite to man; only 3CosAdd must say woman.
            if (m == AnalogyMethod::add) REQUIRE(r[1].word == "woman");
        }
        REQUIRE_THROWS_WITH(analogies(s, {{"man", "king", "xyzzy", ""}}, AnalogyMethod::add), Catch::Contains("unknown word 'xyzzy'"));
        const auto ev = evaluate(s, {{"t", {{"man", "king", "woman", "queen"}, {"man", "woman", "king", "bread"},
                                            {"man", "king", "zzz", "queen"}}}},
                                 AnalogyMethod::add);
        REQUIRE(ev.correct == 1);
        REQUIRE(ev.answered == 2);
        REQUIRE(ev.total == 3);
    }
    REQUIRE(odd_one_out(e, {"bread", "apple", "king"}) == "king");
    REQUIRE_THROWS_WITH(odd_one_out(e, {"king", "queen", "nope"}), Catch::Contains("unknown word 'nope'"));
}

TEST_CASE("ch03 PCA by power iteration finds the direction of largest spread", "[ch03][lib]") {
    // Points spread along (1, 1, 0) / sqrt 2 (variance 100), a little along z (variance 1).
    std::vector<float> x;
    Rng rng(4);
    for (int i = 0; i < 200; ++i) {
        const float t = 10 * rng.normal(), z = rng.normal();
        x.insert(x.end(), {t / std::sqrt(2.0f), t / std::sqrt(2.0f), z});
    }
    const Pca2 p = pca2(x, 200, 3, 1);
    REQUIRE(std::fabs(p.axes[0]) == Approx(1 / std::sqrt(2.0)).margin(1e-3));   // a sample of 200: not exact
    REQUIRE(std::fabs(p.axes[1]) == Approx(1 / std::sqrt(2.0)).margin(1e-3));
    REQUIRE(std::fabs(p.axes[5]) == Approx(1.0).margin(1e-3));   // second axis: z
    REQUIRE(p.explained[0] > 50 * p.explained[1]);
}

TEST_CASE("ch03 k-means separates blobs, the same on cpu and simt", "[ch03][lib][simt]") {
    std::vector<float> x;
    Rng rng(8);
    const float centres[3][2] = {{0, 0}, {10, 0}, {0, 10}};
    for (int i = 0; i < 90; ++i) x.insert(x.end(), {centres[i % 3][0] + rng.normal(), centres[i % 3][1] + rng.normal()});
    const Clusters a = kmeans(x, 90, 2, 3, 20, 5, Device::cpu), b = kmeans(x, 90, 2, 3, 20, 5, Device::simt);
    REQUIRE(a.assign == b.assign);
    for (int i = 3; i < 90; ++i) REQUIRE(a.assign[i] == a.assign[i % 3]);   // each blob is one cluster
    REQUIRE(a.counts == std::vector<std::int32_t>{30, 30, 30});
}

TEST_CASE("ch03 PPMI count vectors: a worked example", "[ch03][lib]") {
    // Sentences "0 1" and "0 2", window 1: counts (0,1) = (1,0) = (0,2) = (2,0) = 1, total 4.
    Corpus c;
    c.ids = {0, 1, 0, 2};
    c.starts = {0, 2, 4};
    const CountVectors cv = ppmi_vectors(c, 3, 3, 1);
    // PMI(0,1) = log(1 * 4 / (2 * 1)) = log 2, the same for (0,2): row 0 is (0, a, a) / |.|.
    REQUIRE(cv.unit[1] == Approx(1 / std::sqrt(2.0)));
    REQUIRE(cv.unit[2] == Approx(1 / std::sqrt(2.0)));
    REQUIRE(cv.unit[0] == 0);
    REQUIRE(cv.unit[3 * 1 + 0] == Approx(1.0));   // row 1: only context 0
}

TEST_CASE("ch03 CPU trainer is reproducible bit for bit at one thread, in both negative modes", "[ch03][lib][train]") {
    const Sentences s = topic_corpus(400, 1);
    const Vocab v = build_vocab(s, 1, "topics");
    const Corpus c = encode(s, v);
    TrainConfig cfg;
    REQUIRE(cfg.share_negatives);   // the default: one set of negatives per window (Ji et al. 2016)
    cfg.dim = 16;
    cfg.epochs = 3;
    cfg.progress = false;
    cfg.threads = 1;
    std::vector<float> first_w_in[2];
    for (bool shared : {false, true}) {
        INFO((shared ? "shared negatives per window" : "fresh negatives per pair"));
        cfg.share_negatives = shared;
        cfg.seed = 42;
        const TrainResult a = train_cpu(c, v, cfg), b = train_cpu(c, v, cfg);
        REQUIRE(a.w_in == b.w_in);
        REQUIRE(a.w_out == b.w_out);
        REQUIRE(a.final_loss == b.final_loss);
        cfg.seed = 43;
        REQUIRE(train_cpu(c, v, cfg).w_in != a.w_in);
        first_w_in[shared] = a.w_in;
    }
    REQUIRE(first_w_in[0] != first_w_in[1]);   // the two modes really train differently
}

TEST_CASE("ch03 CPU (both negative modes) and GPU (simt) trainers reach comparable quality", "[ch03][lib][train][simt]") {
    // Two topics whose words never meet: after training, words of one topic must be much
    // closer to each other than to the other topic's, whichever trainer learned them.
    const Sentences s = topic_corpus(1500, 2);
    const Vocab v = build_vocab(s, 1, "topics");
    const Corpus c = encode(s, v);
    TrainConfig cfg;
    cfg.dim = 16;
    cfg.epochs = 3;
    cfg.progress = false;
    cfg.sample = 0;
    cfg.gpu_batch = 256;
    cfg.threads = 1;   // reproducible: Hogwild at 2 threads is not
    cfg.share_negatives = false;   // per pair: the same samples as the GPU trainer draws
    const TrainResult cpu = train_cpu(c, v, cfg);
    const TrainResult gpu = train_gpu(Device::simt, c, v, cfg);
    cfg.share_negatives = true;    // the speed route: one set of negatives per window
    const TrainResult shared = train_cpu(c, v, cfg);
    const double m_cpu = topic_margin(Embeddings(v.words, cpu.w_in, cfg.dim));
    const double m_gpu = topic_margin(Embeddings(v.words, gpu.w_in, cfg.dim));
    const double m_shared = topic_margin(Embeddings(v.words, shared.w_in, cfg.dim));
    INFO("margin cpu " << m_cpu << ", gpu " << m_gpu << ", cpu with shared negatives " << m_shared << "; final loss cpu "
                       << cpu.final_loss << ", gpu " << gpu.final_loss << ", shared " << shared.final_loss);
    REQUIRE(m_cpu > 0.5);
    REQUIRE(m_gpu > 0.5);
    REQUIRE(m_shared > 0.5);
    REQUIRE(std::fabs(m_cpu - m_gpu) < 0.3);
    REQUIRE(std::fabs(m_shared - m_cpu) < 0.3);
    // Contexts are random within a topic, so the loss has a high floor: it must fall, not vanish.
    for (const TrainResult* r : {&cpu, &gpu, &shared}) REQUIRE(r->final_loss < r->curve.front().loss);
}
