// ch07.cpp: chapter 7's program. Trains GPT-2 (the small config) on chapter 5's token files through
// the same train loop, checks its parameter and FLOP counts, measures what layernorm, the MLP and
// the residual paths each buy (the same model without each, on one budget of steps), generates
// with every knob (temperature, top-k, top-p) and times the KV cache, adds its row to the
// leaderboard and writes runs/ch07/summary.json with the CSVs of the figures.
// `ch07 generate --checkpoint F --prompt "..."` (./ladder generate) completes a prompt with any
// GPT-2 checkpoint: ours, Hugging Face's model.safetensors or llm.c's gpt2_124M.bin.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "chapters/ch04_tokenization/tokenizer.hpp"
#include "chapters/ch05_neural_lm/corpus.hpp"
#include "chapters/ch05_neural_lm/lm_run.hpp"
#include "chapters/ch07_gpt/gpt2.hpp"
#include "chapters/ch07_gpt/gpt2_formats.hpp"
#include "chapters/ch07_gpt/gpt2_load.hpp"
#include "core/blas_info.hpp"
#include "core/cli.hpp"
#include "core/error.hpp"
#include "core/nn/checkpoint.hpp"
#include "core/nn/leaderboard.hpp"
#include "core/nn/train.hpp"
#include "core/text.hpp"

