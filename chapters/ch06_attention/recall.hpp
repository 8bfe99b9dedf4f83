// recall.hpp: chapter 6's long-range recall task (associative recall). A row binds K keys to values:
// one token per (key, value) pair, each at its own place among filler tokens. The last position asks
// for one key; the answer (the row's last target) is its value, bound d positions back. An RNN must
// carry all K bindings in its one state vector while the rest of the row streams through it;
// attention looks back at the pair directly, whatever d. Introduced in ch06.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/backend.hpp"
#include "core/nn/train.hpp"
#include "core/rng.hpp"

namespace ladder::ch06 {

struct RecallTask {
    std::size_t fillers = 16;   // ids [0, fillers): the noise between the pairs
    std::size_t keys = 8;       // K keys, each bound to one of `values` values in every row
    std::size_t values = 8;
    std::size_t T = 64;         // the window: T input positions, T + 1 tokens per row
    // The ids after the fillers: one token per (key, value) pair, one query per key, one answer per value.
    std::int32_t pair(std::size_t k, std::size_t v) const { return static_cast<std::int32_t>(fillers + k * values + v); }
    std::int32_t query(std::size_t k) const { return static_cast<std::int32_t>(fillers + keys * values + k); }
    std::int32_t answer(std::size_t v) const { return static_cast<std::int32_t>(fillers + keys * values + keys + v); }
    std::size_t vocab() const { return fillers + keys * values + keys + values; }

    // B rows of T + 1 tokens: every key's pair once at its own position among the fillers, the pair of
    // the key asked about d positions before the query (at T-1-d), the query at T-1, and that key's
    // value as the last target. distance 0: each row draws its own d in [1, T-1], log-uniform.
    std::vector<std::int32_t> batch(Rng& rng, std::size_t B, std::size_t distance) const;
};

// Trains `model` (chapter 6's AttentionLm or chapter 5's RnnLm, window T + 1) on rows of random
// distances with AdamW, the gradient clipped at 1: `steps` steps of B rows at a constant lr, on the
// loss of the last position only (the answer). Returns that loss, the mean of the last tenth of the steps.
double train_recall(LanguageModel& model, const Backend& be, const RecallTask& task, std::size_t steps, std::size_t B,
                    float lr, std::uint64_t seed);

// The share of `rows` fresh rows at `distance` whose last-position argmax is the key. The model is
// chapter 6's AttentionLm or chapter 5's RnnLm (state reset before each batch).
double recall_accuracy(LanguageModel& model, const Backend& be, const RecallTask& task, std::size_t distance,
                       std::size_t rows, std::uint64_t seed);

}  // namespace ladder::ch06
