// ch03.cpp: chapter 3's program. Trains word2vec (skip-gram with negative sampling) on the
// English corpus (KJV + WordNet glosses + GCIDE) on the CPU or a GPU backend, saves the
// vectors in word2vec's formats, then shows what they hold: neighbours, analogies (3CosAdd,
// 3CosMul) and their accuracy on a question set, k-means clusters, odd one out, a 2-D map,
// and count-vector neighbours beside learned ones. Writes runs/ch03/summary.json and CSVs.
#include <array>
#include <filesystem>
#include <thread>
#include <iostream>

#include "chapters/ch03_word2vec/analysis.hpp"
#include "chapters/ch03_word2vec/corpus.hpp"
#include "chapters/ch03_word2vec/trainer.hpp"
#include "chapters/ch03_word2vec/analogies.hpp"
#include "chapters/ch03_word2vec/search.hpp"
#include "chapters/ch03_word2vec/vectors.hpp"
#include "core/cli.hpp"

namespace ladder::ch03 {
namespace {

namespace fs = std::filesystem;

struct Options {
    CommonOptions common;
    TrainConfig train;
    std::uint64_t min_count = 5;
    std::string corpus, questions, load;
    std::vector<std::string> neighbour_words;
    std::vector<std::string> analogy;   // a b c: "a is to b as c is to ?"
    bool dim_given = false;
};

fs::path default_corpus() {
    const fs::path corpus = "data/cache/ch03/corpus.txt";
    if (fs::exists(corpus)) return corpus;
    fmt::print("Building the corpus {} from the KJV, WordNet and GCIDE caches ...\n", corpus.string());
    const std::size_t words = build_corpus_file("data/cache", corpus);
    fmt::print("  {} words written.\n", format_count(static_cast<double>(words)));
    return corpus;
}

// Words of `list` that the vectors know (the program's own examples skip unknown ones).
std::vector<std::string> known(const Embeddings& e, const std::vector<std::string>& list) {
    std::vector<std::string> out;
    for (const auto& w : list)
        if (e.id(w) >= 0) out.push_back(w);
    return out;
}

std::string join(const std::vector<Neighbour>& ns, std::size_t n) {
    std::string s;
    for (std::size_t i = 0; i < std::min(n, ns.size()); ++i) s += fmt::format("{}{} {:.2f}", i ? ", " : "", ns[i].word, ns[i].sim);
    return s;
}

int run(Options& o) {
    const RunDir out(o.common.out_dir);
    const bool quick = o.common.quick;
    TrainConfig& cfg = o.train;
    cfg.seed = o.common.seed;
    cfg.threads = o.common.threads ? o.common.threads : std::max(1u, std::thread::hardware_concurrency());
    const Device device = parse_device(o.common.backend);
    require_device(device);
    nlohmann::json summary;
    summary["chapter"] = "ch03";
    summary["backend"] = o.common.backend;
    summary["seed"] = o.common.seed;

    fmt::print("Chapter 3: word2vec, word vectors learned from the company words keep.\n\n");
    Embeddings emb;
    if (!o.load.empty()) {
        emb = load_vectors(o.load, o.dim_given ? std::optional<std::size_t>(cfg.dim) : std::nullopt);
        fmt::print("Loaded {} vectors of dimension {} from {}.\n", emb.size(), emb.D, o.load);
        summary["vectors_loaded_from"] = o.load;
    } else {
        // ---- the corpus ----
        const fs::path corpus_path = !o.corpus.empty() ? fs::path(o.corpus)
                                     : quick           ? repo_path("data/samples/ch03_corpus.txt")
                                                       : default_corpus();
        const auto sentences = read_sentences(corpus_path);
        const Vocab vocab = build_vocab(sentences, o.min_count, corpus_path.string());
        const Corpus corpus = encode(sentences, vocab);
        fmt::print("Corpus {}: {} sentences, {} words; vocabulary {} words seen >= {} times ({} of the words).\n",
                   corpus_path.string(), format_count(static_cast<double>(corpus.sentences())),
                   format_count(static_cast<double>(corpus.raw_words)), vocab.size(), o.min_count,
                   format_count(static_cast<double>(corpus.ids.size())));
        const bool shared = device == Device::cpu && cfg.share_negatives;   // the GPU trainer draws them per pair
        fmt::print("Training skip-gram with negative sampling: dim {}, window {}, {} negatives {}, {} epochs, sample {}, "
                   "{} on {}{}.\n\n",
                   cfg.dim, cfg.window, cfg.negative, shared ? "shared per window" : "per pair", cfg.epochs, cfg.sample,
                   device == Device::cpu ? "CPU" : "GPU kernels",
                   device_name(device), device == Device::cpu ? fmt::format(" ({} threads)", cfg.threads) : "");
        // ---- training ----
        const TrainResult tr = device == Device::cpu ? train_cpu(corpus, vocab, cfg) : train_gpu(device, corpus, vocab, cfg);
        fmt::print("Trained in {:.1f} s: {} words/s, final loss {:.4f} per pair.\n", tr.seconds,
                   format_count(tr.words_per_sec), tr.final_loss);
        CsvWriter loss_csv = out.csv("loss.csv", {"words", "loss", "lr", "seconds"});
        for (const auto& p : tr.curve) loss_csv.row(p.words, p.loss, p.lr, p.seconds);
        emb = Embeddings(vocab.words, tr.w_in, cfg.dim);
        save_binary(emb, out.file("vectors.bin"));
        save_text(emb, out.file("vectors.txt"));
        fmt::print("Saved {} and vectors.txt (word2vec formats; gensim: KeyedVectors.load_word2vec_format).\n",
                   out.file("vectors.bin").string());
        summary["corpus"] = {{"file", corpus_path.string()}, {"sentences", corpus.sentences()},
                             {"words", corpus.raw_words}, {"words_in_vocab", corpus.ids.size()}};
        summary["corpus_words"] = corpus.raw_words;
        summary["vocab_size"] = vocab.size();
        summary["train"] = {{"dim", cfg.dim}, {"window", cfg.window}, {"negative", cfg.negative},
                            {"negatives_shared", shared}, {"epochs", cfg.epochs}, {"sample", cfg.sample},
                            {"min_count", o.min_count}, {"alpha", cfg.alpha},
                            {"threads", device == Device::cpu ? cfg.threads : 0u}, {"seconds", tr.seconds}};
        summary["words_per_sec"] = tr.words_per_sec;
        summary["final_loss"] = tr.final_loss;
        summary["loss_points"] = tr.curve.size();

        // ---- count vectors (chapter 2's world) beside learned ones ----
        const std::size_t rows = std::min<std::size_t>(vocab.size(), quick ? 2000 : 5000);
        const std::size_t cols = std::min<std::size_t>(vocab.size(), quick ? 2000 : 2000);
        const CountVectors cv = ppmi_vectors(corpus, rows, cols, cfg.window);
        const Searcher learned(emb, device);
        CsvWriter ncsv = out.csv("neighbours.csv", {"query", "rank", "count_word", "count_sim", "learned_word", "learned_sim"});
        fmt::print("\nNeighbours from counts (PPMI co-occurrence rows, {} features) beside learned vectors:\n", cols);
        nlohmann::json side = nlohmann::json::array();
        for (const auto& q : {"king", "water", "horse", "bread", "sword", "gold", "sea", "night", "good", "run"}) {
            const std::int32_t id = vocab.id(q);
            if (id < 0 || static_cast<std::size_t>(id) >= rows) continue;
            std::vector<float> sims(rows);
            for (std::size_t r = 0; r < rows; ++r) {
                float dot = 0;
                for (std::size_t c = 0; c < cols; ++c) dot += cv.unit[static_cast<std::size_t>(id) * cols + c] * cv.unit[r * cols + c];
                sims[r] = dot;
            }
            std::vector<Neighbour> counted;
            std::vector<std::int32_t> order(rows);
            for (std::size_t r = 0; r < rows; ++r) order[r] = static_cast<std::int32_t>(r);
            std::partial_sort(order.begin(), order.begin() + std::min<std::ptrdiff_t>(6, static_cast<std::ptrdiff_t>(rows)),
                              order.end(), [&](auto a, auto b) { return sims[a] > sims[b] || (sims[a] == sims[b] && a < b); });
            for (std::size_t i = 0; i < std::min<std::size_t>(6, rows) && counted.size() < 5; ++i)
                if (order[i] != id) counted.push_back({vocab.words[order[i]], sims[order[i]]});
            const auto learnt = learned.neighbours({q}, 5)[0];
            fmt::print("  {:<8} counts:  {}\n  {:<8} learned: {}\n", q, join(counted, 5), "", join(learnt, 5));
            for (std::size_t i = 0; i < 5; ++i)
                ncsv.row(q, i + 1, i < counted.size() ? counted[i].word : "", i < counted.size() ? counted[i].sim : 0.0f,
                         i < learnt.size() ? learnt[i].word : "", i < learnt.size() ? learnt[i].sim : 0.0f);
            nlohmann::json row{{"query", q}, {"counts", nlohmann::json::array()}, {"learned", nlohmann::json::array()}};
            for (const auto& n : counted) row["counts"].push_back(n.word);
            for (const auto& n : learnt) row["learned"].push_back(n.word);
            side.push_back(row);
        }
        summary["count_vs_learned"] = side;
    }

    const Searcher search(emb, device);
    // ---- neighbours ----
    const std::vector<std::string> queries =
        !o.neighbour_words.empty() ? o.neighbour_words
                                   : known(emb, {"king", "god", "water", "horse", "love", "red", "father", "city", "gold", "eat"});
    fmt::print("\nNearest neighbours (cosine):\n");
    nlohmann::json nj = nlohmann::json::array();
    const auto neigh = queries.empty() ? std::vector<std::vector<Neighbour>>{} : search.neighbours(queries, 8);
    for (std::size_t i = 0; i < queries.size(); ++i) {
        fmt::print("  {:<10} {}\n", queries[i], join(neigh[i], 8));
        nlohmann::json list = nlohmann::json::array();
        for (const auto& n : neigh[i]) list.push_back({{"word", n.word}, {"sim", n.sim}});
        nj.push_back({{"query", queries[i]}, {"neighbours", list}});
    }
    summary["neighbours"] = nj;

    // ---- analogies ----
    std::vector<Question> examples;
    if (!o.analogy.empty()) {
        LADDER_CHECK(o.analogy.size() == 3, "--analogy takes three words a b c (a is to b as c is to ?), got {}",
                     o.analogy.size());
        examples.push_back({o.analogy[0], o.analogy[1], o.analogy[2], ""});
    } else {
        const std::vector<std::array<const char*, 3>> ex{{"man", "king", "woman"},     {"father", "mother", "son"},
                                                         {"brother", "sister", "uncle"}, {"go", "went", "come"},
                                                         {"horse", "horses", "dog"},   {"good", "better", "great"}};
        for (const auto& [a, b, c] : ex)
            if (emb.id(a) >= 0 && emb.id(b) >= 0 && emb.id(c) >= 0) examples.push_back({a, b, c, ""});
    }
    fmt::print("\nAnalogies, a : b :: c : ?   (3CosAdd: nearest to b - a + c;  3CosMul)\n");
    nlohmann::json aj = nlohmann::json::array();
    if (!examples.empty()) {
        const auto add = analogies(search, examples, AnalogyMethod::add);
        const auto mul = analogies(search, examples, AnalogyMethod::mul);
        for (std::size_t i = 0; i < examples.size(); ++i) {
            const auto& q = examples[i];
            fmt::print("  {} : {} :: {} : {:<10} (3CosMul: {})\n", q.a, q.b, q.c, add[i].word, mul[i].word);
            aj.push_back({{"a", q.a}, {"b", q.b}, {"c", q.c}, {"3CosAdd", add[i].word}, {"3CosMul", mul[i].word}});
        }
    }
    summary["analogies"] = aj;

    // ---- analogy accuracy on the question set ----
    const fs::path qpath = !o.questions.empty() ? fs::path(o.questions)
                           : quick              ? repo_path("data/samples/ch03_questions.txt")
                                                : repo_path("data/ch03_questions.txt");
    const auto sections = read_questions(qpath);
    fmt::print("\nAnalogy accuracy on {} (questions with all four words known):\n", qpath.string());
    nlohmann::json ej;
    for (AnalogyMethod m : {AnalogyMethod::add, AnalogyMethod::mul}) {
        const Evaluation ev = evaluate(search, sections, m);
        std::string per;
        for (const auto& s : ev.sections) per += fmt::format("  {} {}/{}", s.name, s.correct, s.answered);
        fmt::print("  {}: {:.1f}% ({} right of {} answered, {} questions){}\n", method_name(m), 100 * ev.accuracy(), ev.correct,
                   ev.answered, ev.total, per);
        nlohmann::json secs = nlohmann::json::array();
        for (const auto& s : ev.sections)
            secs.push_back({{"name", s.name}, {"correct", s.correct}, {"answered", s.answered}, {"total", s.total}});
        ej[method_name(m)] = {{"accuracy", ev.accuracy()}, {"correct", ev.correct}, {"answered", ev.answered},
                              {"total", ev.total}, {"sections", secs}};
        if (m == AnalogyMethod::add) {
            summary["analogy_accuracy"] = ev.accuracy();
            summary["analogy_answered"] = ev.answered;
        }
    }
    summary["analogy_eval"] = ej;
    summary["questions_file"] = qpath.string();

    // ---- k-means clusters ----
    const std::size_t first = quick ? 0 : 100, n_words = std::min<std::size_t>(emb.size() - std::min(first, emb.size()), quick ? 200 : 2000);
    nlohmann::json cj = nlohmann::json::array();
    if (n_words >= 8) {
        const std::size_t C = quick ? 6 : 30;
        std::vector<float> x(emb.unit.begin() + static_cast<std::ptrdiff_t>(first * emb.D),
                             emb.unit.begin() + static_cast<std::ptrdiff_t>((first + n_words) * emb.D));
        const Clusters cl = kmeans(x, n_words, emb.D, std::min(C, n_words / 2), 50, o.common.seed, device);
        fmt::print("\nk-means: {} clusters of the {} words ranked {}..{} ({} rounds on {}); a few, nearest the centre first:\n",
                   cl.counts.size(), n_words, first + 1, first + n_words, cl.iterations, device_name(device));
        for (std::size_t c = 0; c < cl.counts.size(); ++c) {
            std::vector<std::size_t> members;
            for (std::size_t i = 0; i < n_words; ++i)
                if (cl.assign[i] == static_cast<std::int32_t>(c)) members.push_back(i);
            std::sort(members.begin(), members.end(), [&](auto a, auto b) { return cl.dist[a] < cl.dist[b]; });
            nlohmann::json words = nlohmann::json::array();
            std::string shown;
            for (std::size_t i = 0; i < std::min<std::size_t>(8, members.size()); ++i) {
                words.push_back(emb.words[first + members[i]]);
                shown += (i ? " " : "") + emb.words[first + members[i]];
            }
            if (c < 8) fmt::print("  cluster {:>2} ({:>3} words): {}\n", c, members.size(), shown);
            cj.push_back({{"size", members.size()}, {"words", words}});
        }
    }
    summary["clusters"] = cj;

    // ---- odd one out ----
    fmt::print("\nWhich word does not belong?\n");
    nlohmann::json oj = nlohmann::json::array();
    for (const std::vector<std::string>& set :
         std::vector<std::vector<std::string>>{{"horse", "cow", "sheep", "sword"}, {"red", "green", "blue", "king"},
                                               {"father", "mother", "son", "river"}, {"gold", "silver", "iron", "love"},
                                               {"eat", "drink", "bread", "walk"}}) {
        if (known(emb, set).size() != set.size()) continue;
        const std::string odd = odd_one_out(emb, set);
        fmt::print("  {:<30} -> {}\n", fmt::format("{}", fmt::join(set, " ")), odd);
        oj.push_back({{"words", set}, {"odd", odd}});
    }
    summary["odd_one_out"] = oj;

    // ---- the map ----
    const std::vector<std::pair<const char*, std::vector<std::string>>> groups{
        {"people", {"king", "queen", "man", "woman", "father", "mother", "son", "daughter", "brother", "sister", "prince", "wife"}},
        {"animals", {"horse", "dog", "cow", "sheep", "lion", "bird", "fish", "ox", "goat", "wolf", "camel", "eagle"}},
        {"colours", {"red", "green", "blue", "white", "black", "yellow", "purple", "scarlet"}},
        {"numbers", {"one", "two", "three", "four", "five", "six", "seven", "ten", "hundred"}},
        {"metals", {"gold", "silver", "iron", "brass", "copper", "tin", "lead"}},
        {"body", {"hand", "head", "eye", "foot", "heart", "mouth", "arm", "ear"}}};
    std::vector<float> mx;
    std::vector<std::pair<std::string, std::string>> labels;
    for (const auto& [g, ws] : groups)
        for (const auto& w : known(emb, ws)) {
            mx.insert(mx.end(), emb.unit_row(emb.id(w)), emb.unit_row(emb.id(w)) + emb.D);
            labels.emplace_back(w, g);
        }
    if (labels.size() >= 3) {
        const Pca2 p = pca2(mx, labels.size(), emb.D, o.common.seed);
        CsvWriter map = out.csv("map.csv", {"word", "group", "x", "y"});
        for (std::size_t i = 0; i < labels.size(); ++i) map.row(labels[i].first, labels[i].second, p.coords[2 * i], p.coords[2 * i + 1]);
        fmt::print("\nMap: {} words projected on their top two principal axes (PCA by power iteration) -> map.csv\n",
                   labels.size());
        summary["map_words"] = labels.size();
    }

    out.write_summary(summary);
    fmt::print("\nWrote {} (and CSV series beside it).\n", out.file("summary.json").string());
    return 0;
}

}  // namespace
}  // namespace ladder::ch03

