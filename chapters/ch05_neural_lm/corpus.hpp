// corpus.hpp: the token files chapters 5-8 train on: a BPE vocabulary trained on the training
// part of a text (chapter 4's trainer), both parts encoded and written as token files
// (core/nn/token_file.hpp). Introduced in ch05; ch06 and ch07 read the same files.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "chapters/ch04_tokenization/tokenizer.hpp"

namespace ladder::ch05 {

// One directory: encoder.json + vocab.bpe (the tokenizer, GPT-2's formats), train.tok and
// val.tok (the two splits), manifest.json (where they came from and their sizes).
struct LmData {
    std::filesystem::path dir;
    std::string name;                   // "kjv-bpe2048": rows of the leaderboard compare only on the same data
    tok::BpeTokenizer tokenizer;
    std::vector<std::int32_t> train, val;
    std::size_t train_bytes = 0, val_bytes = 0;   // bytes of text each split decodes to (for bits per byte)
    std::size_t vocab() const { return tokenizer.vocab_size(); }
};

struct PrepareOptions {
    std::size_t vocab = 2048;           // bytes + merges + <|endoftext|>
    double val_fraction = 0.1;          // held out: every tenth block of 64 lines
    bool progress = true;
    std::size_t bpe_sample_bytes = 0;   // train the BPE on about this much of the training text (0: all of it)
};

// Builds `dir` from `text` when it does not hold the files yet (the text is cut into blocks of
// 64 lines and every 1/val_fraction-th block is held out; the tokenizer sees only the training
// part), then loads it. A vocabulary different from the one in `dir` is an error that says so.
LmData prepare_lm_data(const std::filesystem::path& text, const std::filesystem::path& dir, const std::string& name,
                       const PrepareOptions& opts);
// The same from a training and a validation text already split (chapter 8's corpus, whose
// recipe holds out whole documents): the BPE sees only the training text.
LmData prepare_split_lm_data(const std::filesystem::path& train_text, const std::filesystem::path& val_text,
                             const std::filesystem::path& dir, const std::string& name, const PrepareOptions& opts);
// Loads `dir`; a missing file is an error naming it and the command that makes it.
LmData load_lm_data(const std::filesystem::path& dir);

// The data of one chapter program's run, chosen the same way by chapters 5-8 from their flags:
// the text (default the KJV, or `sample_text` with --quick), the vocabulary (2048, 320 with
// --quick) and the directory (default data/cache/lm/kjv-bpe<V>, shared by the chapters; with
// --quick a folder of the run's own, so tests never touch the cache). A --data directory whose
// text is absent is loaded as it is.
struct LmDataFlags {
    std::string text, data_dir;   // "" for the defaults
    std::size_t vocab = 0;        // 0 for the default
    bool quick = false, progress = true;
};
LmData chapter_lm_data(const LmDataFlags& flags, const std::filesystem::path& sample_text,
                       const std::filesystem::path& run_dir);

// Token ids as text to print: invalid UTF-8 replaced, new lines shown as spaces.
std::string show_text(const tok::BpeTokenizer& tokenizer, std::span<const std::int32_t> ids);

}  // namespace ladder::ch05
