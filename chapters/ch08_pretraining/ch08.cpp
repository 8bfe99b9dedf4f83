// ch08.cpp: chapter 8's program. Pre-trains chapter 7's GPT-2 on the largest clean English text
// Debian gives (`./ladder data pretrain`: the KJV, WordNet's glosses, GCIDE and prose from the
// kernel's and Python's documentation), for a bounded time; measures a small grid of model sizes
// by data sizes and fits the power laws of loss against parameters and against tokens (and shows
// where a bigger model on too little text stops paying); and treats the trained model as a
// compressor: its bits per byte beside gzip -9, xz -9 and zstd -19 on the same validation bytes,
// and a real round trip through the arithmetic coder. Writes runs/ch08/summary.json, the CSVs of
// the figures and the leaderboard row.
//   ch08 pretrain ...            one pre-training run (under mpirun: data-parallel over the ranks)
//   ch08 compress / decompress   a text file through the model and the arithmetic coder
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "chapters/ch05_neural_lm/bigram_count.hpp"
#include "chapters/ch05_neural_lm/corpus.hpp"
#include "chapters/ch05_neural_lm/lm_run.hpp"
#include "chapters/ch07_gpt/gpt2.hpp"
#include "chapters/ch08_pretraining/compress_cli.hpp"
#include "chapters/ch08_pretraining/compression_table.hpp"
#include "chapters/ch08_pretraining/scaling.hpp"
#include "core/blas_info.hpp"
#include "core/cli.hpp"
#include "core/error.hpp"
#include "core/nn/distributed.hpp"
#include "core/nn/leaderboard.hpp"
#include "core/nn/train.hpp"