int main(int argc, char** argv) {
    using namespace ladder::ch03;
    CLI::App app{"Chapter 3: word2vec (skip-gram with negative sampling), neighbours, analogies, clusters, a map"};
    Options o;
    ladder::add_common_options(app, o.common, "runs/ch03");
    app.add_option("--dim", o.train.dim, "vector size")->capture_default_str()->each([&](const std::string&) { o.dim_given = true; });
    app.add_option("--epochs", o.train.epochs, "passes over the corpus")->capture_default_str();
    app.add_option("--window", o.train.window, "context words on each side (at most)")->capture_default_str();
    app.add_option("--negative", o.train.negative, "negative samples")->capture_default_str();
    app.add_option("--min-count", o.min_count, "drop words seen fewer times")->capture_default_str();
    app.add_option("--sample", o.train.sample, "subsampling threshold (0: off)")->capture_default_str();
    app.add_option("--alpha", o.train.alpha, "initial learning rate")->capture_default_str();
    app.add_option("--batch", o.train.gpu_batch, "pairs per step of the GPU trainer")->capture_default_str();
    app.add_option("--corpus", o.corpus, "train on this UTF-8 text file (one sentence per line) instead");
    app.add_option("--questions", o.questions, "analogy questions in the questions-words format");
    app.add_option("--load", o.load, "skip training: load word2vec vectors (.bin binary, else text)");
    app.add_option("--neighbours", o.neighbour_words, "words to show the neighbours of");
    app.add_option("--analogy", o.analogy, "three words a b c: a is to b as c is to ?")->expected(3);
    app.add_flag("--per-pair-negatives", [&](std::int64_t) { o.train.share_negatives = false; },
                 "CPU trainer: fresh negatives for every (context, centre) pair, as word2vec.c and the GPU trainer "
                 "(about half the speed; default: one set per window, Ji et al. 2016)");
    app.add_flag("--no-progress", [&](std::int64_t) { o.train.progress = false; }, "no progress line");
    if (auto code = ladder::parse_args(app, argc, argv)) return *code;
    if (o.common.quick) {
        // The hand-written sample: small vectors, more passes, every word seen twice counts.
        if (!app.get_option("--dim")->count()) o.train.dim = 32;
        if (!app.get_option("--epochs")->count()) o.train.epochs = 40;
        if (!app.get_option("--min-count")->count()) o.min_count = 2;
        if (!app.get_option("--sample")->count()) o.train.sample = 0;
        // The GPU trainer moves a row by the sum of its gradients in a batch. The default 1024
        // pairs are about a quarter of an epoch of the sample (754 words in the vocabulary, up
        // to W + 1 = 6 pairs each), in which "the" (a fifth of the words) is a centre, context
        // or negative hundreds of times: that summed step diverges. 128 pairs train as well as
        // the CPU's pair-by-pair steps (tests/chapters/ch03_test.cpp checks both).
        if (!app.get_option("--batch")->count()) o.train.gpu_batch = 128;
    }
    return ladder::guarded_main([&] { return run(o); });
}
