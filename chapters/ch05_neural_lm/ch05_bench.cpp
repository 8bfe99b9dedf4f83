// ch05_bench.cpp: chapter 5's training benchmark (`./ladder bench ch05`): tokens/s of one AdamW
// training step of the MLP LM (V 4096, E 64, n 8, H 512, B 512) and the RNN LM (B 32, T 32) on the
// cpu backend, ours beside PyTorch's same model (tools/peers/torch_lm.py bench) at 1 and 2 threads
// in one run, on the same OpenBLAS core, with each step's sgemm bound (its matmuls at the sgemm
// speed measured here on the same shapes). Writes runs/ch05/bench_train.csv, bench_sgemm.csv and
// bench_summary.json (not bench.csv: that is ladder-ops' per-op table, which ./ladder bench ch05
// writes first).
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <thread>

#include "chapters/ch05_neural_lm/models.hpp"
#include "core/blas_info.hpp"
#include "core/cli.hpp"
#include "core/peer.hpp"
#include "core/error.hpp"
#include "core/fileio.hpp"
#include "core/nn/loader.hpp"
#include "core/nn/optimizer.hpp"
#include "core/nn/token_file.hpp"
#include "core/rng.hpp"
#include "kernels/embedding_gather/embedding_gather.hpp"
#include "kernels/linear/linear.hpp"
#include "kernels/matmul/matmul.hpp"
#include "kernels/softmax_xent/softmax_xent.hpp"
#include "kernels/tanh/tanh.hpp"

