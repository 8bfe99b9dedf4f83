// ch02.cpp: chapter 2's program. Reads labelled quotes (fortunes, by category), turns them
// into numbers by counting words, and shows what counting can do (search, classification:
// naive Bayes and logistic regression vs the majority baseline) and what it cannot ("dog
// bites man" == "man bites dog"). Writes runs/ch02/summary.json, zipf.csv, confusion.csv,
// training.csv. --backend picks where the kernels (histogram, tfidf, spmm, topk,
// softmax_xent) run.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <numeric>

#include "chapters/ch02_bag_of_words/classifiers.hpp"
#include "chapters/ch02_bag_of_words/corpus.hpp"
#include "chapters/ch02_bag_of_words/features.hpp"
#include "chapters/ch02_bag_of_words/metrics.hpp"
#include "chapters/ch02_bag_of_words/vocab.hpp"
#include "core/cli.hpp"
#include "core/fileio.hpp"
#include "core/text.hpp"

namespace fs = std::filesystem;

namespace ladder::ch02 {
namespace {

struct Options {
    std::string data, kjv;
    bool replace_invalid = false;
    std::size_t min_count = 0, max_vocab = 20000, top_k = 3;   // min_count 0: 2, or 1 with --quick
    std::vector<std::string> queries;
    LogRegOptions logreg;
};

const std::vector<std::string> kDefaultQueries = {"my program crashed and the computer lost all my files",
                                                  "the judge asked the lawyer to approach the court",
                                                  "captain kirk and mister spock beam up to the enterprise",
                                                  "a recipe for chocolate cake and hot coffee",
                                                  "the pitcher threw the ball and the team won the game"};

std::string shorten(std::string_view s, std::size_t n) {
    if (s.size() <= n) return std::string(s);
    std::size_t cut = n;
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;   // not inside a UTF-8 character
    return std::string(s.substr(0, cut)) + "...";
}

// Best of `repeats` runs of tokenise + count: MB/s of text.
double tokenise_mb_per_s(const Backend& be, const std::vector<std::string_view>& texts, int repeats) {
    double best = 1e300, bytes = 0;
    for (int r = 0; r < repeats; ++r) {
        Timer t;
        const Tokenised tok = tokenise(texts);
        const std::vector<std::int32_t> counts = count_words(be, tok);
        best = std::min(best, t.seconds());
        bytes = static_cast<double>(tok.bytes);
    }
    return bytes / best / 1e6;
}

nlohmann::json scores_json(const Scores& s, double baseline, double seconds) {
    return {{"accuracy", s.accuracy}, {"macro_f1", s.macro_f1}, {"baseline_accuracy", baseline}, {"train_seconds", seconds}};
}

void print_confusion(const std::string& title, const Scores& s, const std::vector<std::string>& cats) {
    fmt::print("\n{} (rows: true category, columns: predicted)\n{:>10}", title, "");
    for (const auto& c : cats) fmt::print(" {:>5}", c.substr(0, 5));
    fmt::print("\n");
    for (std::size_t t = 0; t < cats.size(); ++t) {
        fmt::print("{:>10}", cats[t].substr(0, 10));
        for (std::size_t p = 0; p < cats.size(); ++p) fmt::print(" {:>5}", s.confusion[t][p]);
        fmt::print("\n");
    }
}

int run(const CommonOptions& common, Options o) {
    const Backend be = Backend::parse(common.backend);
    const RunDir out(common.out_dir);
    const fs::path source = LADDER_SOURCE_DIR;
    LoadOptions load{.replace_invalid = o.replace_invalid};
    if (o.data.empty()) {
        load.is_default_dir = !common.quick;
        o.data = (source / (common.quick ? "data/samples/ch02_quotes" : "data/cache/fortunes")).string();
    }
    if (o.kjv.empty() && !common.quick && fs::exists(source / "data/cache/kjv/kjv.txt"))
        o.kjv = (source / "data/cache/kjv/kjv.txt").string();
    if (o.queries.empty()) o.queries = kDefaultQueries;
    if (o.min_count == 0) o.min_count = common.quick ? 1 : 2;   // the tiny samples need every word
    o.logreg.seed = common.seed;

    fmt::print("Chapter 2: bag of words. Kernels run on {} ({}).\n\n", be.name(), be.description());
    const Corpus corpus = load_corpus(o.data, load);
    const std::size_t C = corpus.categories.size();
    fmt::print("Corpus {}: {} categories; {} training, {} validation, {} test documents.\n", o.data, C,
               corpus.train.docs.size(), corpus.validation.docs.size(), corpus.test.docs.size());

    // ---- counting words ----
    const Tokenised tok = tokenise(corpus.train.texts());
    const std::vector<std::int32_t> counts = count_words(be, tok);
    const Vocabulary vocab(tok, counts, {o.min_count, o.max_vocab});
    LADDER_CHECK(vocab.size() > 1, "{}: no word occurs {} times or more in the training split: nothing to count with "
                 "(lower --min-count)", corpus.train.path.string(), o.min_count);
    const double mbs = tokenise_mb_per_s(be, corpus.train.texts(), common.quick ? 1 : 3);
    double kjv_mbs = 0, kjv_bytes = 0;
    if (!o.kjv.empty()) {
        const std::string kjv = read_file(o.kjv);
        kjv_bytes = static_cast<double>(kjv.size());
        kjv_mbs = tokenise_mb_per_s(be, {std::string_view(kjv)}, 3);
    }
    fmt::print("\nTokens: {} in training ({} distinct words); vocabulary: {} words (seen >= {} times, at most {}, "
               "with <unk>).\nTokenise + count: {:.1f} MB/s on the training text{}.\n",
               tok.ids.size(), tok.words.size(), vocab.size(), o.min_count, o.max_vocab, mbs,
               kjv_mbs > 0 ? fmt::format(", {:.1f} MB/s on the King James Bible ({:.1f} MB)", kjv_mbs, kjv_bytes / 1e6) : "");

    // Zipf: frequency against rank, and the slope of log count on log rank (top 1000).
    std::vector<std::int32_t> order(tok.words.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](auto a, auto b) { return counts[a] != counts[b] ? counts[a] > counts[b] : tok.words[a] < tok.words[b]; });
    {
        CsvWriter zipf = out.csv("zipf.csv", {"rank", "count", "word"});
        for (std::size_t r = 0; r < order.size(); ++r) zipf.row(r + 1, counts[order[r]], tok.words[order[r]]);
    }
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    const std::size_t nz = std::min<std::size_t>(order.size(), 1000);
    for (std::size_t r = 0; r < nz; ++r) {
        const double x = std::log(static_cast<double>(r + 1)), y = std::log(static_cast<double>(counts[order[r]]));
        sx += x, sy += y, sxx += x * x, sxy += x * y;
    }
    const double zipf_slope = nz > 1 ? (nz * sxy - sx * sy) / (nz * sxx - sx * sx) : 0.0;
    fmt::print("Most frequent:");
    for (std::size_t r = 0; r < std::min<std::size_t>(12, order.size()); ++r) fmt::print(" {} ({})", tok.words[order[r]], counts[order[r]]);
    fmt::print("\nZipf: log(count) falls with log(rank) at slope {:.2f} over the top {} words (Zipf's law: about -1).\n",
               zipf_slope, nz);

