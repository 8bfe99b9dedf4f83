// compression_table.hpp: chapter 8's table of compressors on the same bytes: the models' bits per
// byte (their cross-entropy) beside what gzip -9, xz -9 and zstd -19, real programs, make of the
// validation text.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/cli.hpp"

namespace ladder::ch08 {

struct CompressorRow {
    std::string name;
    double bits_per_byte = 0;   // NaN when the program is not installed
    std::string how;            // "cross-entropy", "gzip -9 (1.12.1)", "not installed: ..."
};

// gzip -9, xz -9 and zstd -19 on `text` (written to a temporary file in `dir`, removed after):
// 8 * compressed bytes / text bytes each. A program that is missing gives NaN and says which
// Debian package holds it.
std::vector<CompressorRow> external_compressors(std::string_view text, const std::filesystem::path& dir);

// Prints the rows, best first, writes compression.csv and returns them as JSON.
nlohmann::json print_compression_table(std::vector<CompressorRow> rows, std::size_t bytes, const RunDir& out);

// The longest prefix of at most n bytes that ends on a character boundary (valid UTF-8 in,
// valid UTF-8 out).
std::string utf8_prefix(std::string_view text, std::size_t n);

}  // namespace ladder::ch08
