// core/nn/leaderboard.cpp: the leaderboard's JSON file and its table. See leaderboard.hpp.
// Introduced in ch05.
#include "core/nn/leaderboard.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/cli.hpp"
#include "core/error.hpp"
#include "core/fileio.hpp"

namespace ladder {

namespace {

nlohmann::json to_json(const LeaderboardRow& r) {
    return {{"data", r.data},         {"chapter", r.chapter},         {"model", r.model},
            {"params", r.params},     {"val_loss", r.val_loss},       {"bits_per_byte", r.bits_per_byte},
            {"tokens_per_s", r.tokens_per_s}, {"backend", r.backend}};
}

}  // namespace

std::vector<LeaderboardRow> read_leaderboard(const std::filesystem::path& path) {
    std::vector<LeaderboardRow> rows;
    if (!std::filesystem::exists(path)) return rows;
    try {
        const nlohmann::json j = nlohmann::json::parse(read_file(path));
        for (const auto& r : j.at("rows"))
            rows.push_back({r.at("data").get<std::string>(), r.at("chapter").get<std::string>(),
                            r.at("model").get<std::string>(), r.at("params").get<std::size_t>(),
                            r.at("val_loss").get<double>(), r.at("bits_per_byte").get<double>(),
                            r.value("tokens_per_s", 0.0), r.value("backend", std::string())});
    } catch (const nlohmann::json::exception& e) {
        LADDER_THROW("{}: not a leaderboard ({}); remove it to start a new one", path.string(), e.what());
    }
    return rows;
}

std::vector<LeaderboardRow> update_leaderboard(const std::filesystem::path& path, const std::vector<LeaderboardRow>& add) {
    std::vector<LeaderboardRow> rows = read_leaderboard(path);
    for (const LeaderboardRow& a : add) {
        std::erase_if(rows, [&](const LeaderboardRow& r) {
            return r.data == a.data && r.chapter == a.chapter && r.model == a.model;
        });
        rows.push_back(a);
    }
    nlohmann::json j;
    j["rows"] = nlohmann::json::array();
    for (const auto& r : rows) j["rows"].push_back(to_json(r));
    if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
    write_file_atomic(path, j.dump(2) + "\n");
    return rows;
}

std::string format_leaderboard(const std::vector<LeaderboardRow>& all, const std::string& data) {
    std::vector<LeaderboardRow> rows;
    std::copy_if(all.begin(), all.end(), std::back_inserter(rows), [&](const auto& r) { return r.data == data; });
    std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
        return a.chapter != b.chapter ? a.chapter < b.chapter : a.val_loss > b.val_loss;
    });
    std::size_t w = 34;   // the model column: as wide as its longest name
    for (const auto& r : rows) w = std::max(w, r.model.size());
    std::string s = fmt::format("Leaderboard on {} (validation split)\n", data);
    s += fmt::format("  {:<8} {:<{}} {:>10} {:>10} {:>8} {:>12} {:>7}\n", "chapter", "model", w, "params", "val loss",
                     "bits/B", "train tok/s", "backend");
    for (const auto& r : rows)
        s += fmt::format("  {:<8} {:<{}} {:>10} {:>10.4f} {:>8.4f} {:>12} {:>7}\n", r.chapter, r.model, w,
                         format_count(static_cast<double>(r.params)), r.val_loss, r.bits_per_byte,
                         r.tokens_per_s > 0 ? format_count(r.tokens_per_s) : "-", r.backend);
    return s;
}

std::filesystem::path record_leaderboard(const std::vector<LeaderboardRow>& rows, const std::string& flag, bool quick,
                                         const std::filesystem::path& run_dir, const std::string& data) {
    const std::filesystem::path board = !flag.empty() ? std::filesystem::path(flag)
                                        : quick       ? run_dir / "leaderboard.json"
                                                      : std::filesystem::path("runs/leaderboard.json");
    fmt::print("{}\n", format_leaderboard(update_leaderboard(board, rows), data));
    return board;
}

}  // namespace ladder
