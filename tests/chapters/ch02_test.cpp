// ch02_test.cpp: chapter 2's library (vocabulary, count vectors, idf, metrics, naive Bayes,
// search) on hand-made inputs, and its program end to end on data/samples/ch02_quotes
// (--quick, cpu and simt), plus every bad input the chapter promises to handle clearly.
#include <catch2/catch.hpp>

#include <cmath>
#include <set>
#include <sstream>

#include "chapters/ch02_bag_of_words/classifiers.hpp"
#include "chapters/ch02_bag_of_words/corpus.hpp"
#include "chapters/ch02_bag_of_words/features.hpp"
#include "chapters/ch02_bag_of_words/metrics.hpp"
#include "chapters/ch02_bag_of_words/vocab.hpp"
#include "core/device.hpp"
#include "core/fileio.hpp"
#include "tests/chapters/run_chapter.hpp"
#include "tests/temp_dir.hpp"

using namespace ladder;
using namespace ladder::ch02;
namespace fs = std::filesystem;

namespace {
const std::string kSamples = std::string(LADDER_SOURCE_DIR) + "/data/samples/ch02_quotes";

// A corpus folder `name` inside the test's temp dir; each split's text as given.
fs::path make_corpus(const testing::TempDir& tmp, const std::string& name, const std::string& train,
                     const std::string& validation, const std::string& test) {
    for (auto [file, text] : {std::pair{"train.tsv", &train}, {"validation.tsv", &validation}, {"test.tsv", &test}})
        tmp.write(fs::path(name) / file, *text);
    return tmp / name;
}
// The labels of a split's lines (the text before the tab; '#' lines are comments).
std::vector<std::string> labels_of(const fs::path& tsv) {
    std::vector<std::string> out;
    std::istringstream in(read_file(tsv));
    for (std::string line; std::getline(in, line);)
        if (!line.empty() && line[0] != '#') out.push_back(line.substr(0, line.find('\t')));
    return out;
}

// Accuracy from the rows of confusion.csv that belong to `classifier`: the diagonal's share.
double accuracy_from_confusion_csv(const fs::path& csv, const std::string& classifier) {
    std::istringstream in(read_file(csv));
    std::string line;
    std::getline(in, line);   // classifier,true_index,predicted_index,true,predicted,count,row_fraction
    std::int64_t right = 0, all = 0;
    while (std::getline(in, line)) {
        std::vector<std::string> f;
        std::istringstream fields(line);
        for (std::string x; std::getline(fields, x, ',');) f.push_back(x);
        if (f.size() < 6 || f[0] != classifier) continue;
        all += std::stoll(f[5]);
        if (f[1] == f[2]) right += std::stoll(f[5]);
    }
    return all ? static_cast<double>(right) / static_cast<double>(all) : -1.0;
}

const std::string kGoodTrain = "a\tapples and pears\na\tpears and plums\nb\tcars and trucks\nb\ttrucks and buses\n";
const std::string kGoodOther = "a\tapples\nb\tbuses\n";
}  // namespace

TEST_CASE("ch02 vocabulary: counts through the histogram op, min count, max size, <unk>", "[ch02][chapters]") {
    const Tokenised t = tokenise({"the cat and the hat", "The CAT sat"});
    REQUIRE(t.words == std::vector<std::string>{"the", "cat", "and", "hat", "sat"});
    REQUIRE(t.doc_start == std::vector<std::size_t>{0, 5, 8});
    const auto counts = count_words(Backend(Device::cpu), t);
    REQUIRE(counts == std::vector<std::int32_t>{3, 2, 1, 1, 1});
    REQUIRE(count_words(Backend(Device::simt), t) == counts);
    const Vocabulary v(t, counts, {.min_count = 2, .max_size = 10});
    REQUIRE(v.size() == 3);   // <unk>, the, cat
    REQUIRE(v.word(1) == "the");
    REQUIRE(v.id("cat") == 2);
    REQUIRE(v.id("hat") == Vocabulary::unk);
    REQUIRE(v.count(Vocabulary::unk) == 3);   // and, hat, sat
    const Vocabulary small(t, counts, {.min_count = 1, .max_size = 2});
    REQUIRE(small.size() == 2);
    REQUIRE(small.word(1) == "the");
    // Ties are broken alphabetically: and, hat, sat all occur once.
    const Vocabulary all(t, counts, {.min_count = 1, .max_size = 100});
    REQUIRE(all.word(3) == "and");
    REQUIRE(all.word(5) == "sat");
}

