// ch01.cpp: chapter 1's program. Multiplies square matrices of several sizes with every
// implementation on every available backend (CPU: OpenBLAS and the naive loops; the SIMT
// emulator and a real GPU: CUDA v1..v4, and cuBLAS on the GPU), checks each against the reference, prints the
// error and GFLOP/s, and writes runs/ch01/summary.json and runs/ch01/matmul.csv.
#include <iostream>

#include "core/cli.hpp"
#include "kernels/harness.hpp"

namespace ladder {
namespace {

struct Row {
    std::string backend, impl;
    std::size_t size = 0;
    double max_abs_err = 0, max_rel_err = 0, ms = 0, gflops = 0;
    bool ok = true;
};

// The emulator runs each CUDA thread as a fiber: fine for learning, far from a GPU's
// speed. Past these sizes it would take minutes, so the program stops there.
constexpr std::size_t kMaxLoops = 512, kMaxSimt = 256;

std::vector<Row> run_matmul(const std::vector<std::size_t>& sizes, const std::vector<Device>& devices, std::uint64_t seed,
                            CsvWriter& csv) {
    const OpSpec& op = registry().get("matmul");
    std::vector<Row> rows;
    fmt::print("{:>6}  {:<7} {:<7} {:>12} {:>10} {:>10}\n", "size", "backend", "impl", "max abs err", "ms", "GFLOP/s");
    for (std::size_t n : sizes) {
        const Case c{{{"M", n}, {"N", n}, {"K", n}}};
        const Problem host = make_problem(op, c, seed);
        const Problem expected = run_reference(op, host);
        const double flops = op.flops(c);
        auto record = [&](const std::string& backend, const std::string& impl, const Measured& m) {
            Row r{backend, impl, n, m.check.max_abs, m.check.max_rel, m.timing.min_ms, 0, m.check.ok};
            if (r.ok) r.gflops = flops / r.ms / 1e6;
            fmt::print("{:>6}  {:<7} {:<7} {:>12.2e} {:>10.3f} {:>10.1f}{}\n", n, backend, impl, r.max_abs_err, r.ms,
                       r.gflops, r.ok ? "" : "  WRONG: " + m.check.failure);
            csv.row(n, backend, impl, r.max_abs_err, r.ms, r.gflops, r.ok ? 1 : 0);
            rows.push_back(r);
        };
        for (Device d : devices) {
            if (d == Device::cpu) {
                record("cpu", "blas", measure(op, host, expected, d, op.reference.run, 3, 0.1));
                for (const auto& peer : op.cpu_peers)
                    if (peer.name == "loops" && n <= kMaxLoops)
                        record("cpu", "loops", measure(op, host, expected, d, peer.run, 1, 0));
                continue;
            }
            if (d == Device::simt && n > kMaxSimt) continue;
            std::vector<GpuVersion> impls = op.versions;   // on a real GPU, cuBLAS too
            if (d == Device::cuda) impls.insert(impls.end(), op.gpu_peers.begin(), op.gpu_peers.end());
            for (const auto& v : impls) {
                const int repeats = d == Device::simt ? 1 : 5;
                record(device_name(d), v.name,
                       measure(op, host, expected, d, [&](Problem& p) { v.run(d, p); }, repeats, d == Device::simt ? 0 : 0.1));
            }
        }
    }
    return rows;
}

int run(const CommonOptions& opts) {
    const RunDir out(opts.out_dir);
    // Chapter 1 compares every backend; --backend cuda insists that a GPU is present.
    std::vector<Device> devices{Device::cpu, Device::simt};
    if (opts.backend == "cuda") require_device(Device::cuda);
    if (cuda_available()) devices.push_back(Device::cuda);

    fmt::print("Chapter 1: a matrix multiplication, three ways.\n\n");
    for (Device d : devices) fmt::print("  {:<5} {}\n", device_name(d), device_description(d));
    if (!cuda_available()) fmt::print("  cuda  not here: {}\n", cuda_unavailable_reason());
    fmt::print("\nC = A B for square matrices of n x n floats (2 n^3 floating-point operations),\n"
               "each implementation checked against OpenBLAS before it is timed.\n\n");

    const std::vector<std::size_t> sizes = opts.quick ? std::vector<std::size_t>{64, 128}
                                                      : std::vector<std::size_t>{64, 128, 256, 512, 1024};
    CsvWriter csv = out.csv("matmul.csv", {"size", "backend", "impl", "max_abs_err", "ms", "gflops", "ok"});
    const std::vector<Row> rows = run_matmul(sizes, devices, opts.seed, csv);

    auto find = [&](const std::string& backend, const std::string& impl, std::size_t n) -> const Row* {
        for (const Row& r : rows)
            if (r.backend == backend && r.impl == impl && r.size == n) return &r;
        return nullptr;
    };
    const std::size_t n_loops = std::min(sizes.back(), kMaxLoops);
    const Row* blas = find("cpu", "blas", n_loops);
    const Row* loops = find("cpu", "loops", n_loops);
    fmt::print("\nWhat you just saw:\n");
    if (blas && loops && loops->ok)
        fmt::print("  - At n = {}, OpenBLAS is {:.0f}x faster than the textbook triple loop: the same arithmetic,\n"
                   "    but blocked for the caches and vectorised. Memory traffic, not arithmetic, sets the pace.\n",
                   n_loops, loops->ms / blas->ms);
    fmt::print("  - Every GPU version gives the same answer to within a bound the arithmetic allows\n"
               "    (sums of n products in a different order): the max abs error column.\n");
    const std::size_t n_simt = std::min(sizes.back(), kMaxSimt);
    if (const Row *v1 = find("simt", "v1", n_simt), *v4 = find("simt", "v4", n_simt); v1 && v4)
        fmt::print("  - On the emulator (simt), each CUDA thread runs as a fiber on your CPU ({:.0f} ms for v1, {:.0f} ms\n"
                   "    for v4 at n = {}): no measure of GPU speed, but the exact kernel source a GPU runs, barriers\n"
                   "    included, checked element by element.\n",
                   v1->ms, v4->ms, n_simt);
    if (cuda_available()) {
        const Row* g1 = find("cuda", "v1", sizes.back());
        const Row* g4 = find("cuda", "v4", sizes.back());
        const Row* lib = find("cuda", "cublas", sizes.back());
        if (g1 && g4 && lib)
            fmt::print("  - On the GPU at n = {}: v1 {:.0f} GFLOP/s, v4 {:.0f} GFLOP/s, cuBLAS {:.0f} GFLOP/s. Reusing each\n"
                       "    load from shared memory and registers is what turns a GPU's bandwidth into arithmetic.\n",
                       sizes.back(), g1->gflops, g4->gflops, lib->gflops);
    } else {
        fmt::print("  - No GPU here: `./ladder compare ch01` and the tests still run every CUDA kernel on the emulator.\n");
    }

    nlohmann::json summary;
    summary["chapter"] = "ch01";
    summary["seed"] = opts.seed;
    summary["sizes"] = sizes;
    summary["devices"] = nlohmann::json::array();
    for (Device d : devices) summary["devices"].push_back({{"name", device_name(d)}, {"description", device_description(d)}});
    bool all_ok = true;
    for (const Row& r : rows) {
        summary["matmul"].push_back({{"backend", r.backend}, {"impl", r.impl}, {"size", r.size}, {"max_abs_err", r.max_abs_err},
                                     {"max_rel_err", r.max_rel_err}, {"ms", r.ms}, {"gflops", r.gflops}, {"ok", r.ok}});
        all_ok = all_ok && r.ok;
    }
    summary["all_correct"] = all_ok;
    out.write_summary(summary);
    fmt::print("\nWrote {} and {}.\n", out.file("summary.json").string(), out.file("matmul.csv").string());
    return all_ok ? 0 : 1;
}

}  // namespace
}  // namespace ladder

int main(int argc, char** argv) {
    CLI::App app{"Chapter 1: matrix multiplication on the CPU, the SIMT emulator and the GPU"};
    ladder::CommonOptions opts;
    ladder::add_common_options(app, opts, "runs/ch01");
    if (auto code = ladder::parse_args(app, argc, argv)) return *code;
    return ladder::guarded_main([&] { return ladder::run(opts); });
}
