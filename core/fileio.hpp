// fileio.hpp: whole-file reads and atomic writes (temp file + rename: a crash never
// leaves a half-written checkpoint or summary). Introduced in ch01.
#pragma once

#include <filesystem>
#include <functional>
#include <ostream>
#include <string>

namespace ladder {

// Reads a whole file as bytes; throws ladder::Error naming the file when it can't.
std::string read_file(const std::filesystem::path& path);

// Calls write(stream) on "<path>.tmp<pid>", checks the stream, then renames it to path.
void write_file_atomic(const std::filesystem::path& path, const std::function<void(std::ostream&)>& write);
void write_file_atomic(const std::filesystem::path& path, const std::string& text);

}  // namespace ladder
