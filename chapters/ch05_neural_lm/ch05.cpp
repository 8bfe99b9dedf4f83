// ch05.cpp: chapter 5's program. Tokenizes the KJV with a BPE vocabulary trained on it, fits
// the counting bigram, trains the neural bigram, the MLP and the RNN through the one train loop
// on cpu, simt or cuda, runs the chapter's experiments (context length, loss by position, the
// vanishing gradient, state memory, temperature), prints the leaderboard and writes
// runs/ch05/summary.json with the loss curves as CSV.
#include <filesystem>
#include <iostream>
#include <memory>
#include <set>
#include <thread>

#include "chapters/ch05_neural_lm/bigram_count.hpp"
#include "chapters/ch05_neural_lm/corpus.hpp"
#include "chapters/ch05_neural_lm/lm_run.hpp"
#include "chapters/ch05_neural_lm/models.hpp"
#include "core/blas_info.hpp"
#include "core/cli.hpp"
#include "core/error.hpp"
#include "core/text.hpp"
#include "core/nn/leaderboard.hpp"
#include "core/nn/sampling.hpp"
#include "core/nn/train.hpp"

namespace ladder::ch05 {
namespace {

namespace fs = std::filesystem;

struct Options {
    CommonOptions common;
    std::vector<std::string> models{"bigram", "mlp", "rnn"};
    std::size_t vocab = 0;             // 0: 2048 (320 with --quick)
    std::string text, data_dir, leaderboard, resume;
    std::size_t steps = 0;             // 0: each model's default
    std::size_t context = 0, hidden = 0, embed = 0, seq = 0, batch = 0;
    double lr = 0;
    std::string optimizer;             // "": each model's default
    double momentum = -1, weight_decay = -1;
    bool progress = true, experiments = true;
    std::size_t sample_tokens = 60;
    std::string prompt = "And God said";
};

// The model and training settings of one run (the defaults, then the flags).
struct Plan {
    ModelConfig model;
    TrainConfig train;
};

// [book:ch05-defaults]
Plan default_plan(const std::string& kind, std::size_t V, bool quick) {
    Plan p;
    p.model.kind = kind;
    p.model.vocab = V;
    TrainConfig& t = p.train;
    t.optimizer.kind = OptimizerKind::adamw;
    t.clip = 1.0f;
    t.lr.kind = LrSchedule::Kind::cosine;
    if (kind == "bigram") {
        // Plain SGD with momentum, not AdamW: its step on row `a` of the table is proportional
        // to how often `a` occurs, as a count is; AdamW gives a rare row full-size steps and
        // overfits it (0.03 nats worse here; see the book). A large step: the gradient of one
        // logit is its row's share of the batch times (p - onehot), tiny.
        t.optimizer.kind = OptimizerKind::sgd;
        t.optimizer.sgd.momentum = 0.9f;
        t.batch = quick ? 256 : 4096;
        t.steps = quick ? 150 : 2500;
        t.lr.lr = quick ? 20 : 400;   // the small batch of --quick gives each row a larger share
    } else if (kind == "mlp") {
        p.model.context = quick ? 4 : 8;
        p.model.embed = quick ? 16 : 64;
        p.model.hidden = quick ? 32 : 512;
        // A large batch: at 256 rows the gradient is noisy enough that 3000 steps end 0.15
        // nats worse than 1500 steps of 1024 (the same time); lr 1e-2 diverges to 4.5.
        t.batch = quick ? 32 : 1024;
        t.steps = quick ? 100 : 1500;
        t.lr.lr = 3e-3;
        t.optimizer.adamw.weight_decay = 0.01f;
    } else {
        // H = 256, not the MLP's 512: the recurrence runs T small (B,H)x(H,H) products one
        // after another, which is what makes an RNN step slow; a few minutes on 2 cores.
        p.model.seq = quick ? 8 : 32;
        p.model.embed = quick ? 16 : 64;
        p.model.hidden = quick ? 32 : 256;
        t.batch = quick ? 8 : 32;
        t.steps = quick ? 100 : 2000;
        t.lr.lr = 2e-3;
        t.optimizer.adamw.weight_decay = 0.01f;
    }
    t.lr.min_lr = t.lr.lr / 10;
    t.lr.warmup = t.steps / 20;
    t.eval_every = std::max<std::size_t>(1, t.steps / 10);
    t.eval_targets = quick ? 0 : 40000;   // the final evaluation covers the whole split
    return p;
}
// [/book]

void apply_flags(Plan& p, const Options& o) {
    if (o.steps) p.train.steps = o.steps;
    if (o.batch) p.train.batch = o.batch;
    if (o.lr > 0) p.train.lr.lr = o.lr, p.train.lr.min_lr = o.lr / 10;
    if (!o.optimizer.empty())
        p.train.optimizer.kind = o.optimizer == "sgd" ? OptimizerKind::sgd : OptimizerKind::adamw;
    if (o.momentum >= 0) p.train.optimizer.sgd.momentum = static_cast<float>(o.momentum);
    if (o.weight_decay >= 0) {
        p.train.optimizer.sgd.weight_decay = static_cast<float>(o.weight_decay);
        p.train.optimizer.adamw.weight_decay = static_cast<float>(o.weight_decay);
    }
    if (o.context) p.model.context = o.context;
    if (o.hidden) p.model.hidden = o.hidden;
    if (o.embed) p.model.embed = o.embed;
    if (o.seq) p.model.seq = o.seq;
    p.train.lr.total = p.train.steps;
    p.train.lr.warmup = std::min(p.train.lr.warmup, p.train.steps / 2);
    p.train.eval_every = std::min(p.train.eval_every, p.train.steps);
    p.train.seed = o.common.seed;
    p.train.progress = o.progress;
}

struct Trained : TrainedRun {
    std::unique_ptr<LanguageModel> model;
    Plan plan;
};

Trained train_one(const Plan& plan, const LmData& data, const Backend& be, const RunDir& out, const std::string& tag,
                  const std::string& resume) {
    Trained t;
    t.model = make_model(plan.model, be.device(), plan.train.seed);
    t.plan = plan;
    static_cast<TrainedRun&>(t) = train_reported(*t.model, be, data, plan.train, out, tag, resume);
    return t;
}

nlohmann::json model_json(const Trained& t) { return run_json(*t.model, t); }

// The text of sampled ids on one line. A sample may cut a character's bytes apart (byte-level
// BPE): those bytes show as U+FFFD.
// ---- the experiments ----

// The RNN on validation windows from a zeroed state: the loss at each position t (it has seen
// t+1 tokens) and ||d loss_{T-1} / d h_t||, averaged over a few batches.
nlohmann::json rnn_experiments(RnnLm& rnn, const Backend& be, const LmData& data, std::size_t B, const RunDir& out) {
    const std::size_t W = rnn.window(), T = rnn.targets_per_row();
    const std::size_t rows = count_windows(data.val.size(), W, T);
    const std::size_t batches = std::min<std::size_t>(32, rows / B);
    LADDER_CHECK(batches > 0, "rnn experiments: the validation split holds {} windows, fewer than a batch of {}", rows, B);
    std::vector<double> loss(T, 0.0), grad(T, 0.0);
    std::vector<std::int32_t> buf(B * W);
    {
        const CarriedStateGuard keep(rnn, be);   // the training streams' state, back afterwards
        for (std::size_t k = 0; k < batches; ++k) {
            fill_windows(buf, data.val, W, T, k * B, B);
            rnn.reset_state(be, B);
            rnn.forward(be, buf, B);
            const auto l = rnn.loss_by_position();
            const auto g = rnn.hidden_grad_norms(be);
            for (std::size_t t = 0; t < T; ++t) {
                loss[t] += l[t] / static_cast<double>(batches);
                grad[t] += g[t] / static_cast<double>(batches);
            }
        }
    }
    auto csv = out.csv("rnn_positions.csv", {"position", "loss", "distance", "grad_norm"});
    fmt::print("The RNN from a zeroed state, on {} validation batches:\n  position  loss    | steps back  ||dL_last/dh||\n", batches);
    for (std::size_t t = 0; t < T; ++t) {
        csv.row(t, loss[t], T - 1 - t, grad[t]);
        if (t < 4 || t + 1 == T || t % 8 == 0)
            fmt::print("  {:>8}  {:.4f}  | {:>10}  {:.3e}\n", t, loss[t], T - 1 - t, grad[t]);
    }
    fmt::print("\n");
    return {{"loss_by_position", loss}, {"grad_norm_by_distance", std::vector<double>(grad.rbegin(), grad.rend())},
            {"state_bytes", rnn.state_bytes()}};
}

// Samples at each temperature from the same prompt, and what changes: how many distinct tokens
// and how often a token repeats the one four back.
nlohmann::json samples(LanguageModel& m, const Backend& be, const LmData& data, const std::string& prompt,
                       std::size_t n, std::uint64_t seed, const RunDir& out) {
    nlohmann::json j = nlohmann::json::array();
    const std::vector<std::int32_t> p = data.tokenizer.encode(prompt);
    fmt::print("Samples from the {} after \"{}\":\n", m.name(), prompt);
    auto csv = out.csv("samples.csv", {"temperature", "distinct_tokens", "text"});
    for (const float temp : {0.0f, 0.7f, 1.0f, 1.5f}) {
        Rng rng(seed);
        const std::vector<std::int32_t> ids = generate(m, be, p, n, temp, rng);
        const std::set<std::int32_t> distinct(ids.begin(), ids.end());
        const std::string text = show_text(data.tokenizer, ids);
        fmt::print("  T={:.1f} ({:>2} distinct of {}): {}{}\n", temp, distinct.size(), ids.size(), prompt, text);
        csv.row(temp, distinct.size(), text);
        j.push_back({{"temperature", temp}, {"distinct_tokens", distinct.size()}, {"text", prompt + text}});
    }
    fmt::print("\n");
    return j;
}

int run(Options& o) {
    const RunDir out(o.common.out_dir);
    const bool quick = o.common.quick;
    const Backend be = Backend::parse(o.common.backend);
    set_blas_threads(o.common.threads);
    nlohmann::json summary;
    summary["chapter"] = "ch05";
    summary["backend"] = o.common.backend;
    summary["seed"] = o.common.seed;
    summary["threads"] = o.common.threads;
    fmt::print("Chapter 5: neural language models, from counts to a hidden state.\n\n");

    // The data: a tokenizer trained on the text's training part, two token files.
    const LmData data = chapter_lm_data({o.text, o.data_dir, o.vocab, quick, o.progress},
                                        repo_path("data/samples/ch03_corpus.txt"), out.path());
    fmt::print("Data {}: {} training and {} validation tokens, vocabulary {}, {:.2f} bytes per token\n\n", data.name,
               format_count(static_cast<double>(data.train.size())), format_count(static_cast<double>(data.val.size())),
               data.vocab(), static_cast<double>(data.val_bytes) / static_cast<double>(data.val.size()));
    summary["data"] = {{"name", data.name},
                       {"train_tokens", data.train.size()},
                       {"val_tokens", data.val.size()},
                       {"train_bytes", data.train_bytes},
                       {"val_bytes", data.val_bytes},
                       {"vocab", data.vocab()}};
    std::vector<LeaderboardRow> rows;

    // The counting bigram, smoothed: the loss every neural model should beat.
    {
        const CountBigramResult c =
            fit_count_bigram(data.train, data.val, data.vocab(), {1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0});
        const double bpb = bits_per_byte(c.val_loss, data.val.size(), data.val_bytes);
        fmt::print("Counting bigram: best add-alpha smoothing alpha = {} -> val loss {:.4f} nats/token ({:.4f} bits/byte)\n\n",
                   c.alpha, c.val_loss, bpb);
        summary["count_bigram"] = {{"alpha", c.alpha}, {"val_loss", c.val_loss}, {"bits_per_byte", bpb},
                                   {"alphas", c.alphas}, {"val_losses", c.val_losses}};
        rows.push_back({data.name, "ch05", "bigram (counts, add-alpha)", data.vocab() * data.vocab(), c.val_loss, bpb, 0,
                        "cpu"});
    }

    LADDER_CHECK(o.resume.empty() || o.models.size() == 1, "--resume continues one model: give --model too");
    std::map<std::string, Trained> trained;
    for (const std::string& kind : o.models) {
        Plan plan = default_plan(kind, data.vocab(), quick);
        apply_flags(plan, o);
        trained[kind] = train_one(plan, data, be, out, kind, o.resume);
        const Trained& t = trained[kind];
        summary["models"][kind] = model_json(t);
        rows.push_back({data.name, "ch05", t.model->name(), t.model->params().count(), t.val_loss, t.bpb,
                        t.result.tokens_per_s, o.common.backend});
    }

    if (o.experiments) {
        nlohmann::json ex;
        if (trained.count("mlp")) {
            // The MLP's validation loss as its context grows (shorter runs, the same settings otherwise).
            auto csv = out.csv("mlp_context.csv", {"context", "val_loss", "bits_per_byte", "parameters"});
            fmt::print("The MLP's validation loss by context length:\n");
            for (const std::size_t n : quick ? std::vector<std::size_t>{1, 2} : std::vector<std::size_t>{1, 2, 4, 8}) {
                Plan plan = default_plan("mlp", data.vocab(), quick);
                apply_flags(plan, o);
                plan.model.context = n;
                plan.train.steps = std::max<std::size_t>(1, plan.train.steps / 3);
                plan.train.lr.total = plan.train.steps;
                plan.train.lr.warmup = std::min(plan.train.lr.warmup, plan.train.steps / 2);
                plan.train.eval_every = 0;
                plan.train.progress = false;
                auto m = make_model(plan.model, be.device(), plan.train.seed);
                const double vl = train(*m, be, data.train, data.val, plan.train).val_loss;
                const double bpb = bits_per_byte(vl, data.val.size(), data.val_bytes);
                fmt::print("  n = {}: val loss {:.4f} ({:.4f} bits/byte), {} steps\n", n, vl, bpb, plan.train.steps);
                csv.row(n, vl, bpb, m->params().count());
                ex["mlp_context"].push_back({{"context", n}, {"val_loss", vl}, {"bits_per_byte", bpb}, {"steps", plan.train.steps}});
            }
            fmt::print("\n");
        }
        if (trained.count("rnn")) {
            auto& rnn = static_cast<RnnLm&>(*trained["rnn"].model);
            ex["rnn"] = rnn_experiments(rnn, be, data, trained["rnn"].plan.train.batch, out);
            const std::size_t H = trained["rnn"].plan.model.hidden;
            fmt::print("State memory per sequence at inference: the RNN keeps {} floats ({} bytes) at every length;\n"
                       "attention (chapter 6) keeps a key and a value per token and layer, so its cache grows with the length.\n\n",
                       H, rnn.state_bytes());
        }
        // Samples from the best neural model.
        LanguageModel* best = nullptr;
        double best_loss = 1e30;
        for (auto& [k, t] : trained)
            if (t.val_loss < best_loss) best_loss = t.val_loss, best = t.model.get();
        if (best) ex["samples"] = samples(*best, be, data, o.prompt, o.sample_tokens, o.common.seed, out);
        summary["experiments"] = ex;
    }

    // The leaderboard: this chapter's rows beside what earlier runs wrote (chapters 6, 7, 8 add theirs).
    const fs::path board = record_leaderboard(rows, o.leaderboard, quick, out.path(), data.name);
    summary["leaderboard"] = board.string();
    out.write_summary(summary);
    fmt::print("Wrote {} (and the loss curves *_loss.csv)\n", out.file("summary.json").string());
    return 0;
}

}  // namespace
}  // namespace ladder::ch05

