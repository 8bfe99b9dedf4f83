// error.cpp: ladder::Error formatting ("file:line: message").
#include "core/error.hpp"

#include <string_view>

namespace ladder {

namespace {
// Paths are printed relative to the repository: "/home/me/llm-ladder/core/x.cpp" -> "core/x.cpp".
std::string short_path(const char* file) {
    std::string_view path(file), root(LADDER_SOURCE_DIR);
    if (path.starts_with(root)) path.remove_prefix(root.size());
    return std::string(path);
}
}  // namespace

Error::Error(const char* file, int line, const std::string& message)
    : std::runtime_error(short_path(file) + ":" + std::to_string(line) + ": " + message),
      message_(message), file_(file), line_(line) {}

void throw_error(const char* file, int line, const std::string& message) {
    throw Error(file, line, message);
}

}  // namespace ladder
