// core/nn/train.hpp: what every language model from ch05 on trains with: the model interface,
// one train loop (validation, progress, CSV, checkpoints, resume, NaN stop), evaluation on the
// held-out split, and generation. Introduced in ch05; ch06-ch08 train through the same loop.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "core/backend.hpp"
#include "core/nn/distributed.hpp"
#include "core/nn/loader.hpp"
#include "core/nn/optimizer.hpp"
#include "core/nn/params.hpp"
#include "core/nn/sampling.hpp"
#include "core/nn/schedule.hpp"
#include "core/rng.hpp"
#include "core/tensor.hpp"

namespace ladder {

// [book:language-model-interface]
// A language model as the train loop sees it. A batch is `rows` windows of window() tokens,
// row-major (rows, window()); the model predicts targets_per_row() of each row's tokens from
// the tokens before them (a bigram and the MLP: the last one; the RNN: every one after the first).
class LanguageModel {
public:
    virtual ~LanguageModel() = default;
    virtual std::string name() const = 0;           // "mlp (n=8, E=64, H=512)"
    virtual std::string config_json() const = 0;    // enough to rebuild it (stored in checkpoints)
    virtual ParamSet& params() = 0;
    virtual std::size_t window() const = 0;
    virtual std::size_t targets_per_row() const = 0;

    // The mean cross-entropy (nats) over the batch's targets; keeps what backward needs.
    virtual float forward(const Backend& be, std::span<const std::int32_t> tokens, std::size_t rows) = 0;
    // Adds the gradient of that mean loss into params().grads() (the caller zeroes them).
    virtual void backward(const Backend& be) = 0;

    // A model that carries state from one batch to the next (the RNN's hidden state, one row
    // per stream) says so; the loop then feeds it consecutive windows (StreamLoader), and saves
    // and restores the state around evaluation and in checkpoints. reset_state(rows) zeroes it
    // for `rows` streams; carried_state() is it (defined after a reset or a forward).
    virtual bool stateful() const { return false; }
    virtual void reset_state(const Backend& be, std::size_t rows) { (void)be, (void)rows; }
    virtual Tensor carried_state() { return {}; }

