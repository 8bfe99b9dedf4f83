// ch03_bench.cpp: chapter 3's whole-program benchmark (`./ladder bench ch03`). Trains on the
// full corpus at 1 and 2 CPU threads, three contenders back to back with the same settings:
// ours (the default: one set of negatives per window, Ji et al. 2016), ours with
// --per-pair-negatives (fresh ones for every pair, as word2vec.c) and gensim's Word2Vec (the
// peer, same corpus file) when /usr/bin/python3 has gensim; 3 repeats each by default. Reports min and median
// words/s and the analogy accuracy of each on the same question set, and the speed-up and the
// accuracy gap against gensim; then the GPU trainer on the emulator (and a GPU when present) on
// a slice. Short by default (2 epochs, about 10 minutes on 2 cores); --epochs 5 is the program's
// full length. Writes runs/ch03/bench_train.csv and bench_summary.json.
#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "chapters/ch03_word2vec/corpus.hpp"
#include "chapters/ch03_word2vec/trainer.hpp"
#include "chapters/ch03_word2vec/analogies.hpp"
#include "chapters/ch03_word2vec/search.hpp"
#include "chapters/ch03_word2vec/vectors.hpp"
#include "core/cli.hpp"
#include "core/peer.hpp"
#include "core/fileio.hpp"