namespace ladder::ch05 {
namespace {

namespace fs = std::filesystem;

struct BenchOptions {
    std::string out = "runs/ch05", tokens;   // tokens: a token file to draw windows from (default: random ids)
    std::vector<std::string> models{"mlp", "rnn"};
    std::vector<unsigned> threads{1, 2};
    std::size_t steps = 20, warmup = 3, repeats = 3;
    std::size_t vocab = 4096, embed = 64, hidden = 512, context = 8, seq = 32, mlp_batch = 512, rnn_batch = 32;
    std::uint64_t seed = 1;
    bool peer = true, quick = false, profile = false;
};


// ---- the models' matmuls: what bounds a step ----

// One matmul of a training step: `count` calls of these dims (the RNN's recurrence: T per step).
struct Gemm {
    std::string layer, form;   // "fc2", "forward" | "dX" | "dW"
    MatmulDims d;
    std::size_t count = 1;
    double flops() const { return 2.0 * static_cast<double>(d.M * d.N * d.K * count); }
};

// A linear layer inp (N,C), weight (OC,C) as kernels/linear runs it: forward out = inp w^T (tb),
// dinp += dout w (nn, beta 1), dw += dout^T inp (ta, beta 1). with_dx = false: no dinp.
void add_linear(std::vector<Gemm>& g, const std::string& layer, std::size_t N, std::size_t C, std::size_t OC,
                std::size_t count = 1, bool with_dx = true) {
    g.push_back({layer, "forward", {.M = N, .N = OC, .K = C, .tb = true}, count});
    if (with_dx) g.push_back({layer, "dX", {.M = N, .N = C, .K = OC, .beta = 1.0f}, count});
    g.push_back({layer, "dW", {.M = OC, .N = C, .K = N, .ta = true, .beta = 1.0f}, count});
}

// The matmuls of one step of models.cpp's forward and backward.
//   mlp: fc1 (B, n*E) -> H and fc2 (B, H) -> V, three forms each: 6 B (nE H + H V) FLOPs
//   rnn: w_xh over all T*B rows at once, w_hh once per position (T calls of (B,H) x (H,H)), head (T*B, H) -> V
std::vector<Gemm> step_gemms(const ModelConfig& m, std::size_t B) {
    std::vector<Gemm> g;
    if (m.kind == "mlp") {
        add_linear(g, "fc1", B, m.context * m.embed, m.hidden);
        add_linear(g, "fc2", B, m.hidden, m.vocab);
    } else {
        const std::size_t T = m.seq;
        add_linear(g, "w_xh", T * B, m.embed, m.hidden);
        add_linear(g, "w_hh", B, m.hidden, m.hidden, T);
        add_linear(g, "head", T * B, m.hidden, m.vocab);
    }
    return g;
}

// Milliseconds of one call of matmul_cpu (the cpu backend's matmul, OpenBLAS sgemm through
// xtensor-blas) on these dims: the median of `reps` after two warm-up calls, on random operands.
double time_gemm(const MatmulDims& d, std::size_t reps, Rng& rng) {
    std::vector<float> a(d.M * d.K), b(d.K * d.N), c(d.M * d.N);
    rng.fill_uniform(a, -1.0f, 1.0f);
    rng.fill_uniform(b, -1.0f, 1.0f);
    rng.fill_uniform(c, -1.0f, 1.0f);
    std::vector<double> ms;
    for (std::size_t r = 0; r < reps + 2; ++r) {
        const Timer t;
        matmul_cpu<float>(c.data(), a.data(), b.data(), d);
        if (r >= 2) ms.push_back(t.ms());
    }
    LADDER_CHECK(std::isfinite(c[0]), "sgemm bound: the {}x{}x{} product is not finite", d.M, d.N, d.K);
    return median(ms);
}

struct Bound {
    double flops = 0, ms = 0;                        // per step
    std::vector<double> gemm_ms;                     // per entry of step_gemms (all its calls)
    double gflops() const { return flops / (ms * 1e6); }
};

// samples[i]: the ms of gemms[i] (all its calls) measured once per repeat; the bound takes each
// one's median over the repeats (measured between the contenders' runs: the same machine state).
Bound make_bound(const std::vector<Gemm>& gemms, const std::vector<std::vector<double>>& samples) {
    Bound b;
    for (std::size_t i = 0; i < gemms.size(); ++i) {
        const double ms = median(samples[i]);
        b.gemm_ms.push_back(ms);
        b.ms += ms;
        b.flops += gemms[i].flops();
    }
    return b;
}

void sample_gemms(const std::vector<Gemm>& gemms, std::size_t reps, Rng& rng, std::vector<std::vector<double>>& samples) {
    samples.resize(gemms.size());
    for (std::size_t i = 0; i < gemms.size(); ++i)
        samples[i].push_back(time_gemm(gemms[i].d, reps, rng) * static_cast<double>(gemms[i].count));
}

// ---- the MLP's ops one by one (--profile) ----

// Each op of MlpLm::forward and ::backward called alone on tensors of the step's shapes (random
// values), in the models' order: {op, median ms over `reps` calls}. The split of the phases
// that the step's own clock cannot see.
std::vector<std::pair<std::string, double>> mlp_ops(const ModelConfig& m, std::size_t B, std::size_t reps,
                                                    std::uint64_t seed) {
    const Backend be(Device::cpu);
    const std::size_t V = m.vocab, E = m.embed, H = m.hidden, n = m.context;
    Rng rng(seed);
    auto rand = [&](Shape shape, float scale) {
        std::vector<float> v(shape.numel());
        rng.fill_uniform(v, -scale, scale);
        return be.upload(v, shape);
    };
    auto ints = [&](std::size_t count) {
        std::vector<std::int32_t> v(count);
        for (auto& x : v) x = static_cast<std::int32_t>(rng.below(V));
        return be.upload(v, Shape{count});
    };
    Tensor wte = rand({V, E}, 1), w1 = rand({H, n * E}, 0.05f), b1 = rand({H}, 0.05f), w2 = rand({V, H}, 0.05f),
           b2 = rand({V}, 0.05f);
    Tensor dwte = be.zeros({V, E}), dw1 = be.zeros({H, n * E}), db1 = be.zeros({H}), dw2 = be.zeros({V, H}),
           db2 = be.zeros({V});
    Tensor ids = ints(B * n), targets = ints(B);
    Tensor emb = be.empty({B * n, E}), pre = be.empty({B, H}), hidden = be.empty({B, H}), logits = be.empty({B, V}),
           probs = be.empty({B, V}), losses = be.empty({B}), dlosses = be.empty({B}), dlogits = be.empty({B, V}),
           dhidden = be.zeros({B, H}), dpre = be.zeros({B, H}), demb = be.zeros({B * n, E});
    dlosses.fill(1.0f);
    Tensor x = emb.reshape(Shape{B, n * E}), dx = demb.reshape(Shape{B, n * E});
    const std::vector<std::pair<std::string, std::function<void()>>> ops{
        {"forward: embedding_gather", [&] { embedding_gather(be, emb, wte, ids); }},
        {"forward: linear fc1", [&] { linear_forward(be, pre, x, w1, &b1); }},
        {"forward: tanh", [&] { tanh_forward(be, hidden, pre); }},
        {"forward: linear fc2", [&] { linear_forward(be, logits, hidden, w2, &b2); }},
        {"forward: softmax_xent", [&] { softmax_xent_forward(be, losses, probs, logits, targets); }},
        {"backward: softmax_xent", [&] { softmax_xent_backward(be, dlogits, probs, targets, dlosses, static_cast<float>(B)); }},
        {"backward: linear fc2", [&] { linear_backward(be, &dhidden, dw2, &db2, dlogits, hidden, w2); }},
        {"backward: tanh", [&] { tanh_backward(be, dpre, hidden, dhidden); }},
        {"backward: linear fc1", [&] { linear_backward(be, &dx, dw1, &db1, dpre, x, w1); }},
        {"backward: scatter_add", [&] { embedding_scatter_add(be, dwte, demb, ids, 1.0f); }},
        {"backward: fill_zero x3", [&] { dhidden.fill_zero(), dpre.fill_zero(), demb.fill_zero(); }},
    };
    std::vector<std::pair<std::string, double>> out;
    for (const auto& [name, op] : ops) {
        std::vector<double> ms;
        for (std::size_t r = 0; r < reps + 1; ++r) {
            const Timer t;
            op();
            if (r > 0) ms.push_back(t.ms());
        }
        out.emplace_back(name, median(ms));
    }
    return out;
}

// ---- ours: the train loop's step, timed by phase ----

// Milliseconds per step, one entry per timed step.
struct Phases {
    std::vector<double> zero, forward, backward, norm, optimizer, step;
};

// core/nn/train.cpp's step, as its loop runs it: zero_grad; forward; backward; global_grad_norm
// (the loop's NaN check; no clipping, as the peer has none); AdamW (lr 1e-3, no weight decay, as
// the peer's). Each phase ends in a host-side value or a cpu call, so the clock reads are exact.
Phases run_ours(const ModelConfig& mc, std::size_t B, std::span<const std::int32_t> corpus, const BenchOptions& o) {
    const Backend be(Device::cpu);
    const auto model = make_model(mc, Device::cpu, o.seed);
    ParamSet& params = model->params();
    OptimizerConfig oc;
    oc.kind = OptimizerKind::adamw;
    oc.adamw = {.lr = 1e-3f, .beta1 = 0.9f, .beta2 = 0.999f, .eps = 1e-8f, .weight_decay = 0.0f};
    Optimizer opt(oc, params);
    const std::size_t W = model->window();
    std::optional<WindowLoader> windows;
    std::optional<StreamLoader> streams;
    if (model->stateful()) {
        streams.emplace(corpus, B, W, o.seed);
        model->reset_state(be, B);
    } else {
        windows.emplace(corpus, B, W, o.seed);
    }
    std::vector<std::int32_t> batch(B * W);
    Phases p;
    for (std::size_t s = 0; s < o.warmup + o.steps; ++s) {
        if (streams) {
            streams->next(batch);
            if (streams->wrapped()) model->reset_state(be, B);
        } else {
            windows->next(batch);
        }
        const Timer t;
        params.zero_grad();
        const double t0 = t.ms();
        const float loss = model->forward(be, batch, B);
        const double t1 = t.ms();
        model->backward(be);
        const double t2 = t.ms();
        const float norm = global_grad_norm(be, params);
        const double t3 = t.ms();
        opt.step(be, params, oc.adamw.lr, clip_scale(norm, 0.0f));
        const double t4 = t.ms();
        LADDER_CHECK(std::isfinite(loss), "bench: {} loss {} at step {}", model->name(), loss, s);
        if (s < o.warmup) continue;
        p.zero.push_back(t0);
        p.forward.push_back(t1 - t0);
        p.backward.push_back(t2 - t1);
        p.norm.push_back(t3 - t2);
        p.optimizer.push_back(t4 - t3);
        p.step.push_back(t4);
    }
    return p;
}

void append(Phases& all, const Phases& p) {
    auto add = [](std::vector<double>& dst, const std::vector<double>& src) { dst.insert(dst.end(), src.begin(), src.end()); };
    add(all.zero, p.zero), add(all.forward, p.forward), add(all.backward, p.backward);
    add(all.norm, p.norm), add(all.optimizer, p.optimizer), add(all.step, p.step);
}

// ---- the peer ----

// tools/peers/torch_lm.py bench on the same model, batch, threads and OpenBLAS core: its JSON
// line, or null (and the lines it printed, in `log`) when it printed none.
nlohmann::json run_torch(const ModelConfig& mc, std::size_t B, unsigned threads, const BenchOptions& o,
                         std::string& log) {
    std::string cmd = fmt::format(
        "OMP_WAIT_POLICY=PASSIVE {} /usr/bin/python3 {} bench --model {} --vocab {} --embed {} --context {} --hidden {} "
        "--batch {} --seq {} --threads {} --steps {} --warmup {} --seed {}",
        peer_blas_env(blas_info()), (fs::path(LADDER_SOURCE_DIR) / "tools/peers/torch_lm.py").string(), mc.kind,
        mc.vocab, mc.embed, mc.context, mc.hidden, B, mc.seq, threads, o.steps, o.warmup, o.seed);
    if (!o.tokens.empty()) cmd += " --tokens " + o.tokens;
    return run_peer(cmd, "torch_lm.py", &log);
}

// ---- the run ----

struct Row {
    std::string model, contender;
    unsigned threads = 0;
    double step_ms = 0, tokens_per_s = 0;
    std::string core;
};

std::vector<std::int32_t> random_corpus(std::size_t n, std::size_t V, std::uint64_t seed) {
    Rng rng(seed);
    std::vector<std::int32_t> ids(n);
    for (auto& id : ids) id = static_cast<std::int32_t>(rng.below(V));
    return ids;
}

// The 1-minute load average (Linux; -1 elsewhere): above ~0 other processes share the cores
// and a 2-thread row may run on one.
double load_average() {
    std::ifstream in("/proc/loadavg");
    double x = -1;
    in >> x;
    return in ? x : -1;
}

std::string shape_str(const MatmulDims& d) { return fmt::format("{}x{}x{}", d.M, d.N, d.K); }

int bench(BenchOptions o) {
    if (o.quick) {
        o.vocab = 256, o.embed = 16, o.hidden = 64, o.context = 4, o.seq = 8, o.mlp_batch = 32, o.rnn_batch = 8;
        o.steps = std::min<std::size_t>(o.steps, 5), o.warmup = 1, o.repeats = 1;
    }
    LADDER_CHECK(o.steps > 0 && o.repeats > 0, "bench: --steps ({}) and --repeats ({}) must be positive", o.steps,
                 o.repeats);
    const RunDir out(o.out);
    std::vector<std::int32_t> corpus;
    std::string data_name;
    if (!o.tokens.empty()) {
        TokenFile tf = read_token_file(o.tokens);
        o.vocab = tf.vocab_size;
        corpus = std::move(tf.ids);
        data_name = o.tokens;
    } else {
        // Random ids: enough for 1000 distinct RNN batches; the time of a step does not depend on them.
        corpus = random_corpus(std::max<std::size_t>(1 << 20, 1000 * o.rnn_batch * (o.seq + 1)), o.vocab, o.seed);
        data_name = fmt::format("random ids (seed {})", o.seed);
    }
    const bool with_torch = o.peer && python_has("torch");
    const BlasInfo blas = blas_info();
    fmt::print("ch05 bench: training steps (AdamW, lr 1e-3) on cpu, {} steps after {} warm-up, {} repeat(s) per "
               "contender,\nback to back; tokens/s = targets per step / median step time. Data: {} tokens of {}, V {}.\n",
               o.steps, o.warmup, o.repeats, format_count(static_cast<double>(corpus.size())), data_name, o.vocab);
    fmt::print("BLAS: {}{}\n", blas.summary(), with_torch ? "; PyTorch runs with " + peer_blas_env(blas) : "");
    if (!o.peer) fmt::print("PyTorch: skipped (--no-peer)\n");
    else if (!with_torch) fmt::print("PyTorch: not installed (./ladder setup installs python3-torch)\n");
    fmt::print("\n");

    std::vector<ModelConfig> configs;
    for (const std::string& kind : o.models) {
        ModelConfig m;
        m.kind = kind, m.vocab = o.vocab, m.embed = o.embed, m.hidden = o.hidden, m.context = o.context, m.seq = o.seq;
        configs.push_back(m);
    }
    auto batch_of = [&](const ModelConfig& m) { return m.kind == "mlp" ? o.mlp_batch : o.rnn_batch; };

    CsvWriter csv = out.csv("bench_train.csv", {"model", "contender", "threads", "blas_core", "repeat", "step_ms",
                                                "tokens_per_s", "zero_grad_ms", "forward_ms", "backward_ms",
                                                "grad_norm_ms", "optimizer_ms"});
    CsvWriter gcsv = out.csv("bench_sgemm.csv", {"model", "threads", "blas_core", "layer", "form", "M", "N", "K",
                                                 "calls", "ms", "gflops"});
    nlohmann::json summary;
    summary["blas"] = blas;
    summary["data"] = data_name;
    summary["settings"] = {{"steps", o.steps}, {"warmup", o.warmup}, {"repeats", o.repeats}, {"seed", o.seed}};
    summary["rows"] = nlohmann::json::array();
    const Timer total;

    for (unsigned threads : o.threads) {
        const int blas_threads = set_blas_threads(threads);
        const std::string core = blas_info().core;
        fmt::print("---- {} thread(s) (OpenBLAS reports {}), core {}; load average {:.2f} on {} cores ----\n", threads,
                   blas_threads, core, load_average(), std::thread::hardware_concurrency());
        for (const ModelConfig& mc : configs) {
            const std::size_t B = batch_of(mc);
            const auto probe = make_model(mc, Device::cpu, o.seed);
            const std::string name = probe->name();
            const double tokens_per_step = static_cast<double>(B * probe->targets_per_row());
            const std::size_t numel = probe->params().numel();
            // The two contenders alternate, so a slow spell of the machine hits both.
            std::vector<double> ours_ms, torch_ms;
            Phases all;
            std::string torch_core = "-", torch_note;
            const std::vector<Gemm> gemms = step_gemms(mc, B);
            std::vector<std::vector<double>> gemm_samples;
            Rng gemm_rng(o.seed);
            for (std::size_t r = 0; r < o.repeats; ++r) {
                sample_gemms(gemms, o.quick ? 3 : 5, gemm_rng, gemm_samples);
                const Phases p = run_ours(mc, B, corpus, o);
                const double ms = median(p.step);
                ours_ms.push_back(ms);
                csv.row(mc.kind, "ours", threads, core, r, ms, tokens_per_step / ms * 1e3, median(p.zero),
                        median(p.forward), median(p.backward), median(p.norm), median(p.optimizer));
                append(all, p);
                if (!with_torch) continue;
                std::string log;
                const nlohmann::json j = run_torch(mc, B, threads, o, log);
                if (j.is_null()) {
                    torch_note = "the peer printed no result:\n" + log;
                    continue;
                }
                if (!log.empty()) fmt::print("{}", log);
                torch_core = j.value("openblas_core", std::string("?"));
                const double tms = j.at("step_ms").get<double>();
                torch_ms.push_back(tms);
                csv.row(mc.kind, "torch", threads, torch_core, r, tms, j.at("tokens_per_s").get<double>(), "", "", "",
                        "", "");
            }
            if (!torch_note.empty()) fmt::print("  warning: PyTorch: {}", torch_note);
            if (!torch_ms.empty() && torch_core != core)
                fmt::print("  warning: PyTorch ran OpenBLAS core {}, ours {}: not the same kernels\n", torch_core, core);

            // The sgemm bound: this step's matmuls at the speed sgemm reaches on them here and now.
            const Bound bound = make_bound(gemms, gemm_samples);
            for (std::size_t i = 0; i < gemms.size(); ++i) {
                const Gemm& g = gemms[i];
                gcsv.row(mc.kind, threads, core, g.layer, g.form, g.d.M, g.d.N, g.d.K, g.count, bound.gemm_ms[i],
                         g.flops() / (bound.gemm_ms[i] * 1e6));
            }

            const double ours = median(ours_ms), ours_tps = tokens_per_step / ours * 1e3;
            const double bound_tps = tokens_per_step / bound.ms * 1e3;
            fmt::print("{} (batch {}, {} tokens/step, {} parameters):\n", name, B, tokens_per_step,
                       format_count(static_cast<double>(numel)));
            fmt::print("  {:<8} {:>12} {:>10}   {}\n", "", "tokens/s", "step ms", "runs (step ms)");
            auto runs = [](const std::vector<double>& v) {
                std::string s;
                for (double x : v) s += fmt::format("{}{:.1f}", s.empty() ? "" : " ", x);
                return s;
            };
            fmt::print("  {:<8} {:>12} {:>10.1f}   {}\n", "ours", format_count(ours_tps), ours, runs(ours_ms));
            nlohmann::json row{{"model", mc.kind},
                               {"name", name},
                               {"threads", threads},
                               {"blas_core", core},
                               {"batch", B},
                               {"tokens_per_step", tokens_per_step},
                               {"ours_step_ms", ours},
                               {"ours_tokens_per_s", ours_tps},
                               {"ours_runs_ms", ours_ms},
                               {"gemm_flops", bound.flops},
                               {"gemm_ms", bound.ms},
                               {"sgemm_gflops", bound.gflops()},
                               {"bound_tokens_per_s", bound_tps},
                               {"ours_of_bound", bound.ms / ours}};
            if (!torch_ms.empty()) {
                const double tms = median(torch_ms), torch_tps = tokens_per_step / tms * 1e3;
                fmt::print("  {:<8} {:>12} {:>10.1f}   {}   (core {})\n", "PyTorch", format_count(torch_tps), tms,
                           runs(torch_ms), torch_core);
                fmt::print("  ours / PyTorch: {:.2f}x tokens/s\n", ours_tps / torch_tps);
                row["torch_step_ms"] = tms;
                row["torch_tokens_per_s"] = torch_tps;
                row["torch_runs_ms"] = torch_ms;
                row["torch_blas_core"] = torch_core;
                row["torch_of_bound"] = bound.ms / tms;
                row["ours_over_torch"] = ours_tps / torch_tps;
            } else {
                fmt::print("  {:<8} {:>12}\n", "PyTorch", o.peer ? "-" : "(--no-peer)");
            }
            fmt::print("  sgemm bound: {:.2f} GFLOP of matmuls per step at {:.1f} GFLOP/s (sgemm on the step's shapes, "
                       "this run) = {:.1f} ms -> {} tokens/s;\n  ours at {:.2f}x of the bound{}\n",
                       bound.flops / 1e9, bound.gflops(), bound.ms, format_count(bound_tps), bound.ms / ours,
                       torch_ms.empty() ? "" : fmt::format(", PyTorch at {:.2f}x", bound.ms / median(torch_ms)));
            if (o.profile) {
                // Where our step goes: each phase's median, and the forward's and backward's matmuls at sgemm speed.
                double fwd_gemm = 0, bwd_gemm = 0;
                for (std::size_t i = 0; i < gemms.size(); ++i)
                    (gemms[i].form == "forward" ? fwd_gemm : bwd_gemm) += bound.gemm_ms[i];
                const double step = median(all.step);
                fmt::print("  ours, where a step goes (median ms over {} steps; step {:.1f}):\n", all.step.size(), step);
                auto line = [&](const char* what, double ms, const std::string& note) {
                    fmt::print("    {:<10} {:>8.2f} ms {:>5.1f}%  {}\n", what, ms, 100 * ms / step, note);
                };
                const double f = median(all.forward), b = median(all.backward);
                line("zero_grad", median(all.zero), "");
                line("forward", f, fmt::format("its matmuls at sgemm speed {:.2f} ms; the rest {:.2f} ms (gather, bias, "
                                               "tanh, softmax-xent)", fwd_gemm, f - fwd_gemm));
                line("backward", b, fmt::format("its matmuls at sgemm speed {:.2f} ms; the rest {:.2f} ms (xent grad, "
                                                "dbias, tanh grad, scatter-add)", bwd_gemm, b - bwd_gemm));
                line("grad norm", median(all.norm), fmt::format("global_norm over {} floats", format_count(static_cast<double>(numel))));
                line("adamw", median(all.optimizer), fmt::format("over {} floats", format_count(static_cast<double>(numel))));
                fmt::print("    sgemm per matmul:");
                for (std::size_t i = 0; i < gemms.size(); ++i)
                    fmt::print("{}{} {} {}{} {:.2f} ms ({:.0f} GFLOP/s)", i % 3 ? "; " : "\n      ", gemms[i].layer,
                               gemms[i].form, shape_str(gemms[i].d),
                               gemms[i].count > 1 ? fmt::format(" x{}", gemms[i].count) : "", bound.gemm_ms[i],
                               gemms[i].flops() / (bound.gemm_ms[i] * 1e6));
                fmt::print("\n");
                if (mc.kind == "mlp") {
                    // The fc layers' gemms at sgemm speed, to split each linear into its gemms and its bias work.
                    const double g1f = bound.gemm_ms[0], g1b = bound.gemm_ms[1] + bound.gemm_ms[2];
                    const double g2f = bound.gemm_ms[3], g2b = bound.gemm_ms[4] + bound.gemm_ms[5];
                    const std::map<std::string, double> gemm_of{{"forward: linear fc1", g1f}, {"forward: linear fc2", g2f},
                                                                {"backward: linear fc1", g1b}, {"backward: linear fc2", g2b}};
                    fmt::print("    each op alone on the step's shapes (median ms; linear: its gemms at sgemm speed + the rest):\n");
                    nlohmann::json ops;
                    for (const auto& [op, ms] : mlp_ops(mc, B, o.quick ? 3 : 7, o.seed)) {
                        const auto it = gemm_of.find(op);
                        fmt::print("      {:<24} {:>8.2f} ms{}\n", op, ms,
                                   it == gemm_of.end() ? "" : fmt::format("  (gemms {:.2f} + rest {:.2f})", it->second, ms - it->second));
                        ops[op] = ms;
                    }
                    row["profile_ops_ms"] = ops;
                }
                row["profile_ms"] = {{"zero_grad", median(all.zero)}, {"forward", f}, {"backward", b},
                                     {"grad_norm", median(all.norm)}, {"optimizer", median(all.optimizer)},
                                     {"forward_gemm_bound", fwd_gemm}, {"backward_gemm_bound", bwd_gemm}};
            }
            fmt::print("\n");
            summary["rows"].push_back(row);
        }
    }
    // The table of the issue: every model and thread count on one screen.
    fmt::print("Summary (tokens/s, BLAS core on every row):\n  {:<34} {:>3} {:<10} {:>9} {:>9} {:>11} {:>10} {:>9}\n",
               "model", "thr", "core", "ours", "PyTorch", "ours/torch", "bound", "ours/bound");
    for (const auto& r : summary["rows"]) {
        const bool t = r.contains("torch_tokens_per_s");
        fmt::print("  {:<34} {:>3} {:<10} {:>9} {:>9} {:>11} {:>10} {:>9.2f}\n", r["name"].get<std::string>(),
                   r["threads"].get<unsigned>(), r["blas_core"].get<std::string>(),
                   format_count(r["ours_tokens_per_s"].get<double>()),
                   t ? format_count(r["torch_tokens_per_s"].get<double>()) : "-",
                   t ? fmt::format("{:.2f}x", r["ours_over_torch"].get<double>()) : "-",
                   format_count(r["bound_tokens_per_s"].get<double>()), r["ours_of_bound"].get<double>());
    }
    summary["seconds_total"] = total.seconds();
    // Not RunDir::write_summary: that would replace the program's own runs/ch05/summary.json.
    write_file_atomic(out.file("bench_summary.json"), nlohmann::json{{"chapter", "ch05"}, {"bench", summary}}.dump(2) + "\n");
    fmt::print("\nWrote {}, {} and {} ({:.0f} s in all).\n", out.file("bench_train.csv").string(),
               out.file("bench_sgemm.csv").string(), out.file("bench_summary.json").string(), total.seconds());
    return 0;
}

}  // namespace
}  // namespace ladder::ch05

