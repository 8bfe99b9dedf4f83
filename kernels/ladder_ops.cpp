// ladder_ops.cpp: one binary over the registry, with modes:
//   list     every op, its chapter and versions
//   compare  every implementation on every backend vs the CPU reference: errors and times
//   bench    timings (min/median ms, GFLOP/s, GB/s) beside the peers, each run checked first
//   grad     every backward op against finite differences of its forward, in double
// `./ladder compare chNN` and `./ladder bench chNN` call it. Introduced in ch01.
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <optional>
#include <random>

#include "core/cli.hpp"
#include "core/simt/simt_runtime.hpp"
#include "kernels/gradcheck.hpp"
#include "kernels/harness.hpp"

namespace ladder {
namespace {

struct Filters {
    std::string chapter, op, version, backend = "all";
    std::uint64_t seed = 0;     // 0: fresh random inputs each run (the seed is printed)
    std::string csv;
    int repeats = 5;
    std::string schedule;       // simt schedule override
    bool quick = false;
    bool grad = false;          // compare: also the gradient checks
};

std::vector<const OpSpec*> selected_ops(const Filters& f) {
    std::vector<const OpSpec*> out;
    for (const auto& op : registry().ops()) {
        if (!f.chapter.empty() && op.chapter != f.chapter) continue;
        if (!f.op.empty() && op.name != f.op) continue;
        out.push_back(&op);
    }
    LADDER_CHECK(!out.empty(), "no registered op matches chapter '{}' op '{}' (try `ladder-ops list`)", f.chapter, f.op);
    return out;
}

// The GPU backends to run: "all" means simt plus cuda when a device answers.
std::vector<Device> gpu_backends(const Filters& f, bool include_simt_by_default) {
    if (f.backend == "all") {
        std::vector<Device> d;
        if (include_simt_by_default) d.push_back(Device::simt);
        if (cuda_available()) d.push_back(Device::cuda);
        return d;
    }
    if (f.backend == "cpu") return {};
    const Device d = parse_device(f.backend);
    require_device(d);
    return {d};
}

// The op's versions, and on a real GPU its library peers too (cuBLAS).
std::vector<GpuVersion> gpu_impls(const OpSpec& op, Device d) {
    std::vector<GpuVersion> out = op.versions;
    if (d == Device::cuda) out.insert(out.end(), op.gpu_peers.begin(), op.gpu_peers.end());
    return out;
}

bool wants_cpu(const Filters& f) { return f.backend == "all" || f.backend == "cpu"; }
bool version_selected(const Filters& f, const std::string& name) { return f.version.empty() || f.version == name; }

std::string err_text(double x) { return std::isinf(x) ? "inf" : fmt::format("{:.2e}", x); }

int list_ops() {
    for (const auto& op : registry().ops()) {
        fmt::print("{:<4} {:<14} {}\n", op.chapter, op.name, op.summary);
        fmt::print("       cpu  {:<8} {}\n", op.reference.name, op.reference.note);
        for (const auto& p : op.cpu_peers) fmt::print("       cpu  {:<8} {}\n", p.name, p.note);
        for (const auto& v : op.versions) fmt::print("       gpu  {:<8} {}\n", v.name, v.note);
    }
    return 0;
}

// ---- grad ----
// One row per backward op: the worst relative error over its gradient cases (one seed), and
// where it was. A failing row gives the element, the analytic and the numeric value.
int grad(const Filters& f) {
    const std::uint64_t seed = f.seed ? f.seed : 1;
    fmt::print("Every backward op's CPU reference against central finite differences of its forward, in double\n"
               "(kernels/gradcheck.cpp derives what error each side allows). Seed {}.\n\n", seed);
    fmt::print("{:<22} {:<16} {:>8} {:>12} {:>9} {:>6}  {}\n", "op", "differentiates", "elements", "max rel err",
               "err/allow", "status", "worst at");
    int failures = 0, rows = 0;
    for (const OpSpec* op : selected_ops(f)) {
        if (!op->differentiates) continue;
        ++rows;
        GradResult worst;
        std::size_t checked = 0;
        double max_rel = 0, max_ratio = 0;
        std::string where, worst_case;
        for (const Case& c : op->differentiates->cases) {
            const GradResult r = check_gradient(*op, c, seed);
            checked += r.checked;
            max_rel = std::max(max_rel, r.max_rel);
            if (r.worst_ratio >= max_ratio) {
                max_ratio = r.worst_ratio;
                where = c.str() + ": " + r.worst;
            }
            if (!r.ok && worst.ok) {
                worst = r;
                worst.failure = c.str() + ": " + r.failure;
            }
        }
        fmt::print("{:<22} {:<16} {:>8} {:>12} {:>9.2g} {:>6}  {}\n", op->name, op->differentiates->forward, checked,
                   err_text(max_rel), max_ratio, worst.ok ? "ok" : "FAIL", where);
        if (!worst.ok) {
            ++failures;
            fmt::print("    {}\n", worst.failure);
        }
    }
    if (rows == 0) fmt::print("(no backward op among the selected ops)\n");
    fmt::print("\n{}\n", failures ? fmt::format("{} backward op(s) disagree with finite differences.", failures)
                                    : std::string("Every backward op agrees with finite differences of its forward."));
    return failures ? 1 : 0;
}

// ---- compare ----
int compare(const Filters& f) {
    const std::uint64_t seed = f.seed ? f.seed : std::random_device{}();
    fmt::print("Every implementation against the CPU reference, on fresh random inputs (seed {}; rerun with --seed {}).\n",
               seed, seed);
    fmt::print("Errors are the largest over all test cases; times are for the largest case.\n");
    if (!cuda_available()) fmt::print("cuda: {}\n", cuda_unavailable_reason());
    fmt::print("\n{:<12} {:<8} {:<7} {:>12} {:>12} {:>6}  {:>10} {:>10}  {}\n", "op", "impl", "backend", "max abs err",
               "max rel err", "status", "ref ms", "impl ms", "largest case");
    int failures = 0;
    for (const OpSpec* op : selected_ops(f)) {
        const Case& big = op->test_cases.back();
        const Problem host = make_problem(*op, big, seed);
        const Timing ref_t = time_runs(Device::cpu, [&] { Problem p = run_reference(*op, host); }, 3, 0.05);
        auto row = [&](const std::string& impl, Device d, const std::function<CheckResult(const Case&)>& check,
                       const std::function<double()>& time_ms) {
            CheckResult worst;
            double max_abs = 0, max_rel = 0;
            for (const Case& c : op->test_cases) {
                CheckResult r = check(c);
                max_abs = std::max(max_abs, r.max_abs);
                max_rel = std::max(max_rel, r.max_rel);
                if (!r.ok && worst.ok) {
                    worst = r;
                    worst.failure = c.str() + ": " + r.failure;
                }
            }
            const double ms = worst.ok ? time_ms() : 0;
            fmt::print("{:<12} {:<8} {:<7} {:>12} {:>12} {:>6}  {:>10.3f} {:>10}  {}\n", op->name, impl, device_name(d),
                       err_text(max_abs), err_text(max_rel), worst.ok ? "ok" : "FAIL", ref_t.min_ms,
                       worst.ok ? fmt::format("{:.3f}", ms) : "-", big.str());
            if (!worst.ok) {
                ++failures;
                fmt::print("    {}\n", worst.failure);
            }
        };
        if (wants_cpu(f)) {
            for (const auto& peer : op->cpu_peers) {
                if (!version_selected(f, peer.name)) continue;
                row(peer.name, Device::cpu, [&](const Case& c) { return check_cpu(*op, peer, c, seed); }, [&] {
                    Problem p = upload_problem(host, Device::cpu);
                    return time_runs(Device::cpu, [&] { peer.run(p); }, 3, 0.05).min_ms;
                });
            }
        }
        for (Device d : gpu_backends(f, true)) {
            for (const auto& v : gpu_impls(*op, d)) {
                if (!version_selected(f, v.name)) continue;
                row(v.name, d, [&](const Case& c) { return check_gpu(*op, v, d, c, seed); }, [&] {
                    Problem p = upload_problem(host, d);
                    return time_runs(d, [&] { v.run(d, p); }, 3, 0.05).min_ms;
                });
            }
        }
    }
    fmt::print("\n{}\n", failures ? fmt::format("{} implementation(s) disagree with the reference.", failures)
                                  : std::string("Every implementation agrees with the CPU reference."));
    if (f.grad) {
        fmt::print("\n");
        failures += grad(f);
    }
    return failures ? 1 : 0;
}

// ---- bench ----
struct BenchRow {
    std::string op, impl, backend, case_text;
    Timing t;
    double flops = 0, bytes = 0;
    bool ok = true;
};

constexpr double kSimtMaxWork = 5e7;

int bench(const Filters& f) {
    const std::uint64_t seed = f.seed ? f.seed : 1;
    std::optional<CsvWriter> csv;
    if (!f.csv.empty()) {
        std::filesystem::create_directories(std::filesystem::path(f.csv).parent_path().empty()
                                                ? std::filesystem::path(".")
                                                : std::filesystem::path(f.csv).parent_path());
        csv.emplace(f.csv, std::vector<std::string>{"op", "case", "impl", "backend", "min_ms", "median_ms", "repeats",
                                                    "gflops", "gbs", "ok"});
    }
    fmt::print("Min and median of >= {} timed runs after a warm-up; every implementation is checked against the\n"
               "reference on the same inputs before it is timed. OPENBLAS_NUM_THREADS={}.\n",
               f.repeats, std::getenv("OPENBLAS_NUM_THREADS") ? std::getenv("OPENBLAS_NUM_THREADS") : "(unset)");
    fmt::print("  {:<5} {}\n", "blas", blas_info().summary());   // the CPU peer's library, kernels and threads
    for (Device d : available_devices()) fmt::print("  {:<5} {}\n", device_name(d), device_description(d));
    const std::vector<Device> gpus = gpu_backends(f, false);
    int failures = 0;
    for (const OpSpec* op : selected_ops(f)) {
        std::vector<Case> cases = op->bench_cases.empty() ? std::vector<Case>{op->test_cases.back()} : op->bench_cases;
        if (f.quick) cases.resize(1);
        fmt::print("\n{} ({}): {}\n", op->name, op->chapter, op->summary);
        fmt::print("{:<26} {:<8} {:<7} {:>10} {:>10} {:>9} {:>9} {:>8}\n", "case", "impl", "backend", "min ms", "median ms",
                   op->flops ? "GFLOP/s" : "", op->bytes ? "GB/s" : "", "vs ref");
        for (const Case& c : cases) {
            const Problem host = make_problem(*op, c, seed);
            const Problem expected = run_reference(*op, host);
            double ref_ms = 0;
            auto report = [&](const std::string& impl, Device d, const Timing& t, bool ok) {
                const double fl = op->flops ? op->flops(c) : 0, by = op->bytes ? op->bytes(c) : 0;
                if (!ok) {
                    ++failures;
                    fmt::print("{:<26} {:<8} {:<7} {:>10}  WRONG RESULT (not timed)\n", c.str(), impl, device_name(d), "-");
                    if (csv) csv->row(op->name, c.str(), impl, device_name(d), 0, 0, 0, 0, 0, 0);
                    return;
                }
                if (impl == op->reference.name && d == Device::cpu) ref_ms = t.min_ms;
                fmt::print("{:<26} {:<8} {:<7} {:>10.3f} {:>10.3f} {:>9} {:>9} {:>8}\n", c.str(), impl, device_name(d),
                           t.min_ms, t.median_ms, fl ? fmt::format("{:.1f}", fl / t.min_ms / 1e6) : "",
                           by ? fmt::format("{:.1f}", by / t.min_ms / 1e6) : "",
                           ref_ms > 0 ? fmt::format("{:.2f}x", ref_ms / t.min_ms) : "");
                if (csv)
                    csv->row(op->name, c.str(), impl, device_name(d), t.min_ms, t.median_ms, t.repeats,
                             fl ? fl / t.min_ms / 1e6 : 0.0, by ? by / t.min_ms / 1e6 : 0.0, 1);
            };
            auto run_checked = [&](const std::string& impl, Device d, const std::function<void(Problem&)>& run) {
                const Measured m = measure(*op, host, expected, d, run, f.repeats, 0.2);
                if (!m.check.ok) fmt::print("    {} on {}: {}\n", impl, device_name(d), m.check.failure);
                report(impl, d, m.timing, m.check.ok);
            };
            // The reference is always timed: every other row is compared with it.
            run_checked(op->reference.name, Device::cpu, op->reference.run);
            if (wants_cpu(f)) {
                for (const auto& peer : op->cpu_peers)
                    if (version_selected(f, peer.name)) run_checked(peer.name, Device::cpu, peer.run);
            }
            for (Device d : gpus) {
                // The emulator runs every CUDA thread as a fiber on 2 cores: cap its work.
                const double work = op->flops ? op->flops(c) : (op->bytes ? op->bytes(c) : 0);
                if (d == Device::simt && work > kSimtMaxWork) {
                    fmt::print("{:<26} {:<8} {:<7} skipped: too large for the emulator (--backend simt times sizes up to "
                               "{:.0e} flops or bytes)\n", c.str(), "v*", "simt", kSimtMaxWork);
                    continue;
                }
                for (const auto& v : gpu_impls(*op, d))
                    if (version_selected(f, v.name)) run_checked(v.name, d, [&](Problem& p) { v.run(d, p); });
                if (d == Device::cuda && op->bytes) {
                    // The bandwidth ceiling for a memory-bound op: a device-to-device copy
                    // that reads and writes the same number of bytes the op moves.
                    const auto half = static_cast<std::size_t>(op->bytes(c) / 2);
                    void* src = device_malloc(d, half);
                    void* dst = device_malloc(d, half);
                    report("d2d-copy", d, time_runs(d, [&] { copy_on_device(d, dst, src, half); }, f.repeats, 0.2), true);
                    device_free(d, src);
                    device_free(d, dst);
                }
            }
        }
    }
    if (csv) fmt::print("\nwrote {}\n", f.csv);
    return failures ? 1 : 0;
}

}  // namespace
}  // namespace ladder