    // ---- features ----
    const Csr train_counts = count_vectors(vocab, corpus.train.texts());
    const Csr val_counts = count_vectors(vocab, corpus.validation.texts());
    const Csr test_counts = count_vectors(vocab, corpus.test.texts());
    std::vector<float> idf = inverse_document_frequency(train_counts);
    idf[Vocabulary::unk] = 0;   // <unk> lumps unrelated words together: it gets no weight
    const Csr train_x = tfidf_vectors(be, train_counts, idf), val_x = tfidf_vectors(be, val_counts, idf),
              test_x = tfidf_vectors(be, test_counts, idf);

    // ---- what counting cannot see ----
    const Csr dbm = count_vectors(vocab, {"Dog bites man.", "Man bites dog!"});
    const auto mid = dbm.row_ptr[1];
    const bool same_vector = std::equal(dbm.col.begin(), dbm.col.begin() + mid, dbm.col.begin() + mid, dbm.col.end()) &&
                             std::equal(dbm.val.begin(), dbm.val.begin() + mid, dbm.val.begin() + mid, dbm.val.end());
    fmt::print("\n\"Dog bites man.\" and \"Man bites dog!\" as count vectors:\n");
    for (int r = 0; r < 2; ++r) {
        fmt::print("  {{");
        for (std::int32_t j = dbm.row_ptr[r]; j < dbm.row_ptr[r + 1]; ++j)
            fmt::print("{}{}: {}", j > dbm.row_ptr[r] ? ", " : "", vocab.word(dbm.col[j]), dbm.val[j]);
        fmt::print("}}\n");
    }
    fmt::print("  {}: counting throws word order away, so who bit whom is lost.\n",
               same_vector ? "identical vectors" : "different vectors (unexpected!)");

