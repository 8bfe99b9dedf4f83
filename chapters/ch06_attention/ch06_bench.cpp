// ch06_bench.cpp: chapter 6's attention benchmark (`./ladder bench ch06`, after ladder-ops' per-op
// table): causal attention forward, and forward + backward, on the cpu backend, ours (naive and
// fused) beside PyTorch's explicit masked-softmax form (tools/peers/torch_attention.py bench) on the
// same shapes (8 heads of 64, T = 256 ... 2048), threads and OpenBLAS core, in one run. Writes
// runs/ch06/bench_attention.csv and bench_summary.json.
#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <vector>

#include "core/blas_info.hpp"
#include "core/cli.hpp"
#include "core/peer.hpp"
#include "core/error.hpp"
#include "core/fileio.hpp"
#include "core/rng.hpp"
#include "kernels/attention/attention.hpp"

namespace ladder::ch06 {
namespace {

namespace fs = std::filesystem;

struct BenchOptions {
    std::string out = "runs/ch06";
    std::vector<std::size_t> T{256, 512, 1024, 2048};
    std::vector<unsigned> threads{1, 2};
    std::size_t BH = 8, hs = 64, repeats = 5, warmup = 2;
    bool peer = true, quick = false;
};


double now_ms() {
    using clock = std::chrono::steady_clock;
    return std::chrono::duration<double, std::milli>(clock::now().time_since_epoch()).count();
}

struct Times {
    double forward_ms = 0, forward_backward_ms = 0;
};

// Ours on the cpu backend: the median of `repeats` forward passes, and of forward + backward
// (as a training step runs them), after `warmup` of each. The inputs are N(0, 1).
Times run_ours(std::size_t BH, std::size_t T, std::size_t hs, bool fused, const BenchOptions& o) {
    const Backend be(Device::cpu);
    Rng rng(1);
    const auto filled = [&](Shape s) {
        Tensor t = be.empty(s);
        rng.fill_normal(t.host(), 0.0f, 1.0f);
        return t;
    };
    const Tensor q = filled({BH, T, hs}), k = filled({BH, T, hs}), v = filled({BH, T, hs}), dout = filled({BH, T, hs});
    Tensor out = be.empty({BH, T, hs}), dq = be.empty({BH, T, hs}), dk = be.empty({BH, T, hs}), dv = be.empty({BH, T, hs});
    Tensor att = fused ? Tensor() : be.empty({BH, T, T}), dpre = fused ? Tensor() : be.empty({BH, T, T});
    Tensor lse = fused ? be.empty({BH, T}) : Tensor();
    const float scale = 1.0f / std::sqrt(static_cast<float>(hs));
    const auto forward = [&] {
        if (fused) attention_fused_forward(be, out, lse, q, k, v, scale);
        else attention_forward(be, out, att, q, k, v, scale);
    };
    const auto backward = [&] {
        if (fused) attention_fused_backward(be, dq, dk, dv, dout, q, k, v, out, lse, scale);
        else attention_backward(be, dq, dk, dv, dpre, dout, q, k, v, att, scale);
    };
    std::vector<double> f, fb;
    for (std::size_t r = 0; r < o.warmup + o.repeats; ++r) {
        const double t0 = now_ms();
        forward();
        const double t1 = now_ms();
        forward();
        backward();
        const double t2 = now_ms();
        if (r >= o.warmup) f.push_back(t1 - t0), fb.push_back(t2 - t1);
    }
    return {median(f), median(fb)};
}

// tools/peers/torch_attention.py bench on the same shapes, threads and OpenBLAS core: its JSON
// line, or null (its other lines then go to stdout, saying why).
nlohmann::json run_torch(std::size_t BH, std::size_t T, std::size_t hs, unsigned threads, const BenchOptions& o) {
    const std::string cmd = fmt::format(
        "OMP_WAIT_POLICY=PASSIVE {} /usr/bin/python3 {} bench --BH {} --T {} --hs {} --threads {} --repeats {} "
        "--warmup {}",
        peer_blas_env(blas_info()), (fs::path(LADDER_SOURCE_DIR) / "tools/peers/torch_attention.py").string(), BH, T,
        hs, threads, o.repeats, o.warmup);
    return run_peer(cmd, "torch_attention.py");
}

int bench(BenchOptions o) {
    if (o.quick) o.T = {64, 128}, o.repeats = 2, o.warmup = 1;
    const RunDir out(o.out);
    const bool with_torch = o.peer && python_has("torch");
    if (o.peer && !with_torch) fmt::print("PyTorch: not installed (./ladder setup installs python3-torch)\n");
    fmt::print("Causal attention on the CPU, {} heads of {}: median ms of {} runs (forward; forward + backward)\n",
               o.BH, o.hs, o.repeats);
    CsvWriter csv(out.file("bench_attention.csv"),
                  {"T", "threads", "contender", "forward_ms", "forward_backward_ms", "speedup_vs_torch"});
    nlohmann::json rows = nlohmann::json::array();
    for (const unsigned threads : o.threads) {
        const int got = set_blas_threads(threads);
        fmt::print("\n{} thread(s) (OpenBLAS {} on {}):\n", threads, got, blas_info().core);
        fmt::print("  {:>5}  {:>14} {:>14} {:>14}   {:>8} {:>8}\n", "T", "naive", "fused", "torch", "naive/t",
                   "fused/t");
        for (const std::size_t T : o.T) {
            const Times naive = run_ours(o.BH, T, o.hs, false, o), fused = run_ours(o.BH, T, o.hs, true, o);
            Times torch{std::nan(""), std::nan("")};
            if (with_torch) {
                const nlohmann::json j = run_torch(o.BH, T, o.hs, threads, o);
                if (!j.is_null()) torch = {j["forward_ms"].get<double>(), j["forward_backward_ms"].get<double>()};
            }
            // Speed-up over torch on forward + backward (> 1: ours is faster).
            const auto vs = [&](const Times& t) { return torch.forward_backward_ms / t.forward_backward_ms; };
            const auto cell = [](const Times& t) { return fmt::format("{:6.1f};{:6.1f}", t.forward_ms, t.forward_backward_ms); };
            fmt::print("  {:>5}  {:>14} {:>14} {:>14}   {:>7.2f}x {:>7.2f}x\n", T, cell(naive), cell(fused), cell(torch),
                       vs(naive), vs(fused));
            for (const auto& [name, t] : {std::pair{"naive", naive}, std::pair{"fused", fused}, std::pair{"torch", torch}}) {
                const double speedup = std::string(name) == "torch" ? 1.0 : vs(t);
                csv.row(T, threads, name, t.forward_ms, t.forward_backward_ms, speedup);
                rows.push_back({{"T", T}, {"threads", threads}, {"contender", name}, {"forward_ms", t.forward_ms},
                                {"forward_backward_ms", t.forward_backward_ms}, {"speedup_vs_torch", speedup}});
            }
        }
    }
    nlohmann::json summary{{"chapter", "ch06"},
                           {"bench", {{"BH", o.BH}, {"hs", o.hs}, {"repeats", o.repeats}, {"rows", rows}}},
                           {"blas", blas_info()}};
    write_file_atomic(out.file("bench_summary.json"), summary.dump(2) + "\n");
    fmt::print("\nWrote {} and {}.\n", out.file("bench_attention.csv").string(), out.file("bench_summary.json").string());
    return 0;
}

}  // namespace
}  // namespace ladder::ch06

int main(int argc, char** argv) {
    CLI::App app{"Chapter 6 benchmark: causal attention forward and backward on the CPU, ours (naive, fused) vs PyTorch"};
    ladder::ch06::BenchOptions o;
    app.add_option("--out", o.out, "output directory")->capture_default_str();
    app.add_option("--T", o.T, "context lengths (a list)")->capture_default_str();
    app.add_option("--threads", o.threads, "thread counts (a list)")->capture_default_str();
    app.add_option("--BH", o.BH, "heads B*NH")->capture_default_str();
    app.add_option("--hs", o.hs, "head size")->capture_default_str();
    app.add_option("--repeats", o.repeats, "timed runs per contender")->capture_default_str();
    app.add_flag("!--no-peer", o.peer, "skip PyTorch");
    app.add_flag("--quick", o.quick, "T = 64, 128, two runs: a smoke run");
    if (auto code = ladder::parse_args(app, argc, argv)) return *code;
    return ladder::guarded_main([&] { return ladder::ch06::bench(o); });
}