namespace ladder::ch03 {
namespace {

namespace fs = std::filesystem;

struct BenchOptions {
    std::string out = "runs/ch03", corpus, questions;
    int repeats = 3;
    std::size_t epochs = 2, simt_words = 100000;   // 2 epochs: the program trains 5 (--epochs 5: ~2.5x longer)
    bool gensim = true, per_pair = true;
    std::vector<unsigned> threads{1, 2};
};


struct Stat {
    double min = 0, median = 0;
};
Stat stats(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? Stat{} : Stat{v.front(), v[v.size() / 2]};
}

// One contender's runs at one thread count.
struct Runs {
    Runs(std::string n, std::string l) : name(std::move(n)), label(std::move(l)) {}
    std::string name, label;
    std::vector<double> words_per_sec, accuracy, own_accuracy;   // own: gensim's evaluator
    std::size_t answered = 0;
};

// Runs the gensim peer; returns its JSON line (or null when gensim is not installed). Its
// dot products and axpys are OpenBLAS's (through scipy): it gets the kernels we run.
nlohmann::json run_gensim(const fs::path& corpus, const fs::path& questions, const fs::path& vec_out, unsigned threads,
                          const TrainConfig& cfg, std::uint64_t min_count) {
    const std::string cmd = fmt::format(
        "OMP_WAIT_POLICY=PASSIVE OPENBLAS_NUM_THREADS=1 {} /usr/bin/python3 {} {} {} {} --threads {} --dim {} "
        "--window {} --negative {} --epochs {} --min-count {} --sample {} --alpha {} --seed {} 2>/dev/null",
        peer_blas_env(blas_info()),
        (fs::path(LADDER_SOURCE_DIR) / "chapters/ch03_word2vec/gensim_peer.py").string(), corpus.string(),
        questions.string(), vec_out.string(), threads, cfg.dim, cfg.window, cfg.negative, cfg.epochs, min_count,
        cfg.sample, cfg.alpha, cfg.seed);
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(cmd.c_str(), "r"), ::pclose);
    LADDER_CHECK(pipe, "cannot run {}", cmd);
    std::string text;
    std::array<char, 4096> buf{};
    while (std::fgets(buf.data(), buf.size(), pipe.get())) text += buf.data();
    const auto brace = text.rfind('{');
    if (brace == std::string::npos) return nullptr;
    return nlohmann::json::parse(text.substr(brace));
}

int bench(const BenchOptions& o) {
    const RunDir out(o.out);
    fs::path corpus_path = o.corpus.empty() ? fs::path("data/cache/ch03/corpus.txt") : fs::path(o.corpus);
    if (o.corpus.empty() && !fs::exists(corpus_path)) build_corpus_file("data/cache", corpus_path);
    const fs::path qpath = o.questions.empty() ? repo_path("data/ch03_questions.txt") : fs::path(o.questions);
    const auto sections = read_questions(qpath);
    const auto sentences = read_sentences(corpus_path);
    const std::uint64_t min_count = 5;
    const Vocab vocab = build_vocab(sentences, min_count, corpus_path.string());
    const Corpus corpus = encode(sentences, vocab);
    TrainConfig cfg;
    cfg.epochs = o.epochs;
    cfg.progress = false;
    const bool with_gensim = o.gensim && python_has("gensim");
    fmt::print("ch03 bench: SGNS training on {} ({} words, vocabulary {}), dim {}, window {}, {} negatives, {} epochs\n"
               "(the program's default is 5), sample {}; {} repeats per contender and thread count, back to back:\n"
               "  ours                      one set of negatives per window (Ji et al. 2016), the default\n"
               "{}"
               "{}"
               "words/s = corpus words x epochs / train time; accuracy = 3CosAdd on {}, one evaluator for all.\n\n",
               corpus_path.string(), format_count(static_cast<double>(corpus.raw_words)), vocab.size(), cfg.dim,
               cfg.window, cfg.negative, cfg.epochs, cfg.sample, o.repeats,
               o.per_pair ? "  ours --per-pair-negatives   fresh negatives for every pair, as word2vec.c\n" : "",
               with_gensim ? "  gensim                    gensim 4.2 Word2Vec, corpus_file mode (its fastest), same settings\n"
                           : "  (gensim: not installed or --no-gensim, skipped)\n",
               qpath.string());
    const BlasInfo blas = blas_info();
    fmt::print("BLAS: {}{}.\n\n", blas.summary(), with_gensim ? "; gensim runs with " + peer_blas_env(blas) : "");
    CsvWriter csv = out.csv("bench_train.csv", {"contender", "threads", "repeat", "seconds", "words_per_sec", "accuracy", "answered"});
    nlohmann::json summary;
    summary["corpus_words"] = corpus.raw_words;
    summary["vocab_size"] = vocab.size();
    summary["settings"] = {{"dim", cfg.dim}, {"window", cfg.window}, {"negative", cfg.negative}, {"epochs", cfg.epochs},
                           {"sample", cfg.sample}, {"min_count", min_count}, {"repeats", o.repeats}};
    summary["blas"] = blas;
    summary["cpu"] = nlohmann::json::array();
    const Timer total;
    for (unsigned t : o.threads) {
        Runs ours{"ours", "ours"}, per_pair{"ours-per-pair", "ours --per-pair-negatives"}, gensim{"gensim", "gensim 4.2"};
        cfg.threads = t;
        auto train_ours = [&](Runs& runs, bool share, int r) {
            cfg.share_negatives = share;
            const TrainResult tr = train_cpu(corpus, vocab, cfg);
            const Embeddings e(vocab.words, tr.w_in, cfg.dim);
            const Evaluation ev = evaluate(Searcher(e, Device::cpu), sections, AnalogyMethod::add);
            runs.words_per_sec.push_back(tr.words_per_sec);
            runs.accuracy.push_back(ev.accuracy());
            runs.answered = ev.answered;
            csv.row(runs.name, t, r, tr.seconds, tr.words_per_sec, ev.accuracy(), ev.answered);
            fmt::print("  {:<25} {} thread(s) run {}: {:>9} words/s  {:6.1f} s  accuracy {:.1f}% ({} answered)\n", runs.label, t,
                       r + 1, format_count(tr.words_per_sec), tr.seconds, 100 * ev.accuracy(), ev.answered);
        };
        for (int r = 0; r < o.repeats; ++r) {
            cfg.seed = 42 + static_cast<std::uint64_t>(r);
            train_ours(ours, true, r);
            if (o.per_pair) train_ours(per_pair, false, r);
            if (!with_gensim) continue;
            const fs::path gvec = out.file("gensim_vectors.bin");
            const nlohmann::json g = run_gensim(corpus_path, qpath, gvec, t, cfg, min_count);
            LADDER_CHECK(!g.is_null(), "the gensim peer printed no result");
            const std::string g_core =
                g.contains("blas_core") && g["blas_core"].is_string() ? g["blas_core"].get<std::string>() : "?";
            if (g_core != blas.core)
                fmt::print("  warning: gensim ran OpenBLAS core {}, ours {}: not the same kernels\n", g_core, blas.core);
            summary["gensim_blas_core"] = g_core;
            // The same evaluator on gensim's vectors, so all accuracies use one rule.
            const Embeddings ge = load_vectors(gvec);
            const Evaluation gev = evaluate(Searcher(ge, Device::cpu), sections, AnalogyMethod::add);
            gensim.words_per_sec.push_back(g["words_per_sec"].get<double>());
            gensim.accuracy.push_back(gev.accuracy());
            gensim.own_accuracy.push_back(g["accuracy"].get<double>());
            gensim.answered = gev.answered;
            csv.row("gensim", t, r, g["seconds"].get<double>(), g["words_per_sec"].get<double>(), gev.accuracy(), gev.answered);
            fmt::print("  {:<25} {} thread(s) run {}: {:>9} words/s  {:6.1f} s  accuracy {:.1f}% ({} answered; gensim's "
                       "own evaluator: {:.1f}%)\n",
                       gensim.label, t, r + 1, format_count(g["words_per_sec"].get<double>()), g["seconds"].get<double>(),
                       100 * gev.accuracy(), gev.answered, 100 * g["accuracy"].get<double>());
        }
        fmt::print("\n{} thread(s), {} epochs, {} repeats:\n  {:<26} {:>22}   {:<26}  {}\n", t, cfg.epochs, o.repeats,
                   "contender", "words/s median (min)", "accuracy median (min..max)", "vs gensim: speed, accuracy");
        const Stat gs = stats(gensim.words_per_sec), ga = stats(gensim.accuracy);
        for (const Runs* runs : {&ours, &per_pair, &gensim}) {
            if (runs->words_per_sec.empty()) continue;
            const Stat ws = stats(runs->words_per_sec), ac = stats(runs->accuracy);
            const double acc_max = *std::max_element(runs->accuracy.begin(), runs->accuracy.end());
            nlohmann::json row{{"threads", t},
                               {"contender", runs->name},
                               {"words_per_sec_min", ws.min},
                               {"words_per_sec_median", ws.median},
                               {"accuracy_median", ac.median},
                               {"accuracy_min", ac.min},
                               {"accuracy_max", acc_max},
                               {"answered", runs->answered}};
            std::string versus = "";
            if (!gensim.words_per_sec.empty() && runs != &gensim) {
                row["speedup_median"] = ws.median / gs.median;
                row["accuracy_gap_points"] = 100 * (ac.median - ga.median);
                versus = fmt::format("{:.2f}x, {:+.1f} pt", ws.median / gs.median, 100 * (ac.median - ga.median));
            }
            if (runs == &gensim) row["accuracy_own_evaluator_median"] = stats(gensim.own_accuracy).median;
            fmt::print("  {:<26} {:>10} ({:>9})   {:5.1f}% ({:4.1f}..{:4.1f})           {}\n", runs->label,
                       format_count(ws.median), format_count(ws.min), 100 * ac.median, 100 * ac.min, 100 * acc_max, versus);
            summary["cpu"].push_back(row);
        }
        fmt::print("\n");
    }
    // The GPU trainer on the emulator: a slice of the corpus, one epoch (it runs every CUDA
    // thread as a fiber: correct, slow).
    for (Device d : available_devices()) {
        if (d == Device::cpu) continue;
        Corpus slice;
        slice.starts.push_back(0);
        const std::size_t limit = d == Device::simt ? o.simt_words : corpus.ids.size();
        for (std::size_t s = 0; s < corpus.sentences() && slice.ids.size() < limit; ++s) {
            slice.ids.insert(slice.ids.end(), corpus.ids.begin() + static_cast<std::ptrdiff_t>(corpus.starts[s]),
                             corpus.ids.begin() + static_cast<std::ptrdiff_t>(corpus.starts[s + 1]));
            slice.starts.push_back(slice.ids.size());
        }
        slice.raw_words = slice.ids.size();
        TrainConfig gc = cfg;
        gc.epochs = d == Device::simt ? 1 : cfg.epochs;
        const TrainResult tr = train_gpu(d, slice, vocab, gc);
        fmt::print("  {} trainer: {} words x {} epoch(s) in {:.1f} s: {} words/s (in-vocabulary words)\n", device_name(d),
                   format_count(static_cast<double>(slice.raw_words)), gc.epochs, tr.seconds, format_count(tr.words_per_sec));
        csv.row(device_name(d), 0, 0, tr.seconds, tr.words_per_sec, 0.0, 0);
        summary[device_name(d)] = {{"words", slice.raw_words}, {"epochs", gc.epochs}, {"seconds", tr.seconds},
                                   {"words_per_sec", tr.words_per_sec}};
    }
    summary["seconds_total"] = total.seconds();
    // Not RunDir::write_summary: that would replace the program's own runs/ch03/summary.json.
    write_file_atomic(out.file("bench_summary.json"), nlohmann::json{{"chapter", "ch03"}, {"bench", summary}}.dump(2) + "\n");
    fmt::print("\nWrote {} and {} ({:.0f} s in all).\n", out.file("bench_train.csv").string(),
               out.file("bench_summary.json").string(), total.seconds());
    return 0;
}

}  // namespace
}  // namespace ladder::ch03

int main(int argc, char** argv) {
    CLI::App app{"Chapter 3 benchmark: SGNS training words/s and analogy accuracy, ours (shared and per-pair negatives) vs gensim"};
    ladder::ch03::BenchOptions o;
    app.add_option("--out", o.out, "output directory")->capture_default_str();
    app.add_option("--corpus", o.corpus, "corpus file (default: data/cache/ch03/corpus.txt)");
    app.add_option("--questions", o.questions, "analogy questions (default: data/ch03_questions.txt)");
    app.add_option("--repeats", o.repeats, "runs per contender and thread count")->capture_default_str();
    app.add_option("--epochs", o.epochs, "epochs (the program's default: 5)")->capture_default_str();
    app.add_option("--threads", o.threads, "thread counts")->capture_default_str();
    app.add_option("--simt-words", o.simt_words, "corpus words for the emulator run")->capture_default_str();
    app.add_flag("!--no-gensim", o.gensim, "skip the gensim peer");
    app.add_flag("!--no-per-pair", o.per_pair, "skip our --per-pair-negatives contender");
    if (auto code = ladder::parse_args(app, argc, argv)) return *code;
    return ladder::guarded_main([&] { return ladder::ch03::bench(o); });
}