    // ---- search ----
    fmt::print("\nSearch: the {} training quotes closest to each query (cosine of TF-IDF vectors).\n", o.top_k);
    nlohmann::json search = nlohmann::json::array();
    std::vector<std::string_view> qtexts;
    for (const auto& q : o.queries) qtexts.emplace_back(q);
    const Csr q_counts = count_vectors(vocab, qtexts);
    const Csr q_x = tfidf_vectors(be, q_counts, idf);
    const auto hits = cosine_search(be, train_x, q_x, o.top_k);
    for (std::size_t q = 0; q < o.queries.size(); ++q) {
        std::size_t known = 0;
        for (std::int32_t j = q_counts.row_ptr[q]; j < q_counts.row_ptr[q + 1]; ++j)
            if (q_counts.col[j] != Vocabulary::unk) known += static_cast<std::size_t>(q_counts.val[j]);
        nlohmann::json entry{{"query", o.queries[q]}, {"known_words", known}, {"hits", nlohmann::json::array()}};
        fmt::print("  \"{}\"\n", o.queries[q]);
        if (known == 0) {
            fmt::print("    none of its words is in the vocabulary ({} words): nothing to search with\n", vocab.size());
        } else {
            for (const Hit& h : hits[q]) {
                const Document& d = corpus.train.docs[h.doc];
                fmt::print("    {:.3f}  [{}] {}\n", h.score, corpus.categories[d.label], shorten(d.text, 90));
                entry["hits"].push_back({{"doc", h.doc}, {"category", corpus.categories[d.label]}, {"score", h.score}});
            }
        }
        search.push_back(entry);
    }

    // ---- classifiers ----
    const std::vector<std::int32_t> y_train = corpus.train.labels(), y_val = corpus.validation.labels(),
                                    y_test = corpus.test.labels();
    const std::int32_t majority = majority_class(y_train, C);
    const Scores base = evaluate(y_test, std::vector<std::int32_t>(y_test.size(), majority), C);
    fmt::print("\nBaseline: always answer '{}' (the largest category): accuracy {:.1f}%, macro-F1 {:.3f}.\n",
               corpus.categories[majority], 100 * base.accuracy, base.macro_f1);

    const std::vector<float> alphas = {1.0f, 0.5f, 0.2f, 0.1f, 0.05f};
    std::vector<double> nb_val;
    const NaiveBayes nb = train_naive_bayes_tuned(be, train_counts, y_train, val_counts, y_val, C, alphas, &nb_val);
    const Scores nb_scores = evaluate(y_test, predict(be, nb, test_counts), C);
    fmt::print("Naive Bayes (counts): validation accuracy with add-alpha smoothing");
    for (std::size_t i = 0; i < alphas.size(); ++i) fmt::print("{} {}: {:.1f}%", i ? "," : "", alphas[i], 100 * nb_val[i]);
    fmt::print(".\nNaive Bayes, alpha {}: {} fits in {:.3f} s; test accuracy {:.1f}%, macro-F1 {:.3f}.\n", nb.alpha,
               alphas.size(), nb.seconds, 100 * nb_scores.accuracy, nb_scores.macro_f1);
    fmt::print("\nThe most telling words per category (naive Bayes: log P(w | c) / P(w | not c)):\n");
    const auto telling = telling_words(be, nb, train_counts, y_train, common.quick ? 5 : 8, common.quick ? 1 : 3);
    for (std::size_t c = 0; c < C; ++c) {
        fmt::print("  {:>10}:", corpus.categories[c]);
        for (std::int32_t w : telling[c]) fmt::print(" {}", vocab.word(w));
        fmt::print("\n");
    }

    fmt::print("\nLogistic regression on TF-IDF: {} epochs of mini-batch SGD (batch {}, lr {} / (1 + {} epoch)), "
               "softmax cross-entropy.\n", o.logreg.epochs, o.logreg.batch, o.logreg.lr, o.logreg.lr_decay);
    const LogRegFit lr = train_logistic_regression(be, train_x, y_train, val_x, y_val, C, o.logreg);
    {
        CsvWriter csv = out.csv("training.csv", {"epoch", "train_loss", "val_accuracy", "lr"});
        for (const EpochLog& e : lr.log) csv.row(e.epoch, e.train_loss, e.val_accuracy, e.lr);
    }
    const Scores lr_scores = evaluate(y_test, predict(be, lr.model, test_x), C);
    fmt::print("Logistic regression: fit in {:.3f} s; best validation accuracy {:.1f}% at epoch {}; test accuracy {:.1f}%, "
               "macro-F1 {:.3f}.\n", lr.seconds, 100 * lr.log[lr.best_epoch - 1].val_accuracy, lr.best_epoch, 100 * lr_scores.accuracy, lr_scores.macro_f1);
    print_confusion("Logistic regression, test split", lr_scores, corpus.categories);
    {
        CsvWriter csv = out.csv("confusion.csv", {"classifier", "true_index", "predicted_index", "true", "predicted", "count",
                                                   "row_fraction"});
        for (auto [name, s] : {std::pair{"logistic_regression", &lr_scores}, std::pair{"naive_bayes", &nb_scores}})
            for (std::size_t t = 0; t < C; ++t) {
                std::int64_t row = 0;
                for (auto n : s->confusion[t]) row += n;
                for (std::size_t p = 0; p < C; ++p)
                    csv.row(name, t, p, corpus.categories[t], corpus.categories[p], s->confusion[t][p],
                            row ? static_cast<double>(s->confusion[t][p]) / static_cast<double>(row) : 0.0);
            }
    }