TEST_CASE("ch02 count vectors: order is thrown away; idf and TF-IDF rows", "[ch02][chapters]") {
    const Tokenised t = tokenise({"dog bites man", "man bites dog", "the dog sleeps"});
    const Vocabulary v(t, count_words(Backend(Device::cpu), t), {.min_count = 1});
    const Csr m = count_vectors(v, {"Dog bites man!", "man BITES dog", "dog dog zebra"});
    REQUIRE(m.rows == 3);
    REQUIRE(std::vector<std::int32_t>(m.col.begin(), m.col.begin() + 3) == std::vector<std::int32_t>(m.col.begin() + 3, m.col.begin() + 6));
    REQUIRE(std::vector<float>(m.val.begin(), m.val.begin() + 3) == std::vector<float>(m.val.begin() + 3, m.val.begin() + 6));
    // Row 2: <unk> (zebra) once, dog twice.
    REQUIRE(m.row_ptr[3] - m.row_ptr[2] == 2);
    REQUIRE(m.col[6] == Vocabulary::unk);
    REQUIRE(m.val[7] == 2.0f);
    const std::vector<float> idf = inverse_document_frequency(m);
    // "dog" is in all 3 rows: ln(4/4) + 1 = 1; "man" in 2: ln(4/3) + 1.
    REQUIRE(idf[v.id("dog")] == Approx(1.0f));
    REQUIRE(idf[v.id("man")] == Approx(std::log(4.0 / 3.0) + 1));
    for (Device d : {Device::cpu, Device::simt}) {
        const Csr x = tfidf_vectors(Backend(d), m, idf);
        for (std::size_t r = 0; r < x.rows; ++r) {
            double sq = 0;
            for (std::int32_t j = x.row_ptr[r]; j < x.row_ptr[r + 1]; ++j) sq += x.val[j] * x.val[j];
            REQUIRE(sq == Approx(1.0).epsilon(1e-6));
        }
    }
}

TEST_CASE("ch02 cosine search finds the closest document, on cpu and simt", "[ch02][chapters]") {
    const std::vector<std::string_view> docs = {"apples and pears", "cars and trucks", "pears and plums and apples"};
    const Tokenised t = tokenise(docs);
    const Vocabulary v(t, count_words(Backend(Device::cpu), t), {.min_count = 1});
    const Csr counts = count_vectors(v, docs);
    const auto idf = inverse_document_frequency(counts);
    for (Device d : {Device::cpu, Device::simt}) {
        const Backend be(d);
        const Csr x = tfidf_vectors(be, counts, idf), q = tfidf_vectors(be, count_vectors(v, {"trucks", "plums pears"}), idf);
        const auto hits = cosine_search(be, x, q, 2);
        REQUIRE(hits[0][0].doc == 1);
        REQUIRE(hits[1][0].doc == 2);
        REQUIRE(hits[1][1].doc == 0);
        REQUIRE(hits[0][0].score > hits[0][1].score);
    }
}

TEST_CASE("ch02 metrics: accuracy, macro-F1, confusion matrix on a worked example", "[ch02][chapters]") {
    // truth [0 0 1 1 2], predicted [0 1 1 1 0]: class 0 tp 1 fp 1 fn 1 -> F1 1/2; class 1 tp 2 fp 1
    // fn 0 -> 4/5; class 2 tp 0 fn 1 -> 0. Macro-F1 = (0.5 + 0.8 + 0) / 3.
    const Scores s = evaluate({0, 0, 1, 1, 2}, {0, 1, 1, 1, 0}, 4);
    REQUIRE(s.accuracy == Approx(0.6));
    REQUIRE(s.f1[0] == Approx(0.5));
    REQUIRE(s.f1[1] == Approx(0.8));
    REQUIRE(s.macro_f1 == Approx(1.3 / 3));   // class 3 occurs nowhere: left out
    REQUIRE(s.confusion[2][0] == 1);
    REQUIRE(s.confusion[0][1] == 1);
    REQUIRE(majority_class({2, 1, 1, 2, 0}, 3) == 1);   // a tie goes to the smaller label
}

