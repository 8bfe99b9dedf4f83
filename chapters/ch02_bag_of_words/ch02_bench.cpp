// ch02_bench.cpp: chapter 2's whole-program benchmarks (`./ladder bench ch02` runs it after
// the kernel benchmarks): tokenise + count throughput on the King James Bible and on the
// fortunes, naive Bayes and logistic regression fit times and accuracies, and the peer:
// scikit-learn's LogisticRegression on the very same TF-IDF features (if Debian's
// python3-sklearn is installed; never a build or test dependency). Min and median of
// repeated runs. Writes <out>/bench_program.json.
#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "chapters/ch02_bag_of_words/classifiers.hpp"
#include "chapters/ch02_bag_of_words/corpus.hpp"
#include "chapters/ch02_bag_of_words/features.hpp"
#include "chapters/ch02_bag_of_words/metrics.hpp"
#include "chapters/ch02_bag_of_words/vocab.hpp"
#include "core/blas_info.hpp"
#include "core/cli.hpp"
#include "core/fileio.hpp"

namespace fs = std::filesystem;

namespace ladder::ch02 {
namespace {

struct Stat {
    double min = 0, median = 0;
};
template <class F>
Stat repeat(int n, F&& f) {
    std::vector<double> t;
    for (int i = 0; i < n; ++i) {
        Timer timer;
        f();
        t.push_back(timer.seconds());
    }
    std::sort(t.begin(), t.end());
    return {t.front(), t[t.size() / 2]};
}

std::string run_command(const std::string& cmd) {
    std::string out;
    FILE* p = popen(cmd.c_str(), "r");
    if (!p) return out;
    char buf[4096];
    while (std::size_t n = fread(buf, 1, sizeof buf, p)) out.append(buf, n);
    pclose(p);
    return out;
}

int bench(const std::string& out_dir, int repeats) {
    const fs::path source = LADDER_SOURCE_DIR;
    const RunDir out(out_dir);
    const Backend cpu(Device::cpu);
    nlohmann::json result;
    // The peer gets the OpenBLAS kernels we run (its numpy/scipy load the same library).
    const BlasInfo blas = blas_info();
    const std::string peer_env = peer_blas_env(blas);
    fmt::print("\nChapter 2 programs, CPU backend, one thread; min and median of {} runs.\n", repeats);
    fmt::print("BLAS: {}; the scikit-learn peer runs with {}.\n", blas.summary(),
               peer_env.empty() ? "its own BLAS" : peer_env + " (the same kernels)");
    result["blas"] = blas;
    result["peer_env"] = peer_env;

    // ---- tokenise + count ----
    fmt::print("\n{:<34} {:>10} {:>12} {:>12}\n", "tokenise + count (histogram)", "MB", "min MB/s", "median MB/s");
    auto throughput = [&](const std::string& name, const std::vector<std::string_view>& texts, double bytes) {
        const Stat s = repeat(repeats, [&] { count_words(cpu, tokenise(texts)); });
        fmt::print("{:<34} {:>10.2f} {:>12.1f} {:>12.1f}\n", name, bytes / 1e6, bytes / s.min / 1e6, bytes / s.median / 1e6);
        result["tokenise"][name] = {{"mb", bytes / 1e6}, {"mb_per_s_best", bytes / s.min / 1e6},
                                    {"mb_per_s_median", bytes / s.median / 1e6}};
    };
    const fs::path kjv_path = source / "data/cache/kjv/kjv.txt";
    if (fs::exists(kjv_path)) {
        const std::string kjv = read_file(kjv_path);
        throughput("kjv.txt (one text)", {std::string_view(kjv)}, static_cast<double>(kjv.size()));
    } else {
        fmt::print("{:<34} skipped: {} missing (./ladder data kjv)\n", "kjv.txt", kjv_path.string());
    }
    const Corpus corpus = load_corpus(source / "data/cache/fortunes", {.is_default_dir = true});
    throughput("fortunes train.tsv (3126 texts)", corpus.train.texts(), static_cast<double>(corpus.train.bytes));

    // ---- classifiers ----
    const Tokenised tok = tokenise(corpus.train.texts());
    const Vocabulary vocab(tok, count_words(cpu, tok), {});
    const Csr train_c = count_vectors(vocab, corpus.train.texts()), val_c = count_vectors(vocab, corpus.validation.texts()),
              test_c = count_vectors(vocab, corpus.test.texts());
    std::vector<float> idf = inverse_document_frequency(train_c);
    idf[Vocabulary::unk] = 0;
    const Csr train_x = tfidf_vectors(cpu, train_c, idf), val_x = tfidf_vectors(cpu, val_c, idf),
              test_x = tfidf_vectors(cpu, test_c, idf);
    const auto y_tr = corpus.train.labels(), y_va = corpus.validation.labels(), y_te = corpus.test.labels();
    const std::size_t C = corpus.categories.size();
    const double base = evaluate(y_te, std::vector<std::int32_t>(y_te.size(), majority_class(y_tr, C)), C).accuracy;

    NaiveBayes nb;
    const std::vector<float> alphas = {1.0f, 0.5f, 0.2f, 0.1f, 0.05f};
    nb = train_naive_bayes_tuned(cpu, train_c, y_tr, val_c, y_va, C, alphas);   // alpha, chosen on validation
    const float alpha = nb.alpha;
    const Stat nb_t = repeat(repeats, [&] { nb = train_naive_bayes(train_c, y_tr, C, alpha); });
    const Scores nb_s = evaluate(y_te, predict(cpu, nb, test_c), C);
    LogRegOptions lo;
    lo.progress = false;
    LogRegFit lr;
    const Stat lr_t = repeat(repeats, [&] { lr = train_logistic_regression(cpu, train_x, y_tr, val_x, y_va, C, lo); });
    const Scores lr_s = evaluate(y_te, predict(cpu, lr.model, test_x), C);

    fmt::print("\n{:<40} {:>9} {:>9} {:>10} {:>10}\n", "classifier (fortunes, 11 categories)", "accuracy", "macro-F1",
               "fit min s", "median s");
    fmt::print("{:<40} {:>8.1f}% {:>9} {:>10} {:>10}\n", "majority baseline", 100 * base, "", "", "");
    fmt::print("{:<40} {:>8.1f}% {:>9.3f} {:>10.4f} {:>10.4f}\n", fmt::format("naive Bayes (ours, alpha {})", alpha), 100 * nb_s.accuracy, nb_s.macro_f1,
               nb_t.min, nb_t.median);
    fmt::print("{:<40} {:>8.1f}% {:>9.3f} {:>10.4f} {:>10.4f}\n",
               fmt::format("logistic regression (ours, {} epochs)", lo.epochs), 100 * lr_s.accuracy, lr_s.macro_f1,
               lr_t.min, lr_t.median);
    result["baseline_accuracy"] = base;
    result["naive_bayes"] = {{"accuracy", nb_s.accuracy}, {"macro_f1", nb_s.macro_f1}, {"fit_s_min", nb_t.min},
                             {"fit_s_median", nb_t.median}};
    result["logistic_regression"] = {{"accuracy", lr_s.accuracy}, {"macro_f1", lr_s.macro_f1}, {"fit_s_min", lr_t.min},
                                     {"fit_s_median", lr_t.median}, {"epochs", lo.epochs}, {"best_epoch", lr.best_epoch}};

    // ---- the peer: scikit-learn on the same features ----
    const fs::path svm = out.file("sklearn");
    fs::create_directories(svm);
    write_svmlight(svm / "train.svm", train_x, y_tr);
    write_svmlight(svm / "validation.svm", val_x, y_va);
    write_svmlight(svm / "test.svm", test_x, y_te);
    const std::string script = (source / "chapters/ch02_bag_of_words/sklearn_peer.py").string();
    const bool have = fs::exists("/usr/bin/python3") &&
                      std::system("/usr/bin/python3 -c 'import sklearn' > /dev/null 2>&1") == 0;
    if (!have) {
        fmt::print("{:<40} skipped: needs Debian's python3-sklearn (apt-get install python3-sklearn)\n",
                   "scikit-learn LogisticRegression");
    } else {
        const std::string text = run_command(peer_env + " /usr/bin/python3 " + script + " " + svm.string() + " " +
                                             std::to_string(repeats) + " 2>/dev/null");
        try {
            const auto j = nlohmann::json::parse(text);
            const double acc = j["accuracy"], t_min = j["fit_seconds_min"], t_med = j["fit_seconds_median"];
            fmt::print("{:<40} {:>8.1f}% {:>9.3f} {:>10.4f} {:>10.4f}\n",
                       fmt::format("scikit-learn {} (lbfgs, C={})", j["sklearn"].get<std::string>(), j["C"].get<double>()),
                       100 * acc, j["macro_f1"].get<double>(), t_min, t_med);
            const std::string peer_core =
                j.contains("blas_core") && j["blas_core"].is_string() ? j["blas_core"].get<std::string>() : "?";
            fmt::print("{:<40} OpenBLAS core {}{}\n", "", peer_core,
                       peer_core == blas.core ? " (as ours)" : fmt::format(" -- ours is {}: not the same kernels", blas.core));
            fmt::print("\nlogistic regression vs scikit-learn: accuracy {:+.1f} points, fit {:.1f}x {} (min times).\n",
                       100 * (lr_s.accuracy - acc), t_min > lr_t.min ? t_min / lr_t.min : lr_t.min / t_min,
                       t_min > lr_t.min ? "faster" : "slower");
            result["sklearn"] = j;
        } catch (const std::exception& e) {
            fmt::print("scikit-learn peer: could not read its output ({}): {}\n", e.what(), text);
        }
    }
    write_file_atomic(out.file("bench_program.json"), result.dump(2) + "\n");
    fmt::print("\nwrote {}\n", out.file("bench_program.json").string());
    return 0;
}

}  // namespace
}  // namespace ladder::ch02

int main(int argc, char** argv) {
    CLI::App app{"ch02_bench: chapter 2's program benchmarks and the scikit-learn peer"};
    std::string out = "runs/ch02";
    int repeats = 5;
    app.add_option("--out", out, "output folder")->capture_default_str();
    app.add_option("--repeats", repeats, "timed runs per measurement")->capture_default_str();
    if (auto code = ladder::parse_args(app, argc, argv)) return *code;
    return ladder::guarded_main([&] { return ladder::ch02::bench(out, repeats); });
}
