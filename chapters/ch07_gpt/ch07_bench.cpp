// ch07_bench.cpp: chapter 7's benchmark (`./ladder bench ch07`, after ladder-ops' per-op table):
//  1. one training step of GPT-2 small (the 124M shape) at B = 4, T = 64 on the cpu backend
//     (forward, backward, AdamW), ours beside PyTorch's eager fp32 GPT-2 (tools/peers/torch_gpt2.py
//     bench) at 1 and 2 threads, in one run; llm.c's train_gpt2.c is timed too when its source is
//     found locally (LLMC_DIR, built with its own flags), and the table says so when it is not;
//  2. generation tokens/s with the KV cache and without it, at 64, 256 and 1024 new tokens.
// Writes runs/ch07/bench_train.csv, bench_generate.csv and bench_summary.json.
#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <vector>

#include "chapters/ch07_gpt/gpt2.hpp"
#include "core/blas_info.hpp"
#include "core/cli.hpp"
#include "core/peer.hpp"
#include "core/error.hpp"
#include "core/fileio.hpp"
#include "core/nn/optimizer.hpp"
#include "core/nn/train.hpp"
#include "core/rng.hpp"

namespace ladder::ch07 {
namespace {

namespace fs = std::filesystem;

struct BenchOptions {
    std::string out = "runs/ch07";
    std::vector<unsigned> threads{1, 2};
    std::vector<std::size_t> gen_tokens{64, 256, 1024};
    std::size_t B = 4, T = 64, repeats = 3, warmup = 1;
    bool peer = true, quick = false;
};


double now_ms() {
    using clock = std::chrono::steady_clock;
    return std::chrono::duration<double, std::milli>(clock::now().time_since_epoch()).count();
}

// The median ms of a training step: zero the gradients, forward, backward, AdamW (what llm.c's
// and PyTorch's loops time), on `B` rows of T + 1 random tokens.
double ours_step_ms(const Gpt2Config& cfg, const BenchOptions& o) {
    const Backend be(Device::cpu);
    Gpt2 m(cfg, Device::cpu, 1);
    OptimizerConfig oc;
    oc.adamw.weight_decay = 0.1f;
    Optimizer opt(oc, m.params());
    Rng rng(3);
    std::vector<std::int32_t> inputs(o.B * o.T), targets(o.B * o.T);   // T of the context's positions
    for (auto& t : inputs) t = static_cast<std::int32_t>(rng.below(cfg.vocab));
    for (auto& t : targets) t = static_cast<std::int32_t>(rng.below(cfg.vocab));
    std::vector<double> ms;
    for (std::size_t r = 0; r < o.warmup + o.repeats; ++r) {
        const double t0 = now_ms();
        m.params().zero_grad();
        m.forward_targets(be, inputs, targets, o.B, o.T);
        m.backward(be);
        opt.step(be, m.params(), 1e-4f, 1.0f);
        if (r >= o.warmup) ms.push_back(now_ms() - t0);
    }
    return median(ms);
}

// tools/peers/torch_gpt2.py bench on the same shape, threads and OpenBLAS core: its JSON line, or
// null (its other lines go to stdout, saying why).
nlohmann::json run_torch(const Gpt2Config& c, unsigned threads, const BenchOptions& o) {
    const std::string cmd = fmt::format(
        "OMP_WAIT_POLICY=PASSIVE {} /usr/bin/python3 {} bench --vocab {} --context {} --layers {} --heads {} --embed {} "
        "--B {} --T {} --threads {} --repeats {} --warmup {}",
        peer_blas_env(blas_info()), (fs::path(LADDER_SOURCE_DIR) / "tools/peers/torch_gpt2.py").string(), c.vocab,
        c.context, c.layers, c.heads, c.embed, o.B, o.T, threads, o.repeats, o.warmup);
    return run_peer(cmd, "torch_gpt2.py");
}

// llm.c, only from a local checkout (LLMC_DIR): nothing is downloaded. Its train_gpt2.c reads
// gpt2_124M.bin and the tiny Shakespeare tokens, which a checkout has only after its own
// download scripts ran; the table says why it is absent otherwise.
std::string llmc_status() {
    const char* dir = std::getenv("LLMC_DIR");
    if (!dir) return "llm.c: not timed (no local checkout: set LLMC_DIR to one with train_gpt2.c and its data; this "
                     "machine has no network to fetch it)";
    if (!fs::exists(fs::path(dir) / "train_gpt2.c")) return fmt::format("llm.c: not timed ({} has no train_gpt2.c)", dir);
    return fmt::format("llm.c: found at {}; build it with its Makefile (-Ofast) and run ./train_gpt2 with "
                       "OMP_NUM_THREADS=1 and 2 beside this table (its step time is printed per step)", dir);
}

// Generation: n new tokens after a one-token prompt, with and without the cache, on a model whose
// context holds them all (no sliding): tokens/s and whether the tokens agree.
nlohmann::json generation_row(const Gpt2Config& cfg, std::size_t n) {
    const Backend be(Device::cpu);
    Gpt2 m(cfg, Device::cpu, 1);
    GenerateConfig g;
    g.max_tokens = n;
    const std::vector<std::int32_t> prompt = {0};
    std::vector<std::int32_t> a, b;
    m.set_kv_cache(true);
    Rng r1(5);
    double t0 = now_ms();
    a = generate(m, be, prompt, g, r1);
    const double with_ms = now_ms() - t0;
    m.set_kv_cache(false);
    Rng r2(5);
    t0 = now_ms();
    b = generate(m, be, prompt, g, r2);
    const double without_ms = now_ms() - t0;
    const double tw = 1e3 * double(n) / with_ms, tn = 1e3 * double(n) / without_ms;
    return {{"tokens", n}, {"tokens_per_s_cache", tw}, {"tokens_per_s_no_cache", tn}, {"speedup", tw / tn},
            {"same_tokens", a == b}};
}

int bench(BenchOptions o) {
    const RunDir out(o.out);
    Gpt2Config big = Gpt2Config::gpt2_124m();
    big.fused = false;   // at T = 64 the (T,T) buffer is small and the naive path's sgemm is faster
    if (o.quick) big.layers = 2, big.embed = 128, big.heads = 2, big.vocab = 2048, o.repeats = 2, o.gen_tokens = {32, 64};
    const bool with_torch = o.peer && python_has("torch");
    if (o.peer && !with_torch) fmt::print("PyTorch: not installed (./ladder setup installs python3-torch)\n");
    fmt::print("One training step (forward, backward, AdamW) of {} at B = {}, T = {} on the CPU, median ms of {}:\n",
               Gpt2(big, Device::cpu, 1).name(), o.B, o.T, o.repeats);
    CsvWriter csv(out.file("bench_train.csv"), {"threads", "contender", "step_ms", "tokens_per_s", "ratio_to_torch"});
    nlohmann::json rows = nlohmann::json::array();
    fmt::print("  {:>7}  {:>10} {:>10} {:>9}  {:>12}\n", "threads", "ours ms", "torch ms", "ours/torch", "ours tok/s");
    for (const unsigned threads : o.threads) {
        set_blas_threads(threads);
        const double ours = ours_step_ms(big, o);
        double torch = std::nan("");
        if (with_torch) {
            const nlohmann::json j = run_torch(big, threads, o);
            if (!j.is_null()) torch = j["step_ms"].get<double>();
        }
        const double tps = 1e3 * double(o.B * o.T) / ours;
        fmt::print("  {:>7}  {:>10.1f} {:>10.1f} {:>9.2f}x  {:>12.0f}\n", threads, ours, torch, ours / torch, tps);
        csv.row(threads, "ours", ours, tps, ours / torch);
        csv.row(threads, "torch", torch, 1e3 * double(o.B * o.T) / torch, 1.0);
        rows.push_back({{"threads", threads}, {"ours_ms", ours}, {"torch_ms", torch}, {"ratio_to_torch", ours / torch}});
    }
    const std::string llmc = llmc_status();
    fmt::print("  {}\n\n", llmc);

    // Generation with the chapter's small config, its context long enough for the longest run.
    Gpt2Config small;
    small.vocab = 2048, small.layers = 4, small.heads = 4, small.embed = 128;
    small.context = *std::max_element(o.gen_tokens.begin(), o.gen_tokens.end()) + 1;
    set_blas_threads(1);
    fmt::print("Generation with and without the KV cache ({}, 1 thread):\n", Gpt2(small, Device::cpu, 1).name());
    fmt::print("  {:>6}  {:>12} {:>12} {:>8}  same tokens\n", "tokens", "cache tok/s", "none tok/s", "speed-up");
    CsvWriter gcsv(out.file("bench_generate.csv"),
                   {"tokens", "tokens_per_s_cache", "tokens_per_s_no_cache", "speedup", "same_tokens"});
    nlohmann::json gen = nlohmann::json::array();
    for (const std::size_t n : o.gen_tokens) {
        const nlohmann::json r = generation_row(small, n);
        fmt::print("  {:>6}  {:>12.0f} {:>12.0f} {:>7.1f}x  {}\n", n, r["tokens_per_s_cache"].get<double>(),
                   r["tokens_per_s_no_cache"].get<double>(), r["speedup"].get<double>(),
                   r["same_tokens"].get<bool>() ? "yes" : "NO");
        gcsv.row(n, r["tokens_per_s_cache"].get<double>(), r["tokens_per_s_no_cache"].get<double>(),
                 r["speedup"].get<double>(), r["same_tokens"].get<bool>() ? 1 : 0);
        gen.push_back(r);
    }
    nlohmann::json summary{{"chapter", "ch07"},
                           {"train", {{"model", nlohmann::json::parse(big.json())}, {"B", o.B}, {"T", o.T},
                                      {"repeats", o.repeats}, {"rows", rows}, {"llmc", llmc}}},
                           {"generate", {{"model", nlohmann::json::parse(small.json())}, {"rows", gen}}},
                           {"blas", blas_info()}};
    write_file_atomic(out.file("bench_summary.json"), summary.dump(2) + "\n");
    fmt::print("\nWrote {}, {} and {}.\n", out.file("bench_train.csv").string(), out.file("bench_generate.csv").string(),
               out.file("bench_summary.json").string());
    return 0;
}

}  // namespace
}  // namespace ladder::ch07

int main(int argc, char** argv) {
    CLI::App app{"Chapter 7 benchmark: a GPT-2 124M training step beside PyTorch, and generation with the KV cache"};
    ladder::ch07::BenchOptions o;
    app.add_option("--out", o.out, "output directory")->capture_default_str();
    app.add_option("--threads", o.threads, "thread counts (a list)")->capture_default_str();
    app.add_option("--gen-tokens", o.gen_tokens, "generation lengths (a list)")->capture_default_str();
    app.add_option("--repeats", o.repeats, "timed steps per contender")->capture_default_str();
    app.add_flag("!--no-peer", o.peer, "skip PyTorch");
    app.add_flag("--quick", o.quick, "a 2-layer model and short generations: a smoke run");
    if (auto code = ladder::parse_args(app, argc, argv)) return *code;
    return ladder::guarded_main([&] { return ladder::ch07::bench(o); });
}