    fmt::print("\nWhat you just saw:\n"
               "  - Counting turns text into sparse vectors: {} documents x {} words, {:.1f} non-zeros per document.\n"
               "  - Counts alone beat the baseline: naive Bayes {:.1f}% and logistic regression {:.1f}% against {:.1f}%.\n"
               "  - Confusions cluster where topics overlap (see the matrix): the features were designed by hand,\n"
               "    and they cannot see order, so \"dog bites man\" and \"man bites dog\" are one vector.\n",
               train_counts.rows, vocab.size(), static_cast<double>(train_counts.nnz()) / static_cast<double>(train_counts.rows),
               100 * nb_scores.accuracy, 100 * lr_scores.accuracy, 100 * base.accuracy);

    nlohmann::json s;
    s["chapter"] = "ch02";
    s["backend"] = be.name();
    s["seed"] = common.seed;
    s["quick"] = common.quick;
    s["data"] = o.data;
    s["categories"] = corpus.categories;
    s["documents"] = {{"train", corpus.train.docs.size()}, {"validation", corpus.validation.docs.size()},
                      {"test", corpus.test.docs.size()}};
    s["tokens"] = tok.ids.size();
    s["distinct_words"] = tok.words.size();
    s["vocab_size"] = vocab.size();
    s["min_count"] = o.min_count;
    s["tokenise_mb_per_s"] = mbs;
    s["kjv_tokenise_mb_per_s"] = kjv_mbs > 0 ? nlohmann::json(kjv_mbs) : nlohmann::json(nullptr);
    s["zipf_slope"] = zipf_slope;
    s["dog_bites_man_same_vector"] = same_vector;
    s["search"] = search;
    s["baseline"] = {{"category", corpus.categories[majority]}, {"accuracy", base.accuracy}, {"macro_f1", base.macro_f1}};
    s["naive_bayes"] = scores_json(nb_scores, base.accuracy, nb.seconds);
    s["naive_bayes"]["alpha"] = nb.alpha;
    s["logistic_regression"] = scores_json(lr_scores, base.accuracy, lr.seconds);
    s["logistic_regression"]["epochs"] = o.logreg.epochs;
    s["logistic_regression"]["best_epoch"] = lr.best_epoch;
    s["logistic_regression"]["batch"] = o.logreg.batch;
    s["logistic_regression"]["lr"] = o.logreg.lr;
    out.write_summary(s);
    fmt::print("\nWrote {} (and zipf.csv, confusion.csv, training.csv).\n", out.file("summary.json").string());
    return 0;
}

}  // namespace
}  // namespace ladder::ch02

int main(int argc, char** argv) {
    CLI::App app{"Chapter 2: bag of words: counting, TF-IDF, search, naive Bayes and logistic regression"};
    ladder::CommonOptions common;
    ladder::ch02::Options o;
    ladder::add_common_options(app, common, "runs/ch02");
    app.add_option("--data", o.data, "corpus folder with train.tsv, validation.tsv, test.tsv (default data/cache/fortunes; "
                                     "--quick: data/samples/ch02_quotes)");
    app.add_option("--kjv", o.kjv, "a text file to measure tokenise throughput on (default data/cache/kjv/kjv.txt)");
    app.add_flag("--replace-invalid", o.replace_invalid, "replace invalid UTF-8 with U+FFFD instead of stopping");
    app.add_option("--min-count", o.min_count, "keep words seen at least this often (default 2; --quick: 1)");
    app.add_option("--max-vocab", o.max_vocab, "at most this many words, with <unk>")->capture_default_str();
    app.add_option("--query", o.queries, "a search query (repeat for more; default: five built in)");
    app.add_option("--top-k", o.top_k, "documents per query")->capture_default_str();
    app.add_option("--epochs", o.logreg.epochs, "logistic regression: passes over the training set")->capture_default_str();
    app.add_option("--batch", o.logreg.batch, "logistic regression: documents per step")->capture_default_str();
    app.add_option("--lr", o.logreg.lr, "logistic regression: initial step size")->capture_default_str();
    if (auto code = ladder::parse_args(app, argc, argv)) return *code;
    return ladder::guarded_main([&] { return ladder::ch02::run(common, o); });
}
