// compression_table.cpp: the external compressors and the table (compression_table.hpp).
#include "chapters/ch08_pretraining/compression_table.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <memory>

#include <fmt/format.h>

#include "core/error.hpp"
#include "core/fileio.hpp"

namespace ladder::ch08 {

namespace fs = std::filesystem;

namespace {

// The first line a shell command prints ("" when it prints nothing).
std::string first_line(const std::string& cmd) {
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(cmd.c_str(), "r"), ::pclose);
    LADDER_CHECK(pipe, "cannot run {}", cmd);
    std::array<char, 512> buf{};
    std::string line = std::fgets(buf.data(), buf.size(), pipe.get()) ? buf.data() : "";
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    return line;
}

}  // namespace

// [book:external-compressors]
std::vector<CompressorRow> external_compressors(std::string_view text, const fs::path& dir) {
    struct Program {
        const char *name, *args, *package;
    };
    const Program programs[] = {{"gzip", "-9", "gzip"}, {"xz", "-9", "xz-utils"}, {"zstd", "-19", "zstd"}};
    const fs::path file = dir / "compress_input.tmp";
    write_file_atomic(file, std::string(text));
    std::vector<CompressorRow> rows;
    for (const Program& p : programs) {
        CompressorRow r{fmt::format("{} {}", p.name, p.args), std::nan(""), ""};
        if (first_line(fmt::format("command -v {} 2>/dev/null", p.name)).empty()) {
            r.how = fmt::format("not installed (Debian package {})", p.package);
        } else {
            // -c: to stdout, counted by wc; -q/quiet keeps their chatter off ours.
            const std::string bytes = first_line(fmt::format("{} {} -c -q < '{}' | wc -c", p.name, p.args, file.string()));
            r.bits_per_byte = 8.0 * std::stod(bytes) / static_cast<double>(std::max<std::size_t>(1, text.size()));
            r.how = first_line(fmt::format("{} --version 2>&1", p.name));
            r.how.erase(0, r.how.find_first_not_of("* "));   // zstd frames its banner in asterisks
            r.how.erase(r.how.find_last_not_of("* ") + 1);
        }
        rows.push_back(r);
    }
    fs::remove(file);
    return rows;
}
// [/book]

nlohmann::json print_compression_table(std::vector<CompressorRow> rows, std::size_t bytes, const RunDir& out) {
    std::stable_sort(rows.begin(), rows.end(), [](const CompressorRow& a, const CompressorRow& b) {
        return !std::isnan(a.bits_per_byte) && (std::isnan(b.bits_per_byte) || a.bits_per_byte < b.bits_per_byte);
    });
    fmt::print("Compressing the {} bytes of validation text (bits per byte, lower is better):\n", bytes);
    auto csv = out.csv("compression.csv", {"compressor", "bits_per_byte", "how"});
    nlohmann::json j = nlohmann::json::array();
    for (const CompressorRow& r : rows) {
        fmt::print("  {:<36} {:>7.4f}   {}\n", r.name, r.bits_per_byte, r.how);
        csv.row(r.name, r.bits_per_byte, r.how);
        j.push_back({{"compressor", r.name},
                     {"bits_per_byte", std::isnan(r.bits_per_byte) ? nlohmann::json() : nlohmann::json(r.bits_per_byte)},
                     {"how", r.how}});
    }
    fmt::print("\n");
    return j;
}

std::string utf8_prefix(std::string_view text, std::size_t n) {
    if (n >= text.size()) return std::string(text);
    // Back off over continuation bytes (10xxxxxx) to the start of the character that n cuts.
    while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;
    return std::string(text.substr(0, n));
}

}  // namespace ladder::ch08