TEST_CASE("ch02 naive Bayes and logistic regression separate an easy corpus", "[ch02][chapters]") {
    const std::vector<std::string_view> docs = {"apples pears", "pears plums", "cars trucks", "trucks buses"};
    const std::vector<std::int32_t> y = {0, 0, 1, 1};
    const Tokenised t = tokenise(docs);
    const Vocabulary v(t, count_words(Backend(Device::cpu), t), {.min_count = 1});
    const Csr counts = count_vectors(v, docs);
    const NaiveBayes nb = train_naive_bayes(counts, y, 2);
    // P(pears | fruit) = (2 + 1) / (4 + 7): <unk> and six words, add-one smoothing.
    REQUIRE(std::exp(nb.log_likelihood[v.id("pears") * 2 + 0]) == Approx(3.0 / 11));
    const Csr q = count_vectors(v, {"plums and apples", "buses"});
    REQUIRE(predict(Backend(Device::cpu), nb, q) == std::vector<std::int32_t>{0, 1});
    const auto idf = inverse_document_frequency(counts);
    for (Device d : {Device::cpu, Device::simt}) {
        const Backend be(d);
        const Csr x = tfidf_vectors(be, counts, idf);
        LogRegOptions o;
        o.progress = false;
        o.epochs = 30;
        o.batch = 4;   // one step per epoch: the first epoch's loss is that of W = 0
        o.lr = 4;
        const LogRegFit fit = train_logistic_regression(be, x, y, x, y, 2, o);
        REQUIRE(fit.log.front().train_loss == Approx(std::log(2.0)).epsilon(1e-5));   // W = 0: uniform
        REQUIRE(fit.log.back().train_loss < 0.2);
        REQUIRE(predict(be, fit.model, tfidf_vectors(be, q, idf)) == std::vector<std::int32_t>{0, 1});
    }
}

TEST_CASE("ch02 runs end to end on the samples and writes its summary", "[ch02][chapters]") {
    const auto run = testing::run_chapter("ch02", "--quick --data " + kSamples);
    INFO(run.output);
    REQUIRE(run.exit_code == 0);
    REQUIRE_THAT(run.output, Catch::Contains("identical vectors") && Catch::Contains("What you just saw"));
    const auto s = run.summary();
    REQUIRE(s["chapter"] == "ch02");
    REQUIRE(s["categories"].size() == 4);
    REQUIRE(s["vocab_size"].get<int>() > 100);   // min count 1 on ~330 tokens, Korean included
    REQUIRE(s["tokenise_mb_per_s"].get<double>() > 0);
    REQUIRE(s["dog_bites_man_same_vector"] == true);
    const double base = s["baseline"]["accuracy"];
    REQUIRE(base == Approx(0.2));   // 2 of the 10 test quotes are 'computers', the first of four tied categories
    // The baseline answers one category for every quote: precision p = base and recall 1 there
    // (F1 = 2p / (1 + p)), F1 0 for the others, so its macro-F1 is 2p / (1 + p) over the number
    // of categories in the test split.
    const auto test_labels = labels_of(fs::path(kSamples) / "test.tsv");
    const std::set<std::string> test_categories(test_labels.begin(), test_labels.end());
    const double base_f1 = 2 * base / (1 + base) / static_cast<double>(test_categories.size());
    REQUIRE(s["baseline"]["macro_f1"].get<double>() == Approx(base_f1));
    for (const char* clf : {"naive_bayes", "logistic_regression"}) {
        INFO(clf);
        REQUIRE(s[clf]["accuracy"].get<double>() > base);
        REQUIRE(s[clf]["macro_f1"].get<double>() > base_f1);
        REQUIRE(s[clf]["macro_f1"].get<double>() <= 1.0);
        REQUIRE(s[clf]["baseline_accuracy"].get<double>() == base);
        // confusion.csv (what the book's figure draws) holds the same evaluation.
        REQUIRE(accuracy_from_confusion_csv(run.out_dir / "confusion.csv", clf) == Approx(s[clf]["accuracy"].get<double>()));
    }
    REQUIRE(s["search"][0]["hits"][0]["category"] == "computers");
    for (const char* f : {"zipf.csv", "confusion.csv", "training.csv"}) REQUIRE(fs::exists(run.out_dir / f));
}