namespace ladder::ch07 {
namespace {

namespace fs = std::filesystem;

struct Options {
    CommonOptions common;
    std::string data_dir, text, leaderboard, resume;
    std::size_t vocab = 0;             // 0: 2048 (320 with --quick)
    std::size_t steps = 0, batch = 0, embed = 0, heads = 0, layers = 0, context = 0;
    std::size_t ablation_steps = 0;    // 0: 400 (30 with --quick)
    double lr = 0;
    bool fused = false, progress = true, experiments = true;
    std::size_t sample_tokens = 60;
    std::string prompt = "And God said";
};

struct Plan {
    Gpt2Config model;
    TrainConfig train;
};

// [book:ch07-defaults]
Plan default_plan(std::size_t V, bool quick) {
    Plan p;
    Gpt2Config& m = p.model;
    m.vocab = V;
    m.layers = quick ? 2 : 4;
    m.heads = quick ? 2 : 4;
    m.embed = quick ? 32 : 128;
    m.context = quick ? 16 : 64;
    // Peak lr measured at 1200 steps (val loss): 3e-3 3.488, 6e-3 3.453, 1e-2 3.493. Twice
    // chapter 6's steps: the MLP's weights take longer to pay for themselves. B x T = 2048
    // targets a step, as chapter 6.
    p.train = gpt2_recipe(quick ? 60 : 2400, quick ? 8 : 32, 6e-3);
    TrainConfig& t = p.train;
    t.eval_every = std::max<std::size_t>(1, t.steps / 6);
    t.eval_targets = quick ? 0 : 40000;
    return p;
}
// [/book]

void apply_flags(Plan& p, const Options& o) {
    if (o.steps) p.train.steps = o.steps;
    if (o.batch) p.train.batch = o.batch;
    if (o.lr > 0) p.train.lr.lr = o.lr, p.train.lr.min_lr = o.lr / 10;
    if (o.embed) p.model.embed = o.embed;
    if (o.heads) p.model.heads = o.heads;
    if (o.layers) p.model.layers = o.layers;
    if (o.context) p.model.context = o.context;
    p.model.fused = o.fused;
    p.train.lr.total = p.train.steps;
    p.train.lr.warmup = std::min(p.train.lr.warmup, p.train.steps / 2);
    p.train.eval_every = std::min(p.train.eval_every, p.train.steps);
    p.train.seed = o.common.seed;
    p.train.progress = o.progress;
}

// A plan with another number of steps (the ablation's budget), its schedule rescaled.
Plan with_steps(Plan p, std::size_t steps) {
    p.train.steps = steps;
    p.train.lr.total = steps;
    p.train.lr.warmup = steps / 20;
    p.train.eval_every = steps;
    p.train.progress = false;
    return p;
}

struct Trained : ch05::TrainedRun {
    std::unique_ptr<Gpt2> model;
};

Trained train_one(const Plan& plan, const ch05::LmData& data, const Backend& be, const RunDir& out,
                  const std::string& tag, const std::string& resume = "") {
    Trained t;
    t.model = std::make_unique<Gpt2>(plan.model, be.device(), plan.train.seed);
    static_cast<ch05::TrainedRun&>(t) = ch05::train_reported(*t.model, be, data, plan.train, out, tag, resume);
    return t;
}

nlohmann::json model_json(const Trained& t) { return ch05::run_json(*t.model, t); }

double seconds_of(const std::function<void()>& f) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// ---- the experiments ----

// The parameter count from the formula beside the ParamSet's, and the FLOPs per token, for the
// chapter's config and for GPT-2 small.
nlohmann::json counts_experiment(const Gpt2& m) {
    nlohmann::json j;
    fmt::print("Parameters and FLOPs per token (forward; a training step is about 3x):\n");
    for (const Gpt2Config& c : {m.config(), Gpt2Config::gpt2_124m()}) {
        const std::size_t V = c.vocab, T = c.context, L = c.layers, C = c.embed;
        const std::size_t formula = V * C + T * C + L * (12 * C * C + 13 * C) + 2 * C;
        const bool ours = c.json() == m.config().json();
        const std::size_t counted = ours ? m.params().count() : c.parameter_count();
        const double flops = c.forward_flops_per_token();
        fmt::print("  L={:<2} C={:<4} V={:<5} T={:<4}: V C + T C + L (12 C^2 + 13 C) + 2 C = {} ({} in the {}); "
                   "{:.3g} GFLOP per token\n",
                   L, C, V, T, format_count(static_cast<double>(formula)), format_count(static_cast<double>(counted)),
                   ours ? "model's ParamSet" : "tensor list", flops / 1e9);
        LADDER_CHECK(formula == counted, "counts: the formula gives {} parameters but the model has {}", formula, counted);
        j[ours ? "model" : "gpt2_124m"] = {{"parameters", counted}, {"formula", formula}, {"forward_flops_per_token", flops},
                                           {"embedding_share", double(V * C + T * C) / double(counted)}};
    }
    fmt::print("\n");
    return j;
}

// [book:ablation]
// What each part of the block buys: the same model without layernorm, without the MLP, and without
// the residual paths, each trained for the same steps from the same seed as the full model.
nlohmann::json ablation_experiment(const Plan& plan, std::size_t steps, const ch05::LmData& data, const Backend& be,
                                   const RunDir& out) {
    struct Variant {
        std::string tag, what;
        bool layernorm, mlp, residual;
    };
    const std::vector<Variant> variants = {{"full", "GPT-2's block", true, true, true},
                                           {"no_layernorm", "without layernorm", false, true, true},
                                           {"no_mlp", "without the MLP", true, false, true},
                                           {"no_residual", "without the residual paths", true, true, false}};
    fmt::print("Ablation: the block with one part removed, {} steps each:\n", steps);
    auto csv = out.csv("ablation.csv", {"variant", "parameters", "val_loss", "bits_per_byte", "train_loss"});
    nlohmann::json j = nlohmann::json::array();
    double full = 0;
    for (const Variant& v : variants) {
        Plan p = with_steps(plan, steps);
        p.model.layernorm = v.layernorm, p.model.mlp = v.mlp, p.model.residual = v.residual;
        fmt::print("  ");
        Trained t = train_one(p, data, be, out, "ablation_" + v.tag);
        if (v.tag == "full") full = t.val_loss;
        csv.row(v.tag, t.model->params().count(), t.val_loss, t.bpb, t.result.train_loss);
        j.push_back({{"variant", v.tag}, {"what", v.what}, {"parameters", t.model->params().count()},
                     {"val_loss", t.val_loss}, {"bits_per_byte", t.bpb}, {"train_loss", t.result.train_loss},
                     {"cost", t.val_loss - full}});
    }
    fmt::print("  variant                      val loss   cost (nats/token)\n");
    for (const auto& r : j)
        fmt::print("  {:<27}  {:.4f}    {:+.4f}\n", r["what"].get<std::string>(), r["val_loss"].get<double>(),
                   r["cost"].get<double>());
    fmt::print("\n");
    return j;
}
// [/book]

// The prompt, the context window it fills, and the completion, then the same prompt at several
// temperatures and top-p values (each from the same seed): how diverse and how repetitive each is.
nlohmann::json generation_experiment(Gpt2& m, const Backend& be, const ch05::LmData& data, const std::string& prompt,
                                     std::size_t n, std::uint64_t seed, const RunDir& out) {
    const std::vector<std::int32_t> p = data.tokenizer.encode(prompt);
    const auto stop = data.tokenizer.special_id("<|endoftext|>");
    nlohmann::json j;
    const std::size_t T = m.config().context;
    fmt::print("Generation: the prompt \"{}\" is {} tokens of the {}-token window; the model completes it one token "
               "at a time, each new token joining the window (which slides once it is full):\n",
               prompt, p.size(), T);
    struct Knobs {
        float temperature;
        int top_k;
        float top_p;
    };
    const std::vector<Knobs> grid = {{0.0f, 0, 1.0f}, {0.5f, 0, 1.0f}, {0.8f, 0, 1.0f}, {1.0f, 0, 1.0f},
                                     {1.5f, 0, 1.0f}, {1.0f, 0, 0.5f}, {1.0f, 0, 0.9f}, {1.0f, 10, 1.0f}};
    auto csv = out.csv("samples.csv", {"temperature", "top_k", "top_p", "distinct_tokens", "repeated_4grams", "text"});
    nlohmann::json rows = nlohmann::json::array();
    for (const Knobs& k : grid) {
        GenerateConfig g;
        g.max_tokens = n;
        g.sampling = {k.temperature, k.top_k, k.top_p};
        g.stop = stop ? *stop : -1;
        Rng rng(seed);
        const std::vector<std::int32_t> ids = generate(m, be, p, g, rng);
        // Diversity: distinct tokens over tokens; repetition: 4-grams seen before in the sample.
        std::vector<std::int32_t> sorted = ids;
        std::sort(sorted.begin(), sorted.end());
        const double distinct = double(std::unique(sorted.begin(), sorted.end()) - sorted.begin()) / double(ids.size());
        std::size_t repeats = 0, grams = 0;
        for (std::size_t i = 0; i + 4 <= ids.size(); ++i, ++grams)
            for (std::size_t e = 0; e < i; ++e)
                if (std::equal(ids.begin() + long(i), ids.begin() + long(i) + 4, ids.begin() + long(e))) {
                    ++repeats;
                    break;
                }
        const double repeated = grams ? double(repeats) / double(grams) : 0.0;
        const std::string text = ch05::show_text(data.tokenizer, ids);
        fmt::print("  temperature {:.1f}, top-k {:<2}, top-p {:.1f} (distinct {:.2f}, repeated 4-grams {:.2f}): [{}]{}\n",
                   k.temperature, k.top_k, k.top_p, distinct, repeated, prompt, text);
        csv.row(k.temperature, k.top_k, k.top_p, distinct, repeated, prompt + text);
        rows.push_back({{"temperature", k.temperature}, {"top_k", k.top_k}, {"top_p", k.top_p},
                        {"distinct_tokens", distinct}, {"repeated_4grams", repeated}, {"text", prompt + text}});
    }
    fmt::print("\n");
    j["prompt"] = prompt;
    j["prompt_tokens"] = p.size();
    j["context"] = T;
    j["samples"] = rows;
    return j;
}

// [book:kv-cache-speed]
// The same tokens generated with the KV cache and without (each new token reruns the window): the
// tokens must be identical, the time is what the cache buys. n new tokens after a one-token prompt.
nlohmann::json kv_cache_experiment(Gpt2& m, const Backend& be, std::size_t n, std::uint64_t seed) {
    const std::vector<std::int32_t> prompt = {0};
    GenerateConfig g;
    g.max_tokens = n;
    g.sampling.temperature = 1.0f;
    std::vector<std::int32_t> with, without;
    m.set_kv_cache(false);
    Rng r1(seed);
    const double t_without = seconds_of([&] { without = generate(m, be, prompt, g, r1); });
    m.set_kv_cache(true);
    Rng r2(seed);
    const double t_with = seconds_of([&] { with = generate(m, be, prompt, g, r2); });
    LADDER_CHECK(with == without, "kv cache: the cached generation drew other tokens than the uncached one");
    const double tps_with = double(n) / t_with, tps_without = double(n) / t_without;
    fmt::print("KV cache: {} tokens generated in {:.3f} s with it, {:.3f} s without ({} vs {} tokens/s, {:.1f}x); "
               "the same tokens\n\n", n, t_with, t_without, format_count(tps_with), format_count(tps_without),
               tps_with / tps_without);
    return {{"tokens", n}, {"tokens_per_s_cache", tps_with}, {"tokens_per_s_no_cache", tps_without},
            {"speedup", tps_with / tps_without}, {"same_tokens", true}};
}
// [/book]

// The chapter's earlier models on the same data, to say by how much GPT-2 beats them.
nlohmann::json versus_earlier(const fs::path& board, const std::string& data, double val_loss) {
    nlohmann::json j;
    for (const LeaderboardRow& r : read_leaderboard(board)) {
        if (r.data != data || (r.chapter != "ch05" && r.chapter != "ch06")) continue;
        const bool rnn = r.model.rfind("rnn", 0) == 0, att = r.chapter == "ch06";
        if (!rnn && !att) continue;
        const std::string key = rnn ? "rnn" : "attention";
        if (!j.contains(key) || r.val_loss < j[key]["val_loss"].get<double>())
            j[key] = {{"model", r.model}, {"val_loss", r.val_loss}, {"gpt2_better_by", r.val_loss - val_loss}};
    }
    for (const auto& [k, v] : j.items())
        fmt::print("GPT-2 beats the best {} on the leaderboard ({}, {:.4f}) by {:.4f} nats/token\n", k,
                   v["model"].get<std::string>(), v["val_loss"].get<double>(), v["gpt2_better_by"].get<double>());
    return j;
}

int run(Options& o) {
    const RunDir out(o.common.out_dir);
    const bool quick = o.common.quick;
    const Backend be = Backend::parse(o.common.backend);
    set_blas_threads(o.common.threads);
    nlohmann::json summary;
    summary["chapter"] = "ch07";
    summary["backend"] = o.common.backend;
    summary["seed"] = o.common.seed;
    summary["threads"] = o.common.threads;
    fmt::print("Chapter 7: GPT-2, attention and an MLP in residual blocks.\n\n");

    const ch05::LmData data = ch05::chapter_lm_data({o.text, o.data_dir, o.vocab, quick, o.progress},
                                                    repo_path("data/samples/ch03_corpus.txt"), out.path());
    fmt::print("Data {}: {} training and {} validation tokens, vocabulary {}\n\n", data.name,
               format_count(static_cast<double>(data.train.size())), format_count(static_cast<double>(data.val.size())),
               data.vocab());
    summary["data"] = {{"name", data.name}, {"train_tokens", data.train.size()}, {"val_tokens", data.val.size()},
                       {"vocab", data.vocab()}};

    Plan plan = default_plan(data.vocab(), quick);
    apply_flags(plan, o);
    Trained main = train_one(plan, data, be, out, "gpt2", o.resume);
    summary["model"] = model_json(main);
    summary["parameters"] = main.model->params().count();
    summary["val_loss"] = main.val_loss;
    summary["bits_per_byte"] = main.bpb;
    summary["tokens_per_s_train"] = main.result.tokens_per_s;
    // The model as Hugging Face's GPT-2 names it (opens in Python) and its tokenizer beside it:
    // what `./ladder generate --checkpoint runs/ch07/gpt2_hf.safetensors` reads.
    save_hf_safetensors(out.file("gpt2_hf.safetensors"), main.model->config(), main.model->params());
    data.tokenizer.save(out.file("tokenizer"));
    fmt::print("Wrote {} and its tokenizer ({})\n\n", out.file("gpt2_hf.safetensors").string(),
               out.file("tokenizer").string());

    nlohmann::json ex;
    ex["counts"] = counts_experiment(*main.model);
    const std::size_t kv_tokens = main.model->config().context - 1;   // the window, without sliding
    ex["kv_cache"] = kv_cache_experiment(*main.model, be, kv_tokens, o.common.seed);
    summary["tokens_per_s_generate"] = ex["kv_cache"]["tokens_per_s_cache"];
    summary["kv_cache_speedup"] = ex["kv_cache"]["speedup"];
    ex["generation"] = generation_experiment(*main.model, be, data, o.prompt, o.sample_tokens, o.common.seed, out);
    if (o.experiments) {
        const std::size_t steps = o.ablation_steps ? o.ablation_steps : (quick ? 30 : 400);
        ex["ablation"] = ablation_experiment(plan, steps, data, be, out);
    }
    summary["experiments"] = ex;

    const std::vector<LeaderboardRow> rows = {{data.name, "ch07", main.model->name(), main.model->params().count(),
                                               main.val_loss, main.bpb, main.result.tokens_per_s, o.common.backend}};
    const fs::path board = record_leaderboard(rows, o.leaderboard, quick, out.path(), data.name);
    summary["leaderboard"] = board.string();
    summary["versus"] = versus_earlier(board, data.name, main.val_loss);
    out.write_summary(summary);
    fmt::print("Wrote {} (and the CSVs of the figures)\n", out.file("summary.json").string());
    return 0;
}

// ---- ch07 generate ----

struct GenerateOptions {
    std::string checkpoint, prompt, tokenizer, backend = "cpu";
    std::size_t max_tokens = 100, heads = 0;
    float temperature = 1.0f, top_p = 1.0f;
    int top_k = 0;
    std::uint64_t seed = 42;
    bool no_cache = false, greedy = false;
};

// Bytes of tokens as they come: a character split between two tokens waits for its second half.
class Streamer {
public:
    explicit Streamer(const tok::BpeTokenizer& t) : tok_(t) {}
    void operator()(std::int32_t id) {
        pending_ += tok_.token_bytes(id);
        if (!find_invalid_utf8(pending_) || pending_.size() > 8) flush();
    }
    void flush() {
        std::fputs(replace_invalid_utf8(pending_).c_str(), stdout);
        std::fflush(stdout);
        pending_.clear();
    }

private:
    const tok::BpeTokenizer& tok_;
    std::string pending_;
};

int generate_main(const GenerateOptions& o) {
    LADDER_CHECK(!o.prompt.empty(), "generate: the prompt is empty (--prompt \"...\")");
    const Backend be = Backend::parse(o.backend);
    LoadedGpt2 l = load_any_gpt2(o.checkpoint, o.heads, be.device());
    const tok::BpeTokenizer tokenizer = find_gpt2_tokenizer(o.checkpoint, o.tokenizer);
    LADDER_CHECK(tokenizer.vocab_size() == l.model->config().vocab,
                 "generate: the tokenizer has {} tokens but the model's vocabulary is {}", tokenizer.vocab_size(),
                 l.model->config().vocab);
    std::vector<std::int32_t> ids = tokenizer.encode(o.prompt);
    LADDER_CHECK(!ids.empty(), "generate: the prompt \"{}\" encodes to no tokens", o.prompt);
    const std::size_t T = l.model->config().context;
    if (ids.size() > T) {
        std::fprintf(stderr, "generate: the prompt is %zu tokens, longer than the %zu-token context window: "
                             "cropped from the left to its last %zu tokens\n", ids.size(), T, T);
        ids.erase(ids.begin(), ids.end() - long(T));
    }
    l.model->set_kv_cache(!o.no_cache);
    GenerateConfig g;
    g.max_tokens = o.max_tokens;
    g.sampling = {o.greedy ? 0.0f : o.temperature, o.top_k, o.top_p};
    g.sampling.check();
    const auto stop = tokenizer.special_id("<|endoftext|>");
    g.stop = stop ? *stop : -1;
    Streamer stream(tokenizer);
    g.on_token = [&](std::int32_t id) {
        if (id != g.stop) stream(id);
    };
    std::fprintf(stderr, "%s (%s, %s), %zu prompt tokens of %zu, %s\n", l.model->name().c_str(), l.format.c_str(),
                 format_count(double(l.model->params().count())).c_str(), ids.size(), T,
                 o.no_cache ? "no KV cache" : "KV cache");
    std::fputs(tokenizer.decode(ids).c_str(), stdout);
    Rng rng(o.seed);
    const auto t0 = std::chrono::steady_clock::now();
    const std::vector<std::int32_t> out = generate(*l.model, be, ids, g, rng);
    stream.flush();
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::fprintf(stderr, "\n[%zu tokens in %.2f s, %.1f tokens/s%s]\n", out.size(), s, double(out.size()) / s,
                 !out.empty() && out.back() == g.stop ? ", stopped at <|endoftext|>" : "");
    return 0;
}

}  // namespace
}  // namespace ladder::ch07

