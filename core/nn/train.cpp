// core/nn/train.cpp: the one train loop, evaluation on the held-out split, and generation.
// Shapes and contracts in train.hpp. Introduced in ch05.
#include "core/nn/train.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <optional>
#include <utility>

#include <nlohmann/json.hpp>

#include "core/cli.hpp"
#include "core/error.hpp"
#include "core/nn/checkpoint.hpp"
#include "core/nn/sampling.hpp"

namespace ladder {

namespace {

// The first element of a device buffer that is not finite, if any (copied to the host: only
// called once something is already wrong).
std::optional<std::size_t> first_non_finite(const Tensor& t) {
    const std::vector<float> v = t.to_vector();
    for (std::size_t i = 0; i < v.size(); ++i)
        if (!std::isfinite(v[i])) return i;
    return std::nullopt;
}

// Names the gradient that went bad: "the gradient of fc1.weight has nan at [3, 17]".
[[noreturn]] void fail_on_gradient(const ParamSet& params, std::size_t step, float norm) {
    for (std::size_t i = 0; i < params.views().size(); ++i) {
        const ParamView& pv = params.views()[i];
        const Tensor g = params.grad(i);
        if (const auto at = first_non_finite(g)) {
            const std::vector<float> v = g.to_vector();
            LADDER_THROW("training stopped at step {}: the gradient of {} {} holds {} at element {} "
                                    "(global norm {}); lower the learning rate or check the inputs",
                                    step, pv.name, pv.shape.str(), v[*at], *at, norm);
        }
    }
    LADDER_THROW("training stopped at step {}: the global gradient norm is {}", step, norm);
}

// Names what made the loss non-finite: a parameter that holds NaN or Inf, or else the arithmetic
// (a learning rate so large the logits overflowed).
[[noreturn]] void fail_on_loss(LanguageModel& model, std::size_t step, float loss) {
    const ParamSet& params = model.params();
    for (std::size_t i = 0; i < params.views().size(); ++i) {
        const ParamView& pv = params.views()[i];
        if (const auto at = first_non_finite(params.value(i)))
            LADDER_THROW("training stopped at step {}: the loss of {} is {}: the parameter {} {} holds {} at element {}",
                         step, model.name(), loss, pv.name, pv.shape.str(), params.value(i).to_vector()[*at], *at);
    }
    LADDER_THROW("training stopped at step {}: the loss of {} is {} though every parameter is finite (the logits "
                 "overflowed? lower the learning rate)", step, model.name(), loss);
}

// The part of a split one rank evaluates (rank 0 of 1: all of it).
struct Shard {
    std::size_t rank = 0, size = 1;
};

// The windows a stateless model is evaluated on: stride targets_per_row, so every token after
// the first window's context is a target exactly once. A shard takes a contiguous run of those
// windows; the ranks' sums and target counts add up to the whole split's.
struct LossSum {
    double sum = 0, targets = 0;
};
LossSum evaluate_stateless(LanguageModel& model, const Backend& be, std::span<const std::int32_t> tokens,
                           std::size_t batch, std::size_t max_targets, Shard shard) {
    const std::size_t W = model.window(), P = model.targets_per_row();
    const std::size_t rows = count_windows(tokens.size(), W, P, "evaluation split");
    std::size_t use_rows = rows;
    if (max_targets > 0) use_rows = std::min(rows, std::max<std::size_t>(1, max_targets / P));
    // A capped evaluation takes rows spread evenly over the split (the first rows alone would
    // be one book of the text).
    auto row_at = [&](std::size_t i) { return use_rows == rows ? i : i * rows / use_rows; };
    const std::size_t lo = use_rows * shard.rank / shard.size, hi = use_rows * (shard.rank + 1) / shard.size;
    std::vector<std::int32_t> buf(batch * W);
    LossSum r;
    std::size_t targets = 0;
    for (std::size_t first = lo; first < hi; first += batch) {
        const std::size_t n = std::min(batch, hi - first);
        for (std::size_t i = 0; i < n; ++i)
            fill_windows(std::span(buf).subspan(i * W, W), tokens, W, P, row_at(first + i), 1);
        const double loss = model.forward(be, std::span<const std::int32_t>(buf).first(n * W), n);
        r.sum += loss * static_cast<double>(n * P);
        targets += n * P;
    }
    r.targets = static_cast<double>(targets);
    return r;
}

// A stateful model: `streams` streams, each over its own consecutive segment of the split, in
// windows of T+1 that overlap by one token, the state carried from window to window. A shard runs
// `streams / shard.size` of them (the rank's rows of the training batch); returns the mean loss
// of its streams, which the ranks average (equal numbers of streams each).
double evaluate_stateful(LanguageModel& model, const Backend& be, std::span<const std::int32_t> tokens,
                         std::size_t streams, std::size_t max_targets, Shard shard) {
    const std::size_t W = model.window(), T = model.targets_per_row();
    const std::size_t segment = tokens.size() / streams;
    LADDER_CHECK(segment >= W, "evaluate: {} tokens in {} streams leave {} per stream, fewer than a window of {}",
                 tokens.size(), streams, segment, W);
    std::size_t chunks = (segment - 1) / T;
    if (max_targets > 0) chunks = std::min(chunks, std::max<std::size_t>(1, max_targets / (streams * T)));
    const std::size_t batch = streams / shard.size, first_stream = shard.rank * batch;
    model.reset_state(be, batch);
    std::vector<std::int32_t> buf(batch * W);
    double sum = 0;
    for (std::size_t k = 0; k < chunks; ++k) {
        for (std::size_t b = 0; b < batch; ++b) {
            const auto src = tokens.subspan((first_stream + b) * segment + k * T, W);
            std::copy(src.begin(), src.end(), buf.begin() + static_cast<std::ptrdiff_t>(b * W));
        }
        sum += model.forward(be, buf, batch);
    }
    return sum / static_cast<double>(chunks);
}

// evaluate() over the ranks of `comm`: each runs its shard with `batch` rows at a time (for a
// stateful model, its batch of the batch * size streams), and the results are reduced, so every
// rank returns the loss of the whole split.
double evaluate_on(LanguageModel& model, const Backend& be, std::span<const std::int32_t> tokens, std::size_t batch,
                   std::size_t max_targets, const Communicator& comm) {
    LADDER_CHECK(batch > 0, "evaluate: batch must be positive");
    LADDER_CHECK(tokens.size() >= model.window(),
                 "evaluate: the split holds {} tokens, fewer than one window of {} for {}", tokens.size(),
                 model.window(), model.name());
    const std::size_t n = static_cast<std::size_t>(comm.size());
    const Shard shard{static_cast<std::size_t>(comm.rank()), n};
    if (!model.stateful()) {
        const LossSum part = evaluate_stateless(model, be, tokens, batch, max_targets, shard);
        if (n == 1) return part.sum / part.targets;
        double both[2] = {part.sum, part.targets};
        comm.allreduce_sum(std::span<double>(both));
        return both[0] / both[1];
    }
    const CarriedStateGuard keep(model, be);   // the training streams' state survives the evaluation
    double loss = evaluate_stateful(model, be, tokens, batch * n, max_targets, shard);
    if (n > 1) comm.allreduce_mean(std::span<double>(&loss, 1));
    return loss;
}

// The communicator of a config that names none.
const Communicator& single_process() {
    static const SingleProcess one;
    return one;
}

}  // namespace

double evaluate(LanguageModel& model, const Backend& be, std::span<const std::int32_t> tokens, std::size_t batch,
                std::size_t max_targets) {
    return evaluate_on(model, be, tokens, batch, max_targets, single_process());
}

CarriedStateGuard::CarriedStateGuard(LanguageModel& model, const Backend& be) : model_(model), be_(be) {
    if (const Tensor state = model.carried_state(); state.defined()) saved_ = state.clone();
}

CarriedStateGuard::~CarriedStateGuard() {
    if (!saved_.defined()) return;
    model_.reset_state(be_, saved_.dim(0));
    Tensor state = model_.carried_state();
    copy_on_device(state.device(), state.data(), saved_.data(), saved_.nbytes());
}

// [book:train-loop]
TrainResult train(LanguageModel& model, const Backend& be, std::span<const std::int32_t> train_tokens,
                  std::span<const std::int32_t> val_tokens, const TrainConfig& cfg) {
    const Communicator& comm = cfg.comm ? *cfg.comm : single_process();
    const std::size_t G = cfg.batch, W = model.window(), N = static_cast<std::size_t>(comm.size());
    LADDER_CHECK(G > 0 && cfg.steps > 0, "train: batch ({}) and steps ({}) must be positive", G, cfg.steps);
    LADDER_CHECK(G % N == 0,
                 "train: the global batch of {} rows does not split evenly over {} ranks (each rank runs batch / "
                 "ranks rows, the same number on every rank, so that the mean of the ranks' gradients is the "
                 "batch's); choose a batch that is a multiple of {}",
                 G, N, N);
    const bool distributed = N > 1, lead = comm.rank() == 0, stateful = model.stateful();
    LADDER_CHECK(!(distributed && stateful && (!cfg.checkpoint.empty() || !cfg.resume.empty())),
                 "train: {} carries state per stream and each of the {} ranks holds its own streams', which a "
                 "checkpoint does not store yet: train it on several ranks without checkpoint/resume",
                 model.name(), N);
    const std::size_t B = G / N;   // this rank's rows: [rank * B, (rank + 1) * B) of every global batch
    const std::size_t first_row = static_cast<std::size_t>(comm.rank()) * B;

    // Set when every rank fails at the same point (the reduced loss or gradient norm is not
    // finite): the error is then thrown on each, not turned into an abort.
    bool failed_together = false;
    try {
        ParamSet& params = model.params();
        Optimizer opt(cfg.optimizer, params);
        if (stateful) model.reset_state(be, B);
        // Random windows for a stateless model; consecutive streams for one that carries state.
        // Every rank draws the same global batch (same seed), so the loader's position in a
        // checkpoint is the global one: a run can resume on another number of ranks.
        std::optional<WindowLoader> windows;
        std::optional<StreamLoader> streams;
        if (stateful) streams.emplace(train_tokens, G, W, cfg.seed, "training split");
        else windows.emplace(train_tokens, G, W, cfg.seed, "training split");
        auto loader_state = [&] { return stateful ? streams->state() : windows->state(); };

        std::size_t step = 0;
        if (!cfg.resume.empty()) {
            // Rank 0 reads the checkpoint and the others get it from rank 0 below: the file need
            // only be on rank 0's machine.
            std::string step_text, data;
            if (lead) {
                const auto meta = load_training_checkpoint(cfg.resume, model, opt);
                step_text = meta.at("step");
                data = meta.at("data");
            }
            if (distributed) {
                comm.broadcast(step_text);
                comm.broadcast(data);
                for (auto& [name, t] : opt.state()) comm.broadcast(t);
                int taken = opt.steps_taken();
                comm.broadcast(std::as_writable_bytes(std::span(&taken, 1)));
                opt.set_steps_taken(taken);
            }
            step = std::stoull(step_text);
            if (stateful) streams->restore(data);
            else windows->restore(data);
            LADDER_CHECK(step <= cfg.steps, "train: the checkpoint {} is at step {}, past the {} steps asked for",
                         cfg.resume.string(), step, cfg.steps);
        }
        // The replicas start from rank 0's parameters, whatever each rank initialised them to.
        if (distributed) comm.broadcast(params.values());

        std::optional<CsvWriter> csv;
        if (lead && !cfg.csv.empty())
            csv.emplace(cfg.csv, std::vector<std::string>{"step", "train_loss", "val_loss", "lr", "grad_norm"});
        std::optional<Progress> progress;
        if (lead && cfg.progress) progress.emplace(cfg.label, static_cast<double>(cfg.steps));

        std::vector<std::int32_t> batch(G * W);
        const auto rows = std::span<const std::int32_t>(batch).subspan(first_row * W, B * W);
        TrainResult r;
        r.ranks = static_cast<int>(N);
        double interval_sum = 0;
        std::size_t interval_steps = 0;
        const Timer timer;
        for (; step < cfg.steps; ++step) {
            if (stateful) {
                streams->next(batch);
                if (streams->wrapped()) model.reset_state(be, B);   // the streams started over
            } else {
                windows->next(batch);
            }
            params.zero_grad();
            float loss = model.forward(be, rows, B);
            if (distributed) {
                // The global batch's loss: the mean of the ranks' means. A NaN on any rank makes
                // it NaN on every rank, so all of them stop here together.
                const Timer t;
                double mean = loss;
                comm.allreduce_mean(std::span<double>(&mean, 1));
                loss = static_cast<float>(mean);
                r.comm_seconds += t.seconds();
            }
            if (!std::isfinite(loss)) {
                failed_together = true;
                fail_on_loss(model, step, loss);
            }
            model.backward(be);
            if (distributed) {
                // The whole gradient buffer (every parameter, one contiguous ParamSet buffer) in one
                // all-reduce: the mean over the ranks of their shards' mean gradients.
                const Timer t;
                comm.allreduce_mean(params.grads());
                r.comm_seconds += t.seconds();
            }
            const float norm = global_grad_norm(be, params);
            if (!std::isfinite(norm)) {
                failed_together = true;
                fail_on_gradient(params, step, norm);
            }
            const double lr = cfg.lr.at(step + 1);   // step 0 is the first update: 1/warmup of the peak, not 0
            opt.step(be, params, static_cast<float>(lr), clip_scale(norm, cfg.clip));

            interval_sum += loss;
            ++interval_steps;
            r.tokens += B * model.targets_per_row();
            const bool last = step + 1 == cfg.steps;
            const bool eval = last || (cfg.eval_every > 0 && (step + 1) % cfg.eval_every == 0);
            double val = std::nan("");
            if (eval) {
                val = evaluate_on(model, be, val_tokens, B, last ? 0 : cfg.eval_targets, comm);
                r.train_loss = interval_sum / static_cast<double>(interval_steps);
                r.val_loss = val;
                interval_sum = 0;
                interval_steps = 0;
            }
            if (csv) {
                if (eval) csv->row(step + 1, loss, val, lr, norm);
                else csv->row(step + 1, loss, "", lr, norm);
            }
            // Every rank's targets (each rank runs the same number).
            const double tps = static_cast<double>(r.tokens * N) / std::max(1e-9, timer.seconds());
            if (progress) {
                Progress::Fields f{{"loss", loss, 3}, {"lr", lr, 5}, {"tok/s", tps, 0}};
                if (eval) f.push_back({"val", val, 3});
                progress->update(static_cast<double>(step + 1), f);
            }
            const bool save = lead && !cfg.checkpoint.empty() &&
                              (last || (cfg.checkpoint_every > 0 && (step + 1) % cfg.checkpoint_every == 0));
            if (save) save_training_checkpoint(cfg.checkpoint, model, opt, step + 1, loader_state());
        }
        if (progress) progress->finish({{"val", r.val_loss, 3}});
        r.steps = step;
        r.seconds = timer.seconds();
        r.tokens_per_s = static_cast<double>(r.tokens) / std::max(1e-9, r.seconds);
        r.global_tokens_per_s = r.tokens_per_s * static_cast<double>(N);
        return r;
    } catch (const std::exception& e) {
        if (distributed && !failed_together) {
            fmt::print(stderr, "rank {} of {}: {}\n", comm.rank(), N, e.what());
            std::fflush(stderr);
            comm.abort(1);
        }
        throw;
    }
}
// [/book]

std::vector<std::int32_t> generate(LanguageModel& model, const Backend& be, std::span<const std::int32_t> prompt,
                                   std::size_t n, float temperature, Rng& rng) {
    GenerateConfig cfg;
    cfg.max_tokens = n;
    cfg.sampling.temperature = temperature;
    return generate(model, be, prompt, cfg, rng);
}

// [book:generate]
std::vector<std::int32_t> generate(LanguageModel& model, const Backend& be, std::span<const std::int32_t> prompt,
                                   const GenerateConfig& cfg, Rng& rng) {
    LADDER_CHECK(!prompt.empty(), "generate: the prompt is empty (give at least one token)");
    cfg.sampling.check();
    model.start_generation(be);
    std::vector<float> logits = model.feed(be, prompt);   // the prompt fills the context
    std::vector<std::int32_t> out;
    out.reserve(cfg.max_tokens);
    for (std::size_t i = 0; i < cfg.max_tokens; ++i) {
        const std::int32_t next = sample_token(logits, cfg.sampling, rng);
        out.push_back(next);
        if (cfg.on_token) cfg.on_token(next);
        if (next == cfg.stop) break;
        if (i + 1 < cfg.max_tokens) logits = model.next_logits(be, next);   // one more position
    }
    return out;
}
// [/book]

void save_training_checkpoint(const std::filesystem::path& path, LanguageModel& model, Optimizer& opt,
                              std::size_t step, const std::string& data_state) {
    const std::map<std::string, std::string> meta{{"config", model.config_json()},
                                                  {"model", model.name()},
                                                  {"step", std::to_string(step)},
                                                  {"data", data_state},
                                                  {"optimizer_steps", std::to_string(opt.steps_taken())}};
    std::vector<std::pair<std::string, Tensor>> extra;
    if (Tensor s = model.carried_state(); s.defined()) extra.emplace_back("state.carried", s);
    save_checkpoint(path, model.params(), opt.state(), meta, extra);
}

std::map<std::string, std::string> load_training_checkpoint(const std::filesystem::path& path, LanguageModel& model,
                                                            Optimizer& opt) {
    std::vector<std::pair<std::string, Tensor>> extra;
    if (Tensor s = model.carried_state(); s.defined()) extra.emplace_back("state.carried", s);
    auto meta = load_checkpoint(path, model.params(), opt.state(), extra);
    const std::string& config = require_meta(meta, "config", path);
    LADDER_CHECK(config == model.config_json(), "checkpoint {} was saved by a model with config {}, not {}",
                 path.string(), config, model.config_json());
    opt.set_steps_taken(std::stoi(require_meta(meta, "optimizer_steps", path)));
    require_meta(meta, "step", path);
    require_meta(meta, "data", path);
    return meta;
}

double bits_per_byte(double nats_per_token, std::size_t tokens, std::size_t bytes) {
    LADDER_CHECK(bytes > 0, "bits_per_byte: no bytes");
    return nats_per_token * static_cast<double>(tokens) / static_cast<double>(bytes) / std::log(2.0);
}

}  // namespace ladder