    // Generation, one token at a time: start() forgets the context; next_logits(token) appends
    // a token and returns the logits (V) of the one after it.
    virtual void start_generation(const Backend& be) = 0;
    virtual std::vector<float> next_logits(const Backend& be, std::int32_t token) = 0;
    // Appends several tokens (a prompt) and returns the logits after the last. By default one
    // next_logits per token; a model that can take them in one pass (GPT-2's cache) overrides it.
    virtual std::vector<float> feed(const Backend& be, std::span<const std::int32_t> tokens) {
        std::vector<float> logits;
        for (const std::int32_t t : tokens) logits = next_logits(be, t);
        return logits;
    }
};
// [/book]

struct TrainConfig {
    std::size_t steps = 1000;
    std::size_t batch = 64;             // rows per step
    std::size_t eval_every = 200;       // validation every N steps (and at the end); 0: only at the end
    std::size_t eval_targets = 0;       // cap on the validation targets of the evaluations during the run
                                        // (0: the whole split); the last one always covers the whole split
    std::size_t checkpoint_every = 0;   // save every N steps (and at the end) when `checkpoint` is set
    LrSchedule lr;
    OptimizerConfig optimizer;
    float clip = 1.0f;                  // global gradient-norm clip (<= 0: off)
    std::uint64_t seed = 42;            // the loader's windows
    std::filesystem::path csv;          // the loss curve (empty: none)
    std::filesystem::path checkpoint;   // where to save (empty: never)
    std::filesystem::path resume;       // continue from this checkpoint (empty: start fresh)
    bool progress = true;
    std::string label = "train";
    // The ranks that train this model together (data parallelism, ch08); null: this process alone.
    // With N ranks, `batch` is the global batch: it must be a multiple of N, and each rank runs
    // batch/N of its rows (see train()).
    const Communicator* comm = nullptr;
};

struct TrainResult {
    std::size_t steps = 0;              // the step count reached
    double train_loss = 0;              // mean training loss of the last evaluation interval
    double val_loss = 0;                // at the end, on the whole validation split
    double tokens_per_s = 0;            // training targets per second on this rank (this run's steps only)
    double seconds = 0;
    std::size_t tokens = 0;             // training targets this rank saw (this run)
    int ranks = 1;                      // the ranks that trained together
    double global_tokens_per_s = 0;     // every rank's targets per second: tokens_per_s * ranks
    double comm_seconds = 0;            // of `seconds`, the time in all-reduces (0 for one process)
};

// Trains `model` on `train`, evaluating on `val`. Stops with a ladder::Error naming the step and
// the tensor when the loss or a gradient becomes NaN or Inf (the parameters are then those of
// the step before, and a checkpoint is not overwritten).
//
// With cfg.comm of N > 1 ranks (every rank calls train() with the same config and data): rank 0's
// parameters (and, on resume, the checkpoint rank 0 reads) are broadcast first; every rank then
// draws the same global batch from the same seeded loader and runs rows [r*B, (r+1)*B) of it,
// B = batch / N; the gradients and the loss are all-reduced to their mean over the ranks, which is
// the global batch's mean (the shards are equal-sized), so clipping and the optimizer see the same
// gradient on every rank and the replicas stay identical: N ranks train as one process with the
// whole batch, up to the order of float sums. Validation is sharded (each rank evaluates its part
// of the split, the sums are reduced). Only rank 0 writes the CSV, the checkpoints and progress.
// An error on some ranks only (rank 0 cannot write its checkpoint) ends every rank (Communicator::
// abort), since the others would wait for it forever; a NaN stop reaches every rank together and
// is thrown on each. A stateful model trains on several ranks without checkpoints only (each rank
// carries its own streams' state, which one checkpoint file does not hold yet).
TrainResult train(LanguageModel& model, const Backend& be, std::span<const std::int32_t> train,
                  std::span<const std::int32_t> val, const TrainConfig& cfg);

// The mean cross-entropy (nats per token) over the split: every token after the first window's
// context is predicted once (`max_targets` > 0 stops early). A stateful model runs `batch` streams
// over consecutive segments, carrying its state (restored afterwards).
double evaluate(LanguageModel& model, const Backend& be, std::span<const std::int32_t> tokens, std::size_t batch,
                std::size_t max_targets = 0);

// Keeps a stateful model's carried state (the training streams') and puts it back when it goes
// out of scope, for work that runs the model on other windows (evaluation, experiments).
class CarriedStateGuard {
public:
    CarriedStateGuard(LanguageModel& model, const Backend& be);
    ~CarriedStateGuard();
    CarriedStateGuard(const CarriedStateGuard&) = delete;
    CarriedStateGuard& operator=(const CarriedStateGuard&) = delete;

private:
    LanguageModel& model_;
    const Backend& be_;
    Tensor saved_;   // undefined: nothing to restore
};

// `n` tokens after `prompt` (not included), each drawn by sample_token at `temperature`.
std::vector<std::int32_t> generate(LanguageModel& model, const Backend& be, std::span<const std::int32_t> prompt,
                                   std::size_t n, float temperature, Rng& rng);

// Generation with every knob (ch07): at most max_tokens after the prompt, drawn with `sampling`;
// it stops after `stop` when that token is drawn (GPT-2's <|endoftext|>; -1: never), and calls
// on_token with each token as it comes (streaming), the stop token included.
struct GenerateConfig {
    std::size_t max_tokens = 100;
    SamplingConfig sampling;
    std::int32_t stop = -1;
    std::function<void(std::int32_t)> on_token;
};
std::vector<std::int32_t> generate(LanguageModel& model, const Backend& be, std::span<const std::int32_t> prompt,
                                   const GenerateConfig& cfg, Rng& rng);

// Loss units: nats per token -> bits per byte, given how many bytes the tokens decode to.
double bits_per_byte(double nats_per_token, std::size_t tokens, std::size_t bytes);

// A training checkpoint: the parameters, the optimizer's state, a stateful model's carried
// state ("state.carried") and the metadata "config" (the model's config_json), "model", "step",
// "data" (the loader's position) and "optimizer_steps". load_ checks the tensors' names and shapes
// against the model, then that the config is the model's; returns the metadata.
void save_training_checkpoint(const std::filesystem::path& path, LanguageModel& model, Optimizer& opt,
                              std::size_t step, const std::string& data_state);
std::map<std::string, std::string> load_training_checkpoint(const std::filesystem::path& path, LanguageModel& model,
                                                            Optimizer& opt);

}  // namespace ladder
