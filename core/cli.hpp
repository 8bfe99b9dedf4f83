// cli.hpp: what every chapter program shares: common options (backend, seed, output
// directory, threads), a main() wrapper that turns errors into clear messages and exit
// codes, a progress display, a timer and the runs/chNN/ output files. Introduced in ch01.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "core/blas_info.hpp"   // blas_info(), for benchmark headers
#include "core/device.hpp"
#include "core/error.hpp"

namespace ladder {

// ---- options ----
struct CommonOptions {
    std::string backend = "cpu";    // cpu | simt | cuda
    std::uint64_t seed = 42;
    std::string out_dir;            // runs/chNN by default
    unsigned threads = 0;           // 0: every core
    bool quick = false;             // small sizes, for tests and a fast look
};

// Adds --backend, --seed, --out, --threads and --quick to a chapter program.
void add_common_options(CLI::App& app, CommonOptions& opts, const std::string& default_out);

// Runs `body` and returns the process exit code: 0, or 1 after printing
// "error: <what went wrong>" for a ladder::Error (and 2 for an unwritten exercise).
// Nothing in the project calls exit(); errors travel as exceptions up to here.
// First it warns (once, on stderr) when OpenBLAS runs slow fallback kernels on this CPU
// (warn_if_blas_fallback, core/blas_info.hpp).
int guarded_main(const std::function<int()>& body);

// Parses argv with CLI11; on --help or a bad option prints and returns the exit code.
std::optional<int> parse_args(CLI::App& app, int argc, char** argv);

// ---- timing ----
class Timer {
public:
    Timer() : start_(std::chrono::steady_clock::now()) {}
    void reset() { start_ = std::chrono::steady_clock::now(); }
    double seconds() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count(); }
    double ms() const { return seconds() * 1e3; }

private:
    std::chrono::steady_clock::time_point start_;
};

std::string format_duration(double seconds);              // "1:02:03", "2:05", "0:07"
std::string format_count(double x);                       // 1234 -> "1.23k", 5.6e6 -> "5.60M"

// ---- progress ----
// One line per long task: "train  1.2k/10k  12% | 5.4k words/s | loss 2.3450 | lr 0.02500 | ETA 0:12".
// On a terminal the line is redrawn in place (at most 10 times a second); when stdout
// is a file or a pipe, a plain line is printed about every 10% so logs stay readable.
// After the rate come the task's own figures, named and in the order given:
//   Progress p("train", total_words, "words");
//   p.update(done, {{"loss", 2.345}, {"lr", 0.025, 5}});   // "... | loss 2.3450 | lr 0.02500 | ETA ..."
//   p.finish({{"loss", final_loss}});                      // "... | loss 2.1000 | 0:42 total"
class Progress {
public:
    struct Field {
        std::string name;       // shown before the value: "loss", "lr", "val acc"
        double value = 0;
        int decimals = 4;       // digits after the point
    };
    using Fields = std::vector<Field>;

    Progress(std::string label, double total, std::string unit = "steps");
    // `done` is in units (steps, words, merges).
    void update(double done, const Fields& fields = {});
    void finish(const Fields& fields = {});    // prints the final line with the total time
    double elapsed() const { return timer_.seconds(); }

private:
    std::string line(double done, const Fields& fields) const;
    std::string label_, unit_;
    double total_;
    Timer timer_;
    bool tty_;
    double last_print_ = -1;      // seconds
    int last_decile_ = -1;
    bool finished_ = false;
};

// ---- run outputs: runs/chNN/summary.json and CSV series ----
class CsvWriter {
public:
    CsvWriter(const std::filesystem::path& path, const std::vector<std::string>& header);
    template <class... Fields>
    void row(const Fields&... fields) {
        std::string line;
        ((line += (line.empty() ? "" : ",") + field(fields)), ...);
        out_ << line << '\n';
    }

private:
    static std::string field(const std::string& s);
    static std::string field(const char* s) { return field(std::string(s)); }
    template <class T>
    static std::string field(const T& x) { return fmt::format("{}", x); }
    std::ofstream out_;
};

class RunDir {
public:
    explicit RunDir(const std::filesystem::path& dir);    // creates it
    const std::filesystem::path& path() const { return dir_; }
    std::filesystem::path file(const std::string& name) const { return dir_ / name; }
    CsvWriter csv(const std::string& name, const std::vector<std::string>& header) const;
    // summary.json: the chapter's final figures, written atomically (temp + rename).
    void write_summary(const nlohmann::json& summary) const;

private:
    std::filesystem::path dir_;
};

// A file of the repository (data/samples/..., data/ch03_questions.txt): the working directory's
// copy when there is one (./ladder runs from the root), else the source tree this program was
// built from, so a chapter program finds its samples wherever it is started.
std::filesystem::path repo_path(const std::string& relative);

}  // namespace ladder