int main(int argc, char** argv) {
    CLI::App app{"Chapter 5 benchmark: MLP and RNN LM training tokens/s, ours vs PyTorch, and the MLP step's sgemm bound"};
    ladder::ch05::BenchOptions o;
    app.add_option("--out", o.out, "output directory")->capture_default_str();
    app.add_option("--model", o.models, "models to time: mlp, rnn")->check(CLI::IsMember({"mlp", "rnn"}))->capture_default_str();
    app.add_option("--threads", o.threads, "thread counts (a list)")->capture_default_str();
    app.add_option("--steps", o.steps, "timed steps per run")->capture_default_str();
    app.add_option("--warmup", o.warmup, "untimed steps before them")->capture_default_str();
    app.add_option("--repeats", o.repeats, "runs per contender, alternating")->capture_default_str();
    app.add_option("--vocab", o.vocab, "V (a token file sets its own)")->capture_default_str();
    app.add_option("--embed", o.embed, "E")->capture_default_str();
    app.add_option("--hidden", o.hidden, "H")->capture_default_str();
    app.add_option("--context", o.context, "the MLP's context n")->capture_default_str();
    app.add_option("--seq", o.seq, "the RNN's window T")->capture_default_str();
    app.add_option("--mlp-batch", o.mlp_batch, "the MLP's batch B")->capture_default_str();
    app.add_option("--rnn-batch", o.rnn_batch, "the RNN's batch B (streams)")->capture_default_str();
    app.add_option("--tokens", o.tokens, "a token file to draw windows from (e.g. data/cache/lm/kjv-bpe2048/train.tok; "
                                         "default: random ids)");
    app.add_option("--seed", o.seed, "seed of the weights and the windows")->capture_default_str();
    app.add_flag("!--no-peer", o.peer, "skip PyTorch");
    app.add_flag("--quick", o.quick, "tiny sizes, few steps: a smoke run");
    app.add_flag("--profile", o.profile, "where our step's time goes: forward, backward, grad norm, AdamW, matmuls");
    if (auto code = ladder::parse_args(app, argc, argv)) return *code;
    return ladder::guarded_main([&] { return ladder::ch05::bench(o); });
}
