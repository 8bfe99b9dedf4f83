// lm_run.hpp: one language model's training run as chapters 5-8 report it: the line that names
// the model before, the losses after, and its entry in the chapter's summary.json. Introduced in
// ch05 (its three models); chapters 6-8 train theirs through the same two calls.
#pragma once

#include <cstddef>
#include <string>

#include <nlohmann/json.hpp>

#include "chapters/ch05_neural_lm/corpus.hpp"
#include "core/backend.hpp"
#include "core/cli.hpp"
#include "core/nn/train.hpp"

namespace ladder::ch05 {

struct TrainedRun {
    TrainResult result;
    double val_loss = 0;   // nats per token on the whole validation split
    double bpb = 0;        // the same in bits per byte of the text
    std::size_t batch = 0;
};

// Trains `model` on `data` with `cfg`, its label, loss CSV (<tag>_loss.csv) and checkpoint
// (<tag>.safetensors) named after `tag` in `out`; `resume` (a checkpoint, or "") continues a run.
TrainedRun train_reported(LanguageModel& model, const Backend& be, const LmData& data, TrainConfig cfg,
                          const RunDir& out, const std::string& tag, const std::string& resume = "");

// The model's entry in a summary.json: name, config, parameters, steps, batch, the losses
// (nats per token, bits per byte, perplexity), tokens/s and seconds.
nlohmann::json run_json(LanguageModel& model, const TrainedRun& run);

}  // namespace ladder::ch05
