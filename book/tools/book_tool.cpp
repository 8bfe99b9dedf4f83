// book_tool.cpp: builds the book's markdown from tested sources. A line
//   <!-- include: kernels/matmul/matmul.cu#matmul-v1 -->
// becomes a fenced code block holding the lines between `// [book:matmul-v1]` and
// `// [/book]` in that file, so the book never shows code that is not compiled and tested.
//   book-tool expand <repo> <in.md> <out.md>   write the expanded chapter
//   book-tool check <repo> <chapter.md>...     every include resolves; every marker closes
// Introduced in ch01.
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "core/cli.hpp"
#include "core/fileio.hpp"

namespace fs = std::filesystem;

namespace ladder {
namespace {

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

std::string language_of(const fs::path& p) {
    const std::string ext = p.extension().string();
    if (ext == ".cu" || ext == ".cuh") return "cuda";
    if (ext == ".cpp" || ext == ".hpp" || ext == ".h") return "cpp";
    if (ext == ".cmake" || p.filename() == "CMakeLists.txt") return "cmake";
    if (ext == ".sh" || p.filename() == "ladder") return "bash";
    return "";
}

// Every marked region of a source file, by name; throws on unclosed or nested markers.
std::map<std::string, std::vector<std::string>> regions(const fs::path& file) {
    static const std::regex open(R"(^\s*(//|#)\s*\[book:([A-Za-z0-9_.-]+)\]\s*$)");
    static const std::regex close(R"(^\s*(//|#)\s*\[/book\]\s*$)");
    std::map<std::string, std::vector<std::string>> out;
    std::string current;
    std::size_t opened_at = 0;
    const auto lines = lines_of(read_file(file));
    for (std::size_t i = 0; i < lines.size(); ++i) {
        std::smatch m;
        if (std::regex_match(lines[i], m, open)) {
            LADDER_CHECK(current.empty(), "{}:{}: marker [book:{}] opens inside [book:{}] (line {})", file.string(), i + 1,
                         m[2].str(), current, opened_at);
            current = m[2];
            opened_at = i + 1;
            LADDER_CHECK(!out.contains(current), "{}:{}: marker [book:{}] appears twice", file.string(), i + 1, current);
            out[current];
        } else if (std::regex_match(lines[i], close)) {
            LADDER_CHECK(!current.empty(), "{}:{}: [/book] without an open marker", file.string(), i + 1);
            current.clear();
        } else if (!current.empty()) {
            out[current].push_back(lines[i]);
        }
    }
    LADDER_CHECK(current.empty(), "{}:{}: marker [book:{}] is never closed", file.string(), opened_at, current);
    return out;
}

// Removes the indentation common to every non-blank line.
std::vector<std::string> dedent(std::vector<std::string> lines) {
    std::size_t common = std::string::npos;
    for (const auto& l : lines)
        if (l.find_first_not_of(" \t") != std::string::npos) common = std::min(common, l.find_first_not_of(" \t"));
    if (common == std::string::npos) return lines;
    for (auto& l : lines) l = l.size() >= common ? l.substr(common) : "";
    return lines;
}

std::string expand(const fs::path& repo, const fs::path& chapter) {
    static const std::regex include(R"(^\s*<!--\s*include:\s*([^#\s]+)#([A-Za-z0-9_.-]+)\s*-->\s*$)");
    std::string out;
    const auto lines = lines_of(read_file(chapter));
    for (std::size_t i = 0; i < lines.size(); ++i) {
        std::smatch m;
        if (!std::regex_match(lines[i], m, include)) {
            out += lines[i] + "\n";
            continue;
        }
        const fs::path src = repo / m[1].str();
        LADDER_CHECK(fs::exists(src), "{}:{}: included file {} does not exist", chapter.string(), i + 1, m[1].str());
        const auto regs = regions(src);
        const auto it = regs.find(m[2].str());
        LADDER_CHECK(it != regs.end(), "{}:{}: no marker [book:{}] in {}", chapter.string(), i + 1, m[2].str(), m[1].str());
        LADDER_CHECK(!it->second.empty(), "{}:{}: marker [book:{}] in {} is empty", chapter.string(), i + 1, m[2].str(),
                     m[1].str());
        out += "```" + language_of(src) + "\n";
        for (const auto& l : dedent(it->second)) out += l + "\n";
        out += "```\n";
        out += fmt::format("<div class=\"source\">{}</div>\n", m[1].str());
    }
    return out;
}

int usage() {
    std::cerr << "usage: book-tool expand <repo> <in.md> <out.md>\n       book-tool check <repo> <chapter.md>...\n";
    return 2;
}

}  // namespace
}  // namespace ladder

int main(int argc, char** argv) {
    using namespace ladder;
    const std::vector<std::string> args(argv + 1, argv + argc);
    if (args.size() < 3) return usage();
    return guarded_main([&] {
        const fs::path repo = args[1];
        if (args[0] == "expand" && args.size() == 4) {
            write_file_atomic(args[3], expand(repo, args[2]));
            return 0;
        }
        if (args[0] == "check") {
            // Every marker in the sources is well formed, whether a chapter uses it or not.
            int files = 0;
            for (const char* dir : {"core", "kernels", "chapters", "exercises"}) {
                if (!fs::exists(repo / dir)) continue;
                for (const auto& e : fs::recursive_directory_iterator(repo / dir)) {
                    if (!e.is_regular_file() || language_of(e.path()).empty()) continue;
                    if (read_file(e.path()).find("[book:") == std::string::npos) continue;
                    regions(e.path());
                    ++files;
                }
            }
            int includes = 0;
            for (std::size_t i = 2; i < args.size(); ++i) {
                const std::string text = expand(repo, args[i]);
                for (std::size_t at = 0; (at = text.find("<div class=\"source\">", at)) != std::string::npos; ++at)
                    ++includes;
            }
            fmt::print("book: {} chapter file(s), {} code excerpt(s) resolved; markers well formed in {} source file(s)\n",
                       args.size() - 2, includes, files);
            return 0;
        }
        return usage();
    });
}