namespace ladder::ch08 {
namespace {

namespace fs = std::filesystem;
using ch07::Gpt2;
using ch07::Gpt2Config;

// ---- the data ----

struct DataFlags {
    std::string data_dir, train_text, val_text;
    std::size_t vocab = 0;   // 0: 4096 (320 with --quick)
    bool quick = false, progress = true;
};

// [book:ch08-data]
// The corpus's two texts (the recipe holds out whole documents) as token files, with a BPE of
// 4096 tokens trained on 24 MB taken evenly from the training text. --quick: chapter 5's way with
// the hand-written sample, in the run's own folder (tests never touch the cache).
ch05::LmData pretrain_data(const DataFlags& f, const fs::path& run_dir) {
    if (f.quick && f.data_dir.empty() && f.train_text.empty())
        return ch05::chapter_lm_data({"", "", f.vocab, true, f.progress}, repo_path("data/samples/ch03_corpus.txt"),
                                     run_dir);
    ch05::PrepareOptions prep;
    prep.vocab = f.vocab ? f.vocab : 4096;
    prep.progress = f.progress;
    prep.bpe_sample_bytes = 24u << 20;
    const fs::path train = f.train_text.empty() ? fs::path("data/cache/pretrain/train.txt") : fs::path(f.train_text);
    const fs::path val = f.val_text.empty() ? fs::path("data/cache/pretrain/val.txt") : fs::path(f.val_text);
    const std::string name = fmt::format("pretrain-bpe{}", prep.vocab);
    const fs::path dir = f.data_dir.empty() ? fs::path("data/cache/lm") / name : fs::path(f.data_dir);
    if (!f.data_dir.empty() && !fs::exists(train)) return ch05::load_lm_data(dir);
    return ch05::prepare_split_lm_data(train, val, dir, name, prep);
}
// [/book]

// ---- ch08 pretrain: one run, on one rank or many ----

struct PretrainOptions {
    DataFlags data;
    std::string out = "runs/ch08/pretrain", resume;
    std::size_t layers = 4, embed = 128, heads = 4, context = 128, batch = 16, steps = 0;
    std::size_t checkpoint_every = 0, eval_every = 0, eval_targets = 20000;
    std::size_t val_tokens = 0;   // validate on this many tokens taken evenly from the split (0: all)
    double lr = 6e-3;
    unsigned threads = 1;
    std::uint64_t seed = 42;
    std::string backend = "cpu";
    bool progress = true;
};

// [book:ch08-pretrain]
int pretrain_main(PretrainOptions& o) {
    // The communicator first: on cuda under mpirun it picks each rank's GPU before anything
    // else touches one.
    const Device device = parse_device(o.backend);
    const Communicator& comm = world(device);
    const Backend be(device);
    const bool lead = comm.rank() == 0;
    set_blas_threads(o.threads);
    const RunDir out(o.out);
    if (!lead) o.data.progress = o.progress = false;
    // Rank 0 builds the token files first; the others then read them (two ranks writing one file
    // would race).
    if (lead) pretrain_data(o.data, out.path());
    comm.barrier();
    const ch05::LmData data = pretrain_data(o.data, out.path());
    const std::size_t steps = o.steps ? o.steps : (o.data.quick ? 40 : 1000);
    Gpt2 model(gpt(data.vocab(), o.layers, o.embed, o.heads, o.context), device, o.seed);
    TrainConfig cfg = recipe(steps, o.batch, o.lr, o.seed);
    if (o.eval_every) cfg.eval_every = o.eval_every;
    cfg.eval_targets = o.eval_targets;
    cfg.checkpoint_every = o.checkpoint_every;
    cfg.progress = o.progress;
    cfg.comm = &comm;
    cfg.label = "pretrain";
    cfg.csv = out.file("pretrain_loss.csv");
    cfg.checkpoint = out.file("pretrain.safetensors");
    cfg.resume = o.resume;
    const std::vector<std::int32_t> val = o.val_tokens ? spread_subset(data.val, o.val_tokens, 256) : data.val;
    const TrainResult r = train(model, be, data.train, val, cfg);
    if (lead) {
        const nlohmann::json j{{"model", model.name()},       {"parameters", model.params().count()},
                               {"backend", o.backend},         {"communicator", comm.name()},
                               {"ranks", r.ranks},             {"threads_per_rank", o.threads},
                               {"batch", o.batch},             {"steps", r.steps},
                               {"tokens_per_s", r.tokens_per_s}, {"global_tokens_per_s", r.global_tokens_per_s},
                               {"comm_seconds", r.comm_seconds}, {"seconds", r.seconds},
                               {"train_loss", r.train_loss},   {"val_loss", r.val_loss}};
        fmt::print("{}\n", j.dump());
    }
    return 0;
}
// [/book]

// ---- the chapter's run ----

struct Options {
    CommonOptions common;
    DataFlags data;
    std::string leaderboard, resume;
    double budget = 600;          // seconds of the main pre-training (the grid and the coder come on top)
    std::size_t steps = 0;        // instead of the budget
    std::size_t compress_bytes = 0;   // validation bytes through the coder (default 16384; 1024 with --quick)
    bool grid = true, compress = true, progress = true;
};

struct Trained : ch05::TrainedRun {
    std::unique_ptr<Gpt2> model;
};

// How many steps of `batch` rows fit in `seconds`: four timed steps of a fresh copy of the model.
std::size_t steps_for_budget(const Gpt2Config& c, const TrainConfig& t, const ch05::LmData& data, const Backend& be,
                             double seconds) {
    Gpt2 probe(c, be.device(), 1);
    TrainConfig p = t;
    p.steps = 4, p.lr.total = 4, p.lr.warmup = 1, p.eval_every = 0, p.progress = false;
    p.csv.clear(), p.checkpoint.clear();
    const auto val = std::span(data.val).first(std::min<std::size_t>(data.val.size(), 4 * c.context + 1));
    const TrainResult r = train(probe, be, data.train, val, p);
    const double per_step = static_cast<double>(t.batch * c.context) / std::max(1.0, r.tokens_per_s);
    return std::max<std::size_t>(50, static_cast<std::size_t>(seconds / per_step));
}

// The coder's round trip on a slice of the validation text, beside what the model's
// cross-entropy says the slice should cost.
nlohmann::json report_json(const CompressReport& r) {
    fmt::print("Through the arithmetic coder: {} bytes -> {} tokens -> {} bytes ({:.4f} bits/byte; the model's "
               "cross-entropy {:.4f}; {:+.2f}% with the {}-byte header), round trip {}, {:.1f} s + {:.1f} s\n\n",
               r.bytes_in, r.tokens, r.bytes_out, r.bits_per_byte(), r.ideal_bits_per_byte(), r.overhead_percent(),
               kCompressedHeaderBytes,
               r.round_trip ? "exact" : "FAILED", r.compress_seconds, r.decompress_seconds);
    LADDER_CHECK(r.round_trip, "ch08: the compressed slice did not decompress to its bytes");
    return {{"bytes_in", r.bytes_in},
            {"tokens", r.tokens},
            {"bytes_out", r.bytes_out},
            {"bits_per_byte", r.bits_per_byte()},
            {"payload_bits_per_byte", r.payload_bits_per_byte()},
            {"ideal_bits_per_byte", r.ideal_bits_per_byte()},
            {"overhead_percent", r.overhead_percent()},
            {"ratio", r.bytes_in ? double(r.bytes_in) / double(r.bytes_out) : 0.0},
            {"round_trip", r.round_trip},
            {"compress_seconds", r.compress_seconds},
            {"decompress_seconds", r.decompress_seconds}};
}

int run(Options& o) {
    const RunDir out(o.common.out_dir);
    const bool quick = o.common.quick;
    const Backend be = Backend::parse(o.common.backend);
    set_blas_threads(o.common.threads);
    o.data.quick = quick;
    nlohmann::json summary;
    summary["chapter"] = "ch08";
    summary["backend"] = o.common.backend;
    summary["seed"] = o.common.seed;
    summary["threads"] = o.common.threads;
    fmt::print("Chapter 8: pre-training, scaling, and a language model as a compressor.\n\n");

    const ch05::LmData data = pretrain_data(o.data, out.path());
    const std::string val_text = data.tokenizer.decode(data.val);
    fmt::print("Data {}: {} training and {} validation tokens, vocabulary {}, {:.2f} bytes per token\n\n", data.name,
               format_count(static_cast<double>(data.train.size())), format_count(static_cast<double>(data.val.size())),
               data.vocab(), static_cast<double>(data.val_bytes) / static_cast<double>(data.val.size()));
    summary["corpus"] = {{"name", data.name},
                         {"vocab", data.vocab()},
                         {"train_tokens", data.train.size()},
                         {"val_tokens", data.val.size()},
                         {"train_bytes", data.train_bytes},
                         {"val_bytes", data.val_bytes}};

    // [book:ch08-main-run]
    // The pre-trained model: chapter 7's small shape with a window of 128, for a time budget.
    const Gpt2Config main_cfg = quick ? gpt(data.vocab(), 2, 32, 2, 32) : gpt(data.vocab(), 4, 128, 4, 128);
    const std::size_t batch = quick ? 8 : 16;
    const std::size_t steps = o.steps   ? o.steps
                              : quick   ? 60
                                        : steps_for_budget(main_cfg, recipe(100, batch, 6e-3, o.common.seed), data, be,
                                                           o.budget);
    TrainConfig t = recipe(steps, batch, 6e-3, o.common.seed);
    t.eval_targets = quick ? 0 : 40000;
    t.progress = o.progress;
    Trained main;
    main.model = std::make_unique<Gpt2>(main_cfg, be.device(), o.common.seed);
    static_cast<ch05::TrainedRun&>(main) = ch05::train_reported(*main.model, be, data, t, out, "gpt", o.resume);
    // [/book]
    summary["model"] = ch05::run_json(*main.model, main);
    summary["model"]["tokens_seen"] = main.result.steps * t.batch * main_cfg.context;
    data.tokenizer.save(out.file("tokenizer"));

    // The count bigram of chapter 5 on the same tokens: the floor every model must beat.
    const ch05::CountBigramResult bigram =
        ch05::fit_count_bigram(data.train, data.val, data.vocab(), {0.01, 0.03, 0.1, 0.3});
    const double bigram_bpb = bits_per_byte(bigram.val_loss, data.val.size(), data.val_bytes);
    fmt::print("Count bigram (alpha {}): val loss {:.4f} nats/token, {:.4f} bits/byte\n\n", bigram.alpha,
               bigram.val_loss, bigram_bpb);

    // The compressors, on the validation text's very bytes.
    std::vector<CompressorRow> rows = external_compressors(val_text, out.path());
    rows.insert(rows.begin(), {{"count bigram (ch05)", bigram_bpb, "cross-entropy"},
                               {main.model->name(), main.bpb, "cross-entropy"}});
    summary["compression"] = print_compression_table(rows, val_text.size(), out);

    if (o.compress) {
        const std::size_t n = o.compress_bytes ? o.compress_bytes : (quick ? 1024 : 16384);
        const std::string slice = utf8_prefix(val_text, n);
        const CompressReport rep =
            compress_report(*main.model, data.tokenizer, slice, checkpoint_sha256(out.file("gpt.safetensors")));
        summary["compress_round_trip"] = report_json(rep);
    }

    if (o.grid) summary["scaling"] = scaling_grid(data, be, quick, o.common.seed, out);

    const std::vector<LeaderboardRow> board_rows = {{data.name, "ch08", main.model->name(),
                                                     main.model->params().count(), main.val_loss, main.bpb,
                                                     main.result.tokens_per_s, o.common.backend}};
    summary["leaderboard"] = record_leaderboard(board_rows, o.leaderboard, quick, out.path(), data.name).string();
    out.write_summary(summary);
    fmt::print("Wrote {} (and the CSVs of the figures)\n", out.file("summary.json").string());
    return 0;
}

}  // namespace
}  // namespace ladder::ch08

