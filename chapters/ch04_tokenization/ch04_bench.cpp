// ch04_bench.cpp: chapter 4's benchmarks, side by side in one run (`./ladder bench ch04`):
// GPT-2 encode MB/s at 1 and 2 threads beside tiktoken (npm, through node) on the same
// KJV text, ids checked identical; BPE training time and merges/s for 4k and 8k
// vocabularies, naive and incremental. Writes runs/ch04/bench_encode.csv, bench_train.csv.
#include <algorithm>

#include "chapters/ch04_tokenization/corpus.hpp"
#include "chapters/ch04_tokenization/reference.hpp"
#include "core/cli.hpp"
#include "core/fileio.hpp"

namespace ladder::tok {
namespace {

struct Stats {
    double min = 0, median = 0;
};
Stats stats(std::vector<double> xs) {
    std::sort(xs.begin(), xs.end());
    return {xs.front(), xs[xs.size() / 2]};
}

int run(const CommonOptions& opts, int repeats, double naive_seconds, const std::string& tiktoken_dir, const std::string& data_dir) {
    const RunDir out(opts.out_dir);
    const auto files = load_corpus(data_dir, opts.quick);
    const std::string corpus = join(files);
    const std::string& english = files[0].text;   // the KJV (or the English sample)
    fmt::print("Chapter 4 benchmarks. Every contender runs back to back, {} repeats, min and median.\n", repeats);
    for (const auto& f : files) fmt::print("  {:<8} {:>10} bytes  {}\n", f.name, f.text.size(), f.path.string());
    const BlasInfo blas = blas_info();   // recorded with every benchmark, though tokenising calls no BLAS
    fmt::print("  BLAS     {}\n", blas.summary());

    // ---- encode: our GPT-2 encoder vs tiktoken, same vocabulary, same text ----
    const auto dir = tiktoken_dir.empty() ? default_tiktoken_dir() : std::filesystem::path(tiktoken_dir);
    if (auto missing = reference_missing(dir)) LADDER_THROW("{}", *missing);
    const BpeTokenizer gpt2 = BpeTokenizer::load_gpt2(gpt2_files_dir(dir));
    const double mb = static_cast<double>(english.size()) / 1e6;
    const auto reference_ids = tiktoken_ids(dir, english);
    CsvWriter csv = out.csv("bench_encode.csv", {"encoder", "threads", "mb", "min_s", "median_s", "mb_per_s_best", "tokens", "identical"});
    fmt::print("\nGPT-2 encode of {} ({:.2f} MB), each run from an empty cache:\n", files[0].name, mb);
    fmt::print("  {:<22} {:>8} {:>10} {:>10} {:>12} {:>10}\n", "encoder", "threads", "min s", "median s", "MB/s (best)", "ids");
    nlohmann::json enc;
    for (unsigned threads : {1u, 2u}) {
        EncodeOptions o;
        o.threads = threads;
        o.fresh_cache = true;
        std::vector<double> secs;
        std::vector<TokenId> ids;
        for (int r = 0; r < repeats; ++r) {
            const Timer t;
            ids = gpt2.encode(english, o);
            secs.push_back(t.seconds());
        }
        const Stats s = stats(secs);
        const bool same = ids == reference_ids;
        fmt::print("  {:<22} {:>8} {:>10.3f} {:>10.3f} {:>12.1f} {:>10}\n", "ours (C++)", threads, s.min, s.median, mb / s.min,
                   same ? "identical" : "DIFFERENT");
        csv.row("ours", threads, mb, s.min, s.median, mb / s.min, ids.size(), same ? 1 : 0);
        enc[fmt::format("ours_{}t_mb_s", threads)] = mb / s.min;
        enc[fmt::format("ours_{}t_identical", threads)] = same;
        LADDER_CHECK(same, "our GPT-2 ids differ from tiktoken's on {}", files[0].path.string());
    }
    const ReferenceTiming ref = tiktoken_bench(dir, files[0].path, repeats);
    fmt::print("  {:<22} {:>8} {:>10.3f} {:>10.3f} {:>12.1f} {:>10}\n", "tiktoken 1.0.22 (wasm)", 1, ref.min_ms / 1e3,
               ref.median_ms / 1e3, mb / (ref.min_ms / 1e3), "reference");
    csv.row("tiktoken", 1, mb, ref.min_ms / 1e3, ref.median_ms / 1e3, mb / (ref.min_ms / 1e3), ref.tokens, 1);
    enc["tiktoken_mb_s"] = mb / (ref.min_ms / 1e3);
    enc["speedup_1t"] = enc["ours_1t_mb_s"].get<double>() / enc["tiktoken_mb_s"].get<double>();
    enc["speedup_2t"] = enc["ours_2t_mb_s"].get<double>() / enc["tiktoken_mb_s"].get<double>();
    fmt::print("  one thread: {:.1f}x tiktoken's MB/s; two threads: {:.1f}x\n", enc["speedup_1t"].get<double>(),
               enc["speedup_2t"].get<double>());

    // ---- training: naive vs incremental ----
    CsvWriter tcsv = out.csv("bench_train.csv", {"version", "vocab", "merges", "seconds", "merges_per_s", "complete"});
    fmt::print("\nBPE training on {} ({:.2f} MB):\n", opts.quick ? "the samples" : "KJV + Korean FAQ", corpus.size() / 1e6);
    fmt::print("  {:<12} {:>7} {:>8} {:>10} {:>12}\n", "version", "vocab", "merges", "seconds", "merges/s");
    nlohmann::json train;
    for (std::size_t vocab : {std::size_t{4000}, std::size_t{8000}}) {
        TrainOptions o;
        o.vocab_size = vocab;
        std::vector<double> secs;
        TrainResult fast;
        for (int r = 0; r < repeats; ++r) {
            fast = train_bpe(corpus, o);
            secs.push_back(fast.seconds);
        }
        const Stats s = stats(secs);
        fmt::print("  {:<12} {:>7} {:>8} {:>10.3f} {:>12.0f}   (median {:.3f} s)\n", "incremental", vocab, fast.merges.size(), s.min,
                   fast.merges.size() / s.min, s.median);
        tcsv.row("incremental", vocab, fast.merges.size(), s.min, fast.merges.size() / s.min, 1);
        train[fmt::format("incremental_{}", vocab)] = {{"seconds", s.min}, {"merges_per_s", fast.merges.size() / s.min}};
        // The naive version recounts every pair at every merge: its cost per merge barely
        // falls, so a capped run measures its rate; the full time is estimated from it.
        TrainOptions capped = o;
        std::size_t merges = fast.merges.size();
        const double per_merge = [&] {
            TrainOptions probe = o;
            probe.vocab_size = 256 + 1 + 20;
            const TrainResult p = train_bpe_naive(corpus, probe);
            return p.seconds / static_cast<double>(std::max<std::size_t>(p.merges.size(), 1));
        }();
        const bool complete = per_merge * static_cast<double>(merges) <= naive_seconds;
        if (!complete) capped.vocab_size = 257 + static_cast<std::size_t>(naive_seconds / per_merge);
        const TrainResult naive = train_bpe_naive(corpus, capped);
        for (std::size_t i = 0; i < naive.merges.size(); ++i)
            LADDER_CHECK(naive.merges[i].left == fast.merges[i].left && naive.merges[i].right == fast.merges[i].right,
                         "naive and incremental training differ at merge {}", i);
        const double rate = static_cast<double>(naive.merges.size()) / naive.seconds;
        fmt::print("  {:<12} {:>7} {:>8} {:>10.3f} {:>12.0f}   {}\n", "naive", vocab, naive.merges.size(), naive.seconds, rate,
                   complete ? "(same merges)"
                            : fmt::format("(capped at {:.0f} s, same merges so far; all {} would take ~{:.0f} s)", naive_seconds,
                                          merges, merges / rate));
        tcsv.row("naive", vocab, naive.merges.size(), naive.seconds, rate, complete ? 1 : 0);
        train[fmt::format("naive_{}", vocab)] = {{"seconds", naive.seconds}, {"merges", naive.merges.size()}, {"merges_per_s", rate},
                                                 {"complete", complete}, {"estimated_full_seconds", merges / rate}};
    }
    nlohmann::json summary = {{"encode", enc}, {"train", train}, {"text", files[0].path.string()},
                              {"repeats", repeats}, {"blas", blas}};
    write_file_atomic(out.file("bench.json"), summary.dump(2) + "\n");
    fmt::print("\nWrote {}, {} and {}.\n", out.file("bench_encode.csv").string(), out.file("bench_train.csv").string(),
               out.file("bench.json").string());
    return 0;
}

}  // namespace
}  // namespace ladder::tok

int main(int argc, char** argv) {
    CLI::App app{"Chapter 4 benchmarks: GPT-2 encode beside tiktoken, BPE training naive and incremental"};
    ladder::CommonOptions opts;
    ladder::add_common_options(app, opts, "runs/ch04");
    int repeats = 3;
    double naive_seconds = 30;
    std::string tiktoken_dir, data_dir = "data";
    app.add_option("--data-dir", data_dir, "the repository's data/ folder (samples/, cache/)")->capture_default_str();
    app.add_option("--repeats", repeats, "timed runs per contender")->capture_default_str();
    app.add_option("--naive-seconds", naive_seconds, "cap on each naive training run (estimated beyond)")->capture_default_str();
    app.add_option("--tiktoken-dir", tiktoken_dir, "where `npm ci` installed the reference (default: tools/tiktoken)");
    if (auto code = ladder::parse_args(app, argc, argv)) return *code;
    return ladder::guarded_main([&] { return ladder::tok::run(opts, std::max(repeats, 1), naive_seconds, tiktoken_dir, data_dir); });
}