int main(int argc, char** argv) {
    using namespace ladder;
    CLI::App app{"ladder-ops: list, compare and benchmark the registered kernels"};
    app.require_subcommand(1);
    Filters f;
    auto add_filters = [&](CLI::App* sub) {
        sub->add_option("--chapter", f.chapter, "only the ops a chapter introduced (ch01, ch02, ...)");
        sub->add_option("--op", f.op, "only this op (e.g. matmul)");
        sub->add_option("--version", f.version, "only this implementation (v2, loops, ...)");
        sub->add_option("--backend", f.backend, "cpu, simt, cuda or all")
            ->check(CLI::IsMember({"cpu", "simt", "cuda", "all"}))
            ->capture_default_str();
        sub->add_option("--seed", f.seed, "input seed (compare: 0 = fresh random; bench: default 1)");
        sub->add_option("--schedule", f.schedule, "simt thread order between barriers: forward, reverse, random");
    };
    auto* list = app.add_subcommand("list", "every op, its chapter and its implementations");
    auto* cmp = app.add_subcommand("compare", "every implementation vs the CPU reference: errors and times");
    add_filters(cmp);
    cmp->add_flag("--grad", f.grad, "also check every backward op against finite differences of its forward");
    auto* gr = app.add_subcommand("grad", "every backward op vs finite differences of its forward (double)");
    gr->add_option("--chapter", f.chapter, "only the ops a chapter introduced (ch01, ch02, ...)");
    gr->add_option("--op", f.op, "only this op (e.g. softmax_xent_backward)");
    gr->add_option("--seed", f.seed, "input seed (default 1)");
    auto* bn = app.add_subcommand("bench", "timings beside the peers (OpenBLAS, naive loops, d2d copy)");
    add_filters(bn);
    bn->add_option("--csv", f.csv, "also write the rows to this CSV file");
    bn->add_option("--repeats", f.repeats, "timed runs per implementation (at least)")->capture_default_str();
    bn->add_flag("--quick", f.quick, "only the first benchmark size of each op");
    if (auto code = parse_args(app, argc, argv)) return *code;
    return guarded_main([&] {
        if (!f.schedule.empty()) {
            auto o = simt::options();
            o.schedule = simt::parse_schedule(f.schedule);
            simt::set_options(o);
        }
        if (*list) return list_ops();
        if (*cmp) return compare(f);
        if (*gr) return grad(f);
        return bench(f);
    });
}
