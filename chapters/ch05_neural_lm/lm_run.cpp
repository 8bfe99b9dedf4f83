// lm_run.cpp: a chapter's training run of one model, printed and summarised (lm_run.hpp).
#include "chapters/ch05_neural_lm/lm_run.hpp"

#include <cmath>

#include <fmt/format.h>

namespace ladder::ch05 {

TrainedRun train_reported(LanguageModel& model, const Backend& be, const LmData& data, TrainConfig cfg,
                          const RunDir& out, const std::string& tag, const std::string& resume) {
    cfg.label = tag;
    cfg.csv = out.file(tag + "_loss.csv");
    cfg.checkpoint = out.file(tag + ".safetensors");
    cfg.resume = resume;
    fmt::print("{}: {} parameters, batch {} x {} tokens, {} steps\n", model.name(),
               format_count(static_cast<double>(model.params().count())), cfg.batch, model.window(), cfg.steps);
    TrainedRun t;
    t.batch = cfg.batch;
    t.result = train(model, be, data.train, data.val, cfg);
    t.val_loss = t.result.val_loss;   // the last evaluation covers the whole validation split
    t.bpb = bits_per_byte(t.val_loss, data.val.size(), data.val_bytes);
    fmt::print("  train loss {:.4f}, val loss {:.4f} nats/token ({:.4f} bits/byte, perplexity {:.1f}), {} tokens/s\n\n",
               t.result.train_loss, t.val_loss, t.bpb, std::exp(t.val_loss), format_count(t.result.tokens_per_s));
    return t;
}

nlohmann::json run_json(LanguageModel& model, const TrainedRun& run) {
    return {{"name", model.name()},
            {"config", nlohmann::json::parse(model.config_json())},
            {"parameters", model.params().count()},
            {"steps", run.result.steps},
            {"batch", run.batch},
            {"train_loss", run.result.train_loss},
            {"val_loss", run.val_loss},
            {"bits_per_byte", run.bpb},
            {"perplexity", std::exp(run.val_loss)},
            {"tokens_per_s", run.result.tokens_per_s},
            {"seconds", run.result.seconds}};
}

}  // namespace ladder::ch05