int main(int argc, char** argv) {
    using namespace ladder;
    ch07::Options o;
    CLI::App app{"Chapter 7: GPT-2 trained on chapter 5's KJV tokens: the block, its ablation, and generation"};
    add_common_options(app, o.common, "runs/ch07");
    app.add_option("--steps", o.steps, "training steps (default 2400)");
    app.add_option("--batch", o.batch, "rows per step (default 32)");
    app.add_option("--lr", o.lr, "peak learning rate (default 6e-3)");
    app.add_option("--embed", o.embed, "the width C (default 128)");
    app.add_option("--heads", o.heads, "heads NH; must divide C (default 4)");
    app.add_option("--layers", o.layers, "blocks L (default 4)");
    app.add_option("--context", o.context, "the window T (default 64)");
    app.add_flag("--fused", o.fused, "train with the fused attention path (no (T,T) buffer)");
    app.add_option("--vocab", o.vocab, "BPE vocabulary size (default 2048)");
    app.add_option("--text", o.text, "the text to tokenize (default data/cache/kjv/kjv.txt)");
    app.add_option("--data", o.data_dir, "the token-file directory (default data/cache/lm/kjv-bpe<vocab>)");
    app.add_option("--resume", o.resume, "continue training the model from its checkpoint");
    app.add_option("--leaderboard", o.leaderboard, "the leaderboard file (default runs/leaderboard.json)");
    app.add_option("--ablation-steps", o.ablation_steps, "steps of each ablation model (default 400)");
    app.add_option("--prompt", o.prompt, "the prompt of the samples")->capture_default_str();
    app.add_option("--sample-tokens", o.sample_tokens, "tokens per sample")->capture_default_str();
    app.add_flag("--no-experiments", [&](std::int64_t) { o.experiments = false; }, "no ablation");
    app.add_flag("--no-progress", [&](std::int64_t) { o.progress = false; }, "no progress lines");

    ch07::GenerateOptions g;
    CLI::App* gen = app.add_subcommand("generate", "complete a prompt with a GPT-2 checkpoint (ours, Hugging Face's "
                                                   "model.safetensors or llm.c's gpt2_124M.bin)");
    gen->add_option("--checkpoint", g.checkpoint, "the model file")->required();
    gen->add_option("--prompt", g.prompt, "the text to complete")->required();
    gen->add_option("--tokenizer", g.tokenizer, "a folder with encoder.json + vocab.bpe (default: beside the model)");
    gen->add_option("--max-tokens", g.max_tokens, "new tokens at most")->capture_default_str();
    gen->add_option("--temperature", g.temperature, "0 is greedy; higher is more random")->capture_default_str();
    gen->add_option("--top-k", g.top_k, "keep the k most likely tokens (0: all)")->capture_default_str();
    gen->add_option("--top-p", g.top_p, "keep the nucleus of probability p, in (0, 1] (1: all)")->capture_default_str();
    gen->add_flag("--greedy", g.greedy, "always the most likely token (temperature 0)");
    gen->add_option("--seed", g.seed, "the sampler's seed")->capture_default_str();
    gen->add_option("--heads", g.heads, "heads of a Hugging Face file (not stored in it; default C/64)");
    gen->add_option("--backend", g.backend, "cpu, simt or cuda")->capture_default_str();
    gen->add_flag("--no-cache", g.no_cache, "rerun the whole window for every token (no KV cache)");
    if (auto code = parse_args(app, argc, argv)) return *code;
    if (gen->parsed()) return guarded_main([&] { return ch07::generate_main(g); });
    return guarded_main([&] { return ch07::run(o); });
}
