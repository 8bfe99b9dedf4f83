// core/nn/leaderboard.hpp: one table of validation loss, from the counting bigram (ch05) to the
// pre-trained GPT (ch08), on the same token files: each chapter's run adds or replaces its rows
// in one JSON file and prints the table so far. Introduced in ch05.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

namespace ladder {

struct LeaderboardRow {
    std::string data;          // the token files' name ("kjv-bpe2048"): only equal data compare
    std::string chapter;       // "ch05"
    std::string model;         // "mlp (n=8, E=64, H=512)"
    std::size_t params = 0;
    double val_loss = 0;       // nats per token on the validation split
    double bits_per_byte = 0;  // the same loss per byte of text: compares across vocabularies
    double tokens_per_s = 0;   // training speed (0 for a count model)
    std::string backend;       // where it trained
};

// Reads `path` (no file: an empty table; a corrupt one: an error naming it).
std::vector<LeaderboardRow> read_leaderboard(const std::filesystem::path& path);
// Replaces the rows with the same (data, chapter, model) and writes the file atomically.
std::vector<LeaderboardRow> update_leaderboard(const std::filesystem::path& path, const std::vector<LeaderboardRow>& rows);
// The rows on `data`, in chapter order then by falling loss, as a text table.
std::string format_leaderboard(const std::vector<LeaderboardRow>& rows, const std::string& data);

// What a chapter's run does with its rows: adds them to the table (the file `flag` names; without
// one, `run_dir`/leaderboard.json for a --quick run, so tests never touch the real table, else
// runs/leaderboard.json, which every chapter shares), prints the table on `data`, returns the path.
std::filesystem::path record_leaderboard(const std::vector<LeaderboardRow>& rows, const std::string& flag, bool quick,
                                         const std::filesystem::path& run_dir, const std::string& data);

}  // namespace ladder