int main(int argc, char** argv) {
    using namespace ladder;
    ch05::Options o;
    CLI::App app{"Chapter 5: neural language models (bigram, MLP, RNN) trained on the KJV's BPE tokens"};
    add_common_options(app, o.common, "runs/ch05");
    app.add_option("--model", o.models, "which models to train: bigram, mlp, rnn (default: all three)")
        ->check(CLI::IsMember({"bigram", "mlp", "rnn"}));
    app.add_option("--steps", o.steps, "training steps (0: each model's default)");
    app.add_option("--batch", o.batch, "rows per step (0: each model's default)");
    app.add_option("--lr", o.lr, "peak learning rate (0: each model's default)");
    app.add_option("--optimizer", o.optimizer, "adamw or sgd (default: sgd for the bigram, adamw otherwise)")->check(CLI::IsMember({"adamw", "sgd"}));
    app.add_option("--momentum", o.momentum, "SGD's momentum (default 0)");
    app.add_option("--weight-decay", o.weight_decay, "weight decay (default: 0 for the bigram, 0.01 otherwise)");
    app.add_option("--context", o.context, "the MLP's context length n (default 8)");
    app.add_option("--hidden", o.hidden, "hidden size H (default 512 for the MLP, 256 for the RNN)");
    app.add_option("--embed", o.embed, "embedding size E (default 64)");
    app.add_option("--seq", o.seq, "the RNN's BPTT window T (default 32)");
    app.add_option("--vocab", o.vocab, "BPE vocabulary size (default 2048)");
    app.add_option("--text", o.text, "the text to tokenize (default data/cache/kjv/kjv.txt)");
    app.add_option("--data", o.data_dir, "the token-file directory (default data/cache/lm/kjv-bpe<vocab>)");
    app.add_option("--resume", o.resume, "continue training one --model from its checkpoint");
    app.add_option("--leaderboard", o.leaderboard, "the leaderboard file (default runs/leaderboard.json)");
    app.add_option("--prompt", o.prompt, "the prompt of the samples")->capture_default_str();
    app.add_option("--sample-tokens", o.sample_tokens, "tokens per sample")->capture_default_str();
    app.add_flag("--no-experiments", [&](std::int64_t) { o.experiments = false; }, "train and report only");
    app.add_flag("--no-progress", [&](std::int64_t) { o.progress = false; }, "no progress lines");
    if (auto code = parse_args(app, argc, argv)) return *code;
    return guarded_main([&] { return ch05::run(o); });
}
