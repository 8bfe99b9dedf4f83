// cli.cpp: common options, guarded_main, progress display and run-output files.
#include "core/cli.hpp"

#include "core/blas_info.hpp"
#include "core/fileio.hpp"

#include <cmath>
#include <cstdio>
#include <iostream>
#include <unistd.h>

namespace ladder {

void add_common_options(CLI::App& app, CommonOptions& opts, const std::string& default_out) {
    opts.out_dir = default_out;
    app.add_option("--backend", opts.backend, "where the kernels run: cpu, simt (CUDA emulator) or cuda")
        ->check(CLI::IsMember({"cpu", "simt", "cuda"}))
        ->capture_default_str();
    app.add_option("--seed", opts.seed, "random seed (runs are reproducible)")->capture_default_str();
    app.add_option("--out", opts.out_dir, "directory for summary.json, CSV series and checkpoints")
        ->capture_default_str();
    app.add_option("--threads", opts.threads, "CPU threads (0: every core)")->capture_default_str();
    app.add_flag("--quick", opts.quick, "small sizes: a fast look (used by the tests)");
}

std::optional<int> parse_args(CLI::App& app, int argc, char** argv) {
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    return std::nullopt;
}

int guarded_main(const std::function<int()>& body) {
    try {
        warn_if_blas_fallback();
        return body();
    } catch (const Error& e) {
        std::fflush(stdout);
        std::cerr << "error: " << e.what() << '\n';
        return 1;
    } catch (const NotImplemented& e) {
        std::fflush(stdout);
        std::cerr << "error: " << e.what() << " (write it in exercises/, then ./ladder exercise)\n";
        return 2;
    } catch (const std::exception& e) {
        std::fflush(stdout);
        std::cerr << "internal error: " << e.what() << '\n';
        return 1;
    }
}

std::string format_duration(double seconds) {
    if (!std::isfinite(seconds) || seconds < 0) return "?";
    auto s = static_cast<long long>(std::llround(seconds));
    if (s >= 3600) return fmt::format("{}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60);
    return fmt::format("{}:{:02}", s / 60, s % 60);
}

std::string format_count(double x) {
    const double a = std::fabs(x);
    if (a >= 1e9) return fmt::format("{:.2f}G", x / 1e9);
    if (a >= 1e6) return fmt::format("{:.2f}M", x / 1e6);
    if (a >= 1e3) return fmt::format("{:.2f}k", x / 1e3);
    if (a == std::floor(a)) return fmt::format("{:.0f}", x);
    return fmt::format("{:.3g}", x);
}

Progress::Progress(std::string label, double total, std::string unit)
    : label_(std::move(label)), unit_(std::move(unit)), total_(total), tty_(::isatty(STDOUT_FILENO) != 0) {}

std::string Progress::line(double done, const Fields& fields) const {
    const double t = timer_.seconds();
    const double rate = t > 0 ? done / t : 0;
    std::string s = fmt::format("{} {}/{}", label_, format_count(done), format_count(total_));
    if (total_ > 0) s += fmt::format(" {:3.0f}%", 100.0 * done / total_);
    s += fmt::format(" | {} {}/s", format_count(rate), unit_);
    for (const Field& f : fields) s += fmt::format(" | {} {:.{}f}", f.name, f.value, f.decimals);
    if (finished_) s += fmt::format(" | {} total", format_duration(t));
    else if (rate > 0 && total_ > 0) s += fmt::format(" | ETA {}", format_duration((total_ - done) / rate));
    return s;
}

void Progress::update(double done, const Fields& fields) {
    const double t = timer_.seconds();
    if (tty_) {
        if (t - last_print_ < 0.1) return;
        last_print_ = t;
        std::cout << '\r' << line(done, fields) << "\033[K" << std::flush;
    } else {
        const int decile = total_ > 0 ? static_cast<int>(10.0 * done / total_) : static_cast<int>(t / 5);
        if (decile == last_decile_) return;
        last_decile_ = decile;
        std::cout << line(done, fields) << '\n' << std::flush;
    }
}

void Progress::finish(const Fields& fields) {
    finished_ = true;
    std::cout << (tty_ ? "\r" : "") << line(total_, fields) << (tty_ ? "\033[K\n" : "\n") << std::flush;
}

CsvWriter::CsvWriter(const std::filesystem::path& path, const std::vector<std::string>& header)
    : out_(path, std::ios::trunc) {
    LADDER_CHECK(out_, "cannot write {}", path.string());
    std::string line;
    for (const auto& h : header) line += (line.empty() ? "" : ",") + field(h);
    out_ << line << '\n';
}

std::string CsvWriter::field(const std::string& s) {
    if (s.find_first_of(",\"\n") == std::string::npos) return s;
    std::string q = "\"";
    for (char c : s) q += (c == '"') ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
}

std::filesystem::path repo_path(const std::string& relative) {
    if (std::filesystem::exists(relative)) return relative;
    return std::filesystem::path(LADDER_SOURCE_DIR) / relative;
}

RunDir::RunDir(const std::filesystem::path& dir) : dir_(dir) {
    std::error_code ec;
    std::filesystem::create_directories(dir_, ec);
    LADDER_CHECK(!ec, "cannot create output directory {}: {}", dir_.string(), ec.message());
}

CsvWriter RunDir::csv(const std::string& name, const std::vector<std::string>& header) const {
    return CsvWriter(dir_ / name, header);
}

void RunDir::write_summary(const nlohmann::json& summary) const {
    write_file_atomic(dir_ / "summary.json", summary.dump(2) + "\n");
}

}  // namespace ladder
