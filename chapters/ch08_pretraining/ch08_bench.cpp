// ch08_bench.cpp: chapter 8's benchmark: data-parallel pre-training over MPI ranks on one
// machine. The same global batch runs on 1, 2 and 4 ranks of one BLAS thread each (4 on a 2-core
// machine is oversubscribed, to show what that costs), beside one process with two BLAS threads,
// for two model sizes: the tokens per second of all ranks together, the speed-up over one rank,
// and the share of the time spent in the all-reduces. Each row is `mpirun -np N ch08 pretrain`,
// whose last line is its result as JSON.
#include <filesystem>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/blas_info.hpp"
#include "core/cli.hpp"
#include "core/error.hpp"
#include "core/fileio.hpp"
#include "core/nn/distributed.hpp"
#include "core/peer.hpp"

namespace ladder::ch08 {
namespace {

namespace fs = std::filesystem;

struct BenchOptions {
    std::string out = "runs/ch08", data;
    std::vector<int> ranks{1, 2, 4};
    std::size_t steps = 30;
    bool quick = false;
};

struct Shape {
    const char* name;
    std::size_t layers, embed, heads, context, batch;
};

std::string quoted(const std::vector<std::string>& words) {
    std::string s;
    for (const std::string& w : words) s += "'" + w + "' ";
    return s;
}

int bench(const BenchOptions& o) {
    const RunDir out(o.out);
    const std::string program = (fs::canonical("/proc/self/exe").parent_path() / "ch08").string();
    LADDER_CHECK(fs::exists(program), "ch08_bench: {} is missing: build the ch08 target", program);
    std::string mpirun_reason;
    try {
        find_mpirun();
    } catch (const Error& e) {
        mpirun_reason = e.what();
    }
    if (!mpirun_reason.empty()) {
        fmt::print("Data-parallel benchmark skipped: {}\n", mpirun_reason);
        return 0;
    }
    // The pre-training corpus's token files when `./ladder run ch08` has built them, else the
    // hand-written sample (a smoke run: the figures then say little).
    std::string data = o.data;
    if (data.empty() && fs::exists("data/cache/lm/pretrain-bpe4096/manifest.json")) data = "data/cache/lm/pretrain-bpe4096";
    const std::vector<Shape> shapes = o.quick ? std::vector<Shape>{{"tiny", 1, 32, 2, 16, 8}}
                                              : std::vector<Shape>{{"small", 4, 128, 4, 128, 16}, {"tiny", 2, 32, 2, 64, 16}};
    fmt::print("Data-parallel pre-training on {} ({}): {} steps of the global batch, {} on {}\n",
               data.empty() ? "the sample" : data, data.empty() ? "--quick" : "the corpus", o.steps,
               blas_info().library(), blas_info().core);
    fmt::print("  {:<6} {:>5} {:>8} {:>12} {:>9} {:>10}\n", "model", "ranks", "threads", "tokens/s", "speed-up",
               "all-reduce");
    auto csv = out.csv("bench_data_parallel.csv", {"model", "parameters", "ranks", "threads_per_rank", "batch",
                                                   "global_tokens_per_s", "speedup_vs_1_rank", "comm_share"});
    nlohmann::json rows = nlohmann::json::array();
    for (const Shape& s : shapes) {
        double base = 0;
        struct Run {
            int ranks;
            unsigned threads;
        };
        std::vector<Run> runs;
        for (const int n : o.ranks) runs.push_back({n, 1});
        runs.push_back({1, 2});   // one process on both cores, for comparison
        for (const Run& run : runs) {
            if (s.batch % static_cast<std::size_t>(run.ranks) != 0) continue;
            std::vector<std::string> args{"pretrain", "--no-progress", "--steps", std::to_string(o.steps),
                                          "--eval-every", std::to_string(o.steps), "--val-tokens", "2048",
                                          "--layers", std::to_string(s.layers), "--embed", std::to_string(s.embed),
                                          "--heads", std::to_string(s.heads), "--context", std::to_string(s.context),
                                          "--batch", std::to_string(s.batch), "--threads", std::to_string(run.threads),
                                          "--out", out.file("bench_pretrain").string()};
            if (data.empty()) args.push_back("--quick");
            else args.insert(args.end(), {"--data", data});
            const nlohmann::json j = run_peer(quoted(mpirun_command(run.ranks, program, args)), "ch08 pretrain");
            if (j.is_null()) continue;
            const double tps = j["global_tokens_per_s"], comm = j["comm_seconds"], secs = j["seconds"];
            if (run.ranks == 1 && run.threads == 1) base = tps;
            const double speedup = base > 0 ? tps / base : 0;
            fmt::print("  {:<6} {:>5} {:>8} {:>12.0f} {:>8.2f}x {:>9.1f}%\n", s.name, run.ranks, run.threads, tps, speedup,
                       100 * comm / std::max(1e-9, secs));
            csv.row(s.name, j["parameters"].get<std::size_t>(), run.ranks, run.threads, s.batch, tps, speedup,
                    comm / std::max(1e-9, secs));
            rows.push_back({{"model", s.name}, {"parameters", j["parameters"]}, {"ranks", run.ranks},
                            {"threads_per_rank", run.threads}, {"batch", s.batch}, {"global_tokens_per_s", tps},
                            {"speedup_vs_1_rank", speedup}, {"comm_seconds", comm}, {"seconds", secs}});
        }
    }
    fs::remove_all(out.file("bench_pretrain"));
    const nlohmann::json summary{{"chapter", "ch08"},
                                 {"bench", {{"data", data.empty() ? "sample" : data}, {"steps", o.steps}, {"rows", rows}}},
                                 {"blas", blas_info()}};
    write_file_atomic(out.file("bench_summary.json"), summary.dump(2) + "\n");
    fmt::print("\nWrote {} and {}.\n", out.file("bench_data_parallel.csv").string(),
               out.file("bench_summary.json").string());
    return 0;
}

}  // namespace
}  // namespace ladder::ch08

int main(int argc, char** argv) {
    CLI::App app{"Chapter 8 benchmark: data-parallel pre-training over MPI ranks (1, 2, 4) beside one process"};
    ladder::ch08::BenchOptions o;
    app.add_option("--out", o.out, "output directory")->capture_default_str();
    app.add_option("--data", o.data, "token-file directory (default the corpus's, else the sample)");
    app.add_option("--ranks", o.ranks, "rank counts (a list)")->capture_default_str();
    app.add_option("--steps", o.steps, "steps per run")->capture_default_str();
    app.add_flag("--quick", o.quick, "one tiny model: a smoke run");
    if (auto code = ladder::parse_args(app, argc, argv)) return *code;
    return ladder::guarded_main([&] { return ladder::ch08::bench(o); });
}