int main(int argc, char** argv) {
    using namespace ladder;
    ch08::Options o;
    CLI::App app{"Chapter 8: GPT-2 pre-trained on Debian's English text, a scaling grid, and the model as a compressor"};
    add_common_options(app, o.common, "runs/ch08");
    app.add_option("--budget", o.budget, "seconds of the main pre-training (its step count follows)")
        ->capture_default_str();
    app.add_option("--steps", o.steps, "steps of the main pre-training, instead of --budget");
    app.add_option("--vocab", o.data.vocab, "BPE vocabulary size (default 4096)");
    app.add_option("--data", o.data.data_dir, "the token-file directory (default data/cache/lm/pretrain-bpe<vocab>)");
    app.add_option("--train-text", o.data.train_text, "the training text (default data/cache/pretrain/train.txt)");
    app.add_option("--val-text", o.data.val_text, "the validation text (default data/cache/pretrain/val.txt)");
    app.add_option("--resume", o.resume, "continue the main pre-training from its checkpoint");
    app.add_option("--leaderboard", o.leaderboard, "the leaderboard file (default runs/leaderboard.json)");
    app.add_option("--compress-bytes", o.compress_bytes, "validation bytes through the coder (default 16384)");
    app.add_flag("--no-grid", [&](std::int64_t) { o.grid = false; }, "skip the scaling grid");
    app.add_flag("--no-compress", [&](std::int64_t) { o.compress = false; }, "skip the coder's round trip");
    app.add_flag("--no-progress", [&](std::int64_t) { o.progress = o.data.progress = false; }, "no progress lines");

    ch08::PretrainOptions p;
    CLI::App* pre = app.add_subcommand("pretrain", "one pre-training run; under mpirun -np N, data-parallel over N ranks");
    pre->add_option("--out", p.out, "output directory")->capture_default_str();
    pre->add_option("--data", p.data.data_dir, "the token-file directory (default data/cache/lm/pretrain-bpe4096)");
    pre->add_option("--vocab", p.data.vocab, "BPE vocabulary size (default 4096)");
    pre->add_flag("--quick", p.data.quick, "the hand-written sample and a tiny run (tests)");
    pre->add_option("--layers", p.layers, "blocks L")->capture_default_str();
    pre->add_option("--embed", p.embed, "the width C")->capture_default_str();
    pre->add_option("--heads", p.heads, "heads NH")->capture_default_str();
    pre->add_option("--context", p.context, "the window T")->capture_default_str();
    pre->add_option("--batch", p.batch, "rows per step, over all ranks")->capture_default_str();
    pre->add_option("--steps", p.steps, "steps (default 1000, 40 with --quick)");
    pre->add_option("--lr", p.lr, "peak learning rate")->capture_default_str();
    pre->add_option("--checkpoint-every", p.checkpoint_every, "save every N steps (and at the end)");
    pre->add_option("--eval-every", p.eval_every, "validate every N steps (default steps / 8)");
    pre->add_option("--eval-targets", p.eval_targets, "targets of the validations during the run")->capture_default_str();
    pre->add_option("--val-tokens", p.val_tokens, "validate on this many tokens of the split (default all)");
    pre->add_option("--resume", p.resume, "continue from this checkpoint");
    pre->add_option("--threads", p.threads, "BLAS threads per rank")->capture_default_str();
    pre->add_option("--seed", p.seed, "the initialisation's and the loader's seed")->capture_default_str();
    pre->add_option("--backend", p.backend, "cpu | simt | cuda (under mpirun, cuda ranks all-reduce with NCCL)")
        ->capture_default_str();
    pre->add_flag("--no-progress", [&](std::int64_t) { p.progress = p.data.progress = false; }, "no progress lines");

    ch08::CompressCommands compress(app);
    if (auto code = parse_args(app, argc, argv)) return *code;
    if (pre->parsed()) return guarded_main([&] { return ch08::pretrain_main(p); });
    if (auto code = compress.run_if_parsed()) return *code;
    return guarded_main([&] { return ch08::run(o); });
}