TEST_CASE("ch02 gives the same figures with its kernels on the emulator", "[ch02][chapters]") {
    const auto cpu = testing::run_chapter("ch02", "--quick --data " + kSamples);
    const auto simt = testing::run_chapter("ch02", "--quick --backend simt --data " + kSamples);
    INFO(simt.output);
    REQUIRE(simt.exit_code == 0);
    const auto a = cpu.summary(), b = simt.summary();
    REQUIRE(b["backend"] == "simt");
    REQUIRE(a["vocab_size"] == b["vocab_size"]);
    REQUIRE(a["tokens"] == b["tokens"]);
    REQUIRE(a["naive_bayes"]["accuracy"] == b["naive_bayes"]["accuracy"]);
    // SGD on the emulator adds gradients with atomics in another order: allow one of the
    // 10 test quotes to flip.
    REQUIRE(std::fabs(a["logistic_regression"]["accuracy"].get<double>() - b["logistic_regression"]["accuracy"].get<double>()) <= 0.1 + 1e-9);
}

TEST_CASE("ch02: a missing corpus names the folder and the command that fetches it", "[ch02][chapters]") {
    const auto run = testing::run_chapter("ch02", "--data /nonexistent/ladder/corpus");
    REQUIRE(run.exit_code == 1);
    REQUIRE_THAT(run.output, Catch::Contains("/nonexistent/ladder/corpus/train.tsv: not found") &&
                                 Catch::Contains("./ladder data fortunes"));
}

TEST_CASE("ch02: an empty corpus is refused", "[ch02][chapters]") {
    const testing::TempDir tmp("ch02");
    const fs::path dir = make_corpus(tmp, "empty", "", kGoodOther, kGoodOther);
    const auto run = testing::run_chapter("ch02", "--quick --data " + dir.string());
    REQUIRE(run.exit_code == 1);
    REQUIRE_THAT(run.output, Catch::Contains("train.tsv: no documents (the corpus is empty)"));
}

TEST_CASE("ch02: invalid UTF-8 is reported with file and byte offset, or replaced on request", "[ch02][chapters]") {
    // The bad byte 0xFF is at offset 2 + 6 = 8 ("a\tpears " would be 8 bytes: a, tab, p,e,a,r,s, space).
    const testing::TempDir tmp("ch02");
    const fs::path dir = make_corpus(tmp, "utf8", "a\tpears \xFF and plums\n" + kGoodTrain, kGoodOther, kGoodOther);
    const auto run = testing::run_chapter("ch02", "--quick --data " + dir.string());
    REQUIRE(run.exit_code == 1);
    REQUIRE_THAT(run.output, Catch::Contains("train.tsv: invalid UTF-8 at byte 8") && Catch::Contains("--replace-invalid"));
    const auto fixed = testing::run_chapter("ch02", "--quick --replace-invalid --data " + dir.string());
    INFO(fixed.output);
    REQUIRE(fixed.exit_code == 0);
}

TEST_CASE("ch02: a category with a single document is refused", "[ch02][chapters]") {
    const testing::TempDir tmp("ch02");
    const fs::path dir = make_corpus(tmp, "single", kGoodTrain + "c\tthe only quote about c\n", kGoodOther, kGoodOther);
    const auto run = testing::run_chapter("ch02", "--quick --data " + dir.string());
    REQUIRE(run.exit_code == 1);
    REQUIRE_THAT(run.output, Catch::Contains("category 'c' has only 1 document"));
    const fs::path unseen = make_corpus(tmp, "unseen", kGoodTrain, kGoodOther + "z\tzebras\n", kGoodOther);
    const auto run2 = testing::run_chapter("ch02", "--quick --data " + unseen.string());
    REQUIRE(run2.exit_code == 1);
    REQUIRE_THAT(run2.output, Catch::Contains("validation.tsv:3: category 'z' does not occur in the training split"));
}

TEST_CASE("ch02: a query with no known words says so, and the run goes on", "[ch02][chapters]") {
    const auto run = testing::run_chapter("ch02", "--quick --data " + kSamples + " --query 'zyzzyva qwxq' --query 'computer'");
    INFO(run.output);
    REQUIRE(run.exit_code == 0);
    REQUIRE_THAT(run.output, Catch::Contains("none of its words is in the vocabulary"));
    const auto s = run.summary();
    REQUIRE(s["search"][0]["known_words"] == 0);
    REQUIRE(s["search"][0]["hits"].empty());
    REQUIRE(s["search"][1]["hits"].size() == 3);
}

TEST_CASE("ch02 rejects --backend cuda without a device", "[ch02][chapters]") {
    if (cuda_available()) {
        WARN("SKIPPED: this machine has a CUDA device");
        return;
    }
    const auto run = testing::run_chapter("ch02", "--quick --backend cuda --data " + kSamples);
    REQUIRE(run.exit_code == 1);
    REQUIRE_THAT(run.output, Catch::Contains("backend cuda is not available"));
}
