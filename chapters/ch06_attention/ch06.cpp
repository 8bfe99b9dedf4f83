// ch06.cpp: chapter 6's program. Trains the attention language model on chapter 5's token files
// through the same train loop (and, to show what positions buy, the same model with sinusoidal
// positions and with none), then runs the chapter's experiments: word order, the 1/sqrt(d) scaling,
// memory and time against the context length beside the RNN, long-range recall, what the heads look
// at, and what context does to a word's vector. Prints the leaderboard and writes runs/ch06/summary.json
// with the CSVs of the figures.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <map>
#include <memory>
#include <numeric>

#include "chapters/ch05_neural_lm/corpus.hpp"
#include "chapters/ch05_neural_lm/lm_run.hpp"
#include "chapters/ch05_neural_lm/models.hpp"
#include "chapters/ch06_attention/attention_lm.hpp"
#include "chapters/ch06_attention/recall.hpp"
#include "core/blas_info.hpp"
#include "core/cli.hpp"
#include "core/error.hpp"
#include "core/nn/leaderboard.hpp"
#include "core/nn/train.hpp"
#include "core/text.hpp"
#include "kernels/softmax/softmax.hpp"

namespace ladder::ch06 {
namespace {

namespace fs = std::filesystem;

struct Options {
    CommonOptions common;
    std::string data_dir, text, leaderboard, resume;
    std::size_t vocab = 0;             // 0: 2048 (320 with --quick)
    std::size_t steps = 0, batch = 0, embed = 0, heads = 0, layers = 0, context = 0;
    double lr = 0;
    std::string positions = "learned";
    bool fused = false, progress = true, experiments = true;
    std::size_t sample_tokens = 60;
    std::string prompt = "And God said";
    std::size_t max_scaling_T = 0;     // 0: 4096 (256 with --quick)
};

struct Plan {
    AttentionConfig model;
    TrainConfig train;
};

// [book:ch06-defaults]
Plan default_plan(std::size_t V, bool quick) {
    Plan p;
    AttentionConfig& m = p.model;
    m.vocab = V;
    m.embed = quick ? 32 : 128;
    m.heads = quick ? 2 : 4;
    m.layers = 2;
    m.context = quick ? 16 : 64;
    TrainConfig& t = p.train;
    t.optimizer.kind = OptimizerKind::adamw;
    t.optimizer.adamw.weight_decay = 0.01f;
    t.clip = 1.0f;
    t.lr.kind = LrSchedule::Kind::cosine;
    // Peak lr measured at 1200 steps, learned positions (val loss): 3e-3 4.057, 6e-3 3.549,
    // 1e-2 3.383, 2e-2 3.396, 3e-2 3.430.
    t.lr.lr = 1e-2;
    // B x T = 2048 targets a step, the RNN's 32 x 32 doubled: every position of a row is a target.
    t.batch = quick ? 8 : 32;
    t.steps = quick ? 60 : 1200;
    t.lr.min_lr = t.lr.lr / 10;
    t.lr.warmup = t.steps / 20;
    t.eval_every = std::max<std::size_t>(1, t.steps / 6);
    t.eval_targets = quick ? 0 : 40000;
    return p;
}
// [/book]

void apply_flags(Plan& p, const Options& o) {
    if (o.steps) p.train.steps = o.steps;
    if (o.batch) p.train.batch = o.batch;
    if (o.lr > 0) p.train.lr.lr = o.lr, p.train.lr.min_lr = o.lr / 10;
    if (o.embed) p.model.embed = o.embed;
    if (o.heads) p.model.heads = o.heads;
    if (o.layers) p.model.layers = o.layers;
    if (o.context) p.model.context = o.context;
    p.model.positions = o.positions;
    p.model.fused = o.fused;
    p.train.lr.total = p.train.steps;
    p.train.lr.warmup = std::min(p.train.lr.warmup, p.train.steps / 2);
    p.train.eval_every = std::min(p.train.eval_every, p.train.steps);
    p.train.seed = o.common.seed;
    p.train.progress = o.progress;
}

struct Trained : ch05::TrainedRun {
    std::unique_ptr<AttentionLm> model;
};

Trained train_one(const Plan& plan, const ch05::LmData& data, const Backend& be, const RunDir& out,
                  const std::string& tag, const std::string& resume = "") {
    Trained t;
    t.model = std::make_unique<AttentionLm>(plan.model, be.device(), plan.train.seed);
    static_cast<ch05::TrainedRun&>(t) = ch05::train_reported(*t.model, be, data, plan.train, out, tag, resume);
    return t;
}

nlohmann::json model_json(const Trained& t) { return ch05::run_json(*t.model, t); }

template <class F>
double min_seconds(int repeats, F&& f) {
    double best = 1e30;
    for (int r = 0; r < repeats; ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        f();
        best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    return best;
}

// The least-squares slope of log y against log x.
double loglog_slope(const std::vector<double>& x, const std::vector<double>& y) {
    const std::size_t n = x.size();
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const double a = std::log(x[i]), b = std::log(y[i]);
        sx += a, sy += b, sxx += a * a, sxy += a * b;
    }
    const double d = static_cast<double>(n) * sxx - sx * sx;
    return d > 0 ? (static_cast<double>(n) * sxy - sx * sy) / d : 0.0;
}

// ---- the experiments ----

// [book:sqrt-d]
// Scores q.k of random unit-variance vectors have variance d: without the 1/sqrt(d) their softmax
// grows peaked as d grows (its entropy falls towards 0, gradients vanish); with it the spread stays 1.
nlohmann::json sqrt_d_experiment(const Backend& be, std::uint64_t seed, const RunDir& out) {
    const std::size_t queries = 256, keys = 64;
    auto csv = out.csv("sqrt_d.csv", {"d", "scaled", "score_std", "entropy", "max_entropy"});
    nlohmann::json j = nlohmann::json::array();
    fmt::print("Scores of random q, k ~ N(0, 1) over {} keys (the softmax's entropy is at most ln {} = {:.2f} nats):\n"
               "      d   std(q.k)  entropy  | std(q.k/sqrt d)  entropy\n", keys, keys, std::log(double(keys)));
    Rng rng(seed);
    for (const std::size_t d : {16, 32, 64, 128, 256}) {
        std::vector<float> q(queries * d), k(keys * d);
        rng.fill_normal(q, 0.0f, 1.0f);
        rng.fill_normal(k, 0.0f, 1.0f);
        double stdev[2], entropy[2];
        for (int scaled = 0; scaled < 2; ++scaled) {
            const double s = scaled ? 1.0 / std::sqrt(static_cast<double>(d)) : 1.0;
            std::vector<float> scores(queries * keys);
            double sum = 0, sq = 0;
            for (std::size_t i = 0; i < queries; ++i)
                for (std::size_t j2 = 0; j2 < keys; ++j2) {
                    double dot = 0;
                    for (std::size_t c = 0; c < d; ++c) dot += static_cast<double>(q[i * d + c]) * k[j2 * d + c];
                    scores[i * keys + j2] = static_cast<float>(dot * s);
                    sum += dot * s, sq += dot * s * dot * s;
                }
            const double n = static_cast<double>(queries * keys);
            stdev[scaled] = std::sqrt(sq / n - (sum / n) * (sum / n));
            Tensor in = Tensor::from(scores, Shape{queries, keys}, be.device()), probs = be.empty(Shape{queries, keys});
            softmax_forward(be, probs, in);
            const std::vector<float> p = probs.to_vector();
            double h = 0;
            for (float x : p)
                if (x > 0) h -= static_cast<double>(x) * std::log(static_cast<double>(x));
            entropy[scaled] = h / static_cast<double>(queries);
            csv.row(d, scaled, stdev[scaled], entropy[scaled], std::log(double(keys)));
        }
        fmt::print("  {:>5}   {:>7.2f}   {:>6.3f}  | {:>15.2f}  {:>7.3f}\n", d, stdev[0], entropy[0], stdev[1], entropy[1]);
        j.push_back({{"d", d}, {"score_std", stdev[0]}, {"entropy", entropy[0]}, {"scaled_score_std", stdev[1]},
                     {"scaled_entropy", entropy[1]}});
    }
    fmt::print("\n");
    return j;
}
// [/book]

// The last position of a sentence sees every token: without positions its output depends only on
// which tokens there are, not their order.
nlohmann::json order_experiment(std::map<std::string, Trained>& models, const Backend& be, const ch05::LmData& data,
                                const RunDir& out) {
    const std::string a = "and the lion slew the man .", b = "and the man slew the lion .";
    const std::vector<std::int32_t> ta = data.tokenizer.encode(a), tb = data.tokenizer.encode(b);
    auto csv = out.csv("order.csv", {"positions", "max_abs_logit_difference", "top_a", "top_b"});
    nlohmann::json j;
    fmt::print("Word order: the next-token logits after \"{}\" and after \"{}\":\n", a, b);
    for (auto& [tag, t] : models) {
        if (t.model->config().context < std::max(ta.size(), tb.size())) continue;
        std::vector<float> la, lb;
        t.model->start_generation(be);
        for (auto id : ta) la = t.model->next_logits(be, id);
        t.model->start_generation(be);
        for (auto id : tb) lb = t.model->next_logits(be, id);
        double diff = 0;
        for (std::size_t i = 0; i < la.size(); ++i) diff = std::max(diff, std::fabs(double(la[i]) - lb[i]));
        auto top = [&](const std::vector<float>& l) {
            const auto i = static_cast<std::int32_t>(std::max_element(l.begin(), l.end()) - l.begin());
            std::string tok = replace_invalid_utf8(data.tokenizer.decode(std::vector<std::int32_t>{i}));
            for (std::size_t p = 0; (p = tok.find('\n', p)) != std::string::npos;) tok.replace(p, 1, "\\n");
            return tok;   // a newline shown as \n: the verse ends there
        };
        fmt::print("  {:<10} positions: max |logit difference| {:.3g}; top next token \"{}\" vs \"{}\"\n",
                   t.model->config().positions, diff, top(la), top(lb));
        csv.row(t.model->config().positions, diff, top(la), top(lb));
        j[t.model->config().positions] = {{"max_abs_logit_difference", diff}, {"top_a", top(la)}, {"top_b", top(lb)}};
    }
    fmt::print("\n");
    return j;
}

// Step time and the memory that grows with T, attention beside the RNN, at T = 64 ... max_T.
nlohmann::json scaling_experiment(const Backend& be, std::size_t max_T, std::uint64_t seed, const RunDir& out) {
    const std::size_t V = 64, C = 64;
    auto csv = out.csv("scaling.csv", {"T", "model", "step_ms", "matrix_bytes", "activation_bytes"});
    nlohmann::json j = nlohmann::json::array();
    fmt::print("One training step (forward + backward, B = 1, V = {}, C = H = {}) as the context grows:\n"
               "      T   attention ms  (T,T) bytes |  fused ms  | RNN ms   recurrence bytes\n", V, C);
    std::vector<double> Ts, att_ms, att_mem, fused_ms, rnn_ms, rnn_mem;
    Rng rng(seed);
    for (std::size_t T = 64; T <= max_T; T *= 2) {
        std::vector<std::int32_t> tokens(T + 1);
        for (auto& x : tokens) x = static_cast<std::int32_t>(rng.below(V));
        AttentionConfig ac;
        ac.vocab = V, ac.embed = C, ac.heads = 4, ac.layers = 1, ac.context = T;
        AttentionLm att(ac, be.device(), seed);
        ac.fused = true;
        AttentionLm fused(ac, be.device(), seed);
        ch05::ModelConfig rc;
        rc.kind = "rnn", rc.vocab = V, rc.embed = C, rc.hidden = C, rc.seq = T;
        ch05::RnnLm rnn(rc, be.device(), seed);
        const int repeats = T >= 2048 ? 2 : 3;
        auto step = [&](LanguageModel& m) {
            if (m.stateful()) m.reset_state(be, 1);
            m.forward(be, tokens, 1);
            m.params().zero_grad();
            m.backward(be);
        };
        const double a_ms = 1e3 * min_seconds(repeats, [&] { step(att); });
        const double f_ms = 1e3 * min_seconds(repeats, [&] { step(fused); });
        const double r_ms = 1e3 * min_seconds(repeats, [&] { step(rnn); });
        const double a_mem = static_cast<double>(att.attention_matrix_bytes());
        const double r_mem = static_cast<double>(rnn.recurrence_bytes());
        fmt::print("  {:>5}   {:>10.2f}  {:>11} | {:>8.2f}   | {:>7.2f}  {:>10}\n", T, a_ms, format_count(a_mem), f_ms, r_ms,
                   format_count(r_mem));
        csv.row(T, "attention", a_ms, a_mem, att.activation_bytes());
        csv.row(T, "attention_fused", f_ms, 0, fused.activation_bytes());
        csv.row(T, "rnn", r_ms, r_mem, r_mem);
        j.push_back({{"T", T}, {"attention_ms", a_ms}, {"attention_matrix_bytes", a_mem},
                     {"attention_activation_bytes", att.activation_bytes()}, {"fused_ms", f_ms},
                     {"fused_activation_bytes", fused.activation_bytes()}, {"rnn_ms", r_ms}, {"rnn_recurrence_bytes", r_mem}});
        Ts.push_back(double(T)), att_ms.push_back(a_ms), att_mem.push_back(a_mem), fused_ms.push_back(f_ms);
        rnn_ms.push_back(r_ms), rnn_mem.push_back(r_mem);
    }
    // The slopes over the upper half of the range, where the T^2 terms dominate attention's time.
    const std::size_t from = Ts.size() / 2;
    auto tail = [&](const std::vector<double>& v) { return std::vector<double>(v.begin() + long(from), v.end()); };
    nlohmann::json slopes = {{"attention_time", loglog_slope(tail(Ts), tail(att_ms))},
                             {"attention_memory", loglog_slope(Ts, att_mem)},
                             {"fused_time", loglog_slope(tail(Ts), tail(fused_ms))},
                             {"rnn_time", loglog_slope(tail(Ts), tail(rnn_ms))},
                             {"rnn_memory", loglog_slope(Ts, rnn_mem)}};
    fmt::print("  log-log slopes (T >= {}): attention time {:.2f}, (T,T) memory {:.2f}; fused time {:.2f}; "
               "RNN time {:.2f}, memory {:.2f}\n\n", Ts[from], slopes["attention_time"].get<double>(),
               slopes["attention_memory"].get<double>(), slopes["fused_time"].get<double>(),
               slopes["rnn_time"].get<double>(), slopes["rnn_memory"].get<double>());
    return {{"rows", j}, {"slopes", slopes}};
}

// The recall task at every distance: the RNN and attention, trained the same number of steps.
// Attention finds the pair by its content (the query's key against the pair's), so its model has no
// positions. Its lookup appears suddenly, after a plateau at chance: 1500 steps were not enough
// here, 6000 were.
nlohmann::json recall_experiment(const Backend& be, bool quick, std::uint64_t seed, const RunDir& out) {
    RecallTask task;
    task.T = quick ? 16 : 64;
    const std::size_t steps = quick ? 40 : 6000, B = 32, rows = quick ? 64 : 512;
    AttentionConfig ac;
    ac.vocab = task.vocab(), ac.embed = 64, ac.heads = 2, ac.layers = 1, ac.context = task.T, ac.positions = "none";
    AttentionLm att(ac, be.device(), seed);
    ch05::ModelConfig rc;
    rc.kind = "rnn", rc.vocab = task.vocab(), rc.embed = 64, rc.hidden = 128, rc.seq = task.T;
    ch05::RnnLm rnn(rc, be.device(), seed);
    fmt::print("Long-range recall: {} keys bound to {} values, one (key, value) token each among {} filler tokens, "
               "T = {}; the last token asks for one key, bound d tokens back; {} steps of {} rows:\n",
               task.keys, task.values, task.fillers, task.T, steps, B);
    const double la = train_recall(att, be, task, steps, B, 3e-3f, seed);
    const double lr = train_recall(rnn, be, task, steps, B, 3e-3f, seed);
    fmt::print("  the answer's training loss at the end: attention {:.3f}, RNN {:.3f} (guessing a value: ln {} = {:.3f})\n",
               la, lr, task.values, std::log(double(task.values)));
    auto csv = out.csv("recall.csv", {"distance", "attention", "rnn"});
    nlohmann::json j = nlohmann::json::array();
    fmt::print("  distance   attention   RNN     (chance {:.3f})\n", 1.0 / double(task.values));
    for (std::size_t d = 1; d < task.T; d *= 2) {
        const std::size_t dist = std::min(d, task.T - 1);
        const double a = recall_accuracy(att, be, task, dist, rows, seed + 7);
        const double r = recall_accuracy(rnn, be, task, dist, rows, seed + 7);
        fmt::print("  {:>8}   {:>9.3f}   {:.3f}\n", dist, a, r);
        csv.row(dist, a, r);
        j.push_back({{"distance", dist}, {"attention", a}, {"rnn", r}});
    }
    {
        const std::size_t dist = task.T - 1;   // the farthest: the key at position 0
        const double a = recall_accuracy(att, be, task, dist, rows, seed + 7);
        const double r = recall_accuracy(rnn, be, task, dist, rows, seed + 7);
        fmt::print("  {:>8}   {:>9.3f}   {:.3f}\n\n", dist, a, r);
        csv.row(dist, a, r);
        j.push_back({{"distance", dist}, {"attention", a}, {"rnn", r}});
    }
    return {{"T", task.T}, {"steps", steps}, {"rows", rows}, {"answer_loss", {{"attention", la}, {"rnn", lr}}},
            {"accuracy", j}};
}

// Each head's attention on one verse: a (T,T) map per layer and head.
nlohmann::json heads_experiment(AttentionLm& m, const Backend& be, const ch05::LmData& data, const RunDir& out) {
    const std::string verse = "In the beginning God created the heaven and the earth.";
    std::vector<std::int32_t> ids = data.tokenizer.encode(verse);
    if (ids.size() > m.config().context) ids.resize(m.config().context);
    m.run(be, ids, 1, ids.size());
    const std::size_t T = ids.size(), NH = m.config().heads;
    auto csv = out.csv("heads.csv", {"layer", "head", "query", "key", "weight"});
    auto tokens = out.csv("heads_tokens.csv", {"position", "token"});
    for (std::size_t t = 0; t < T; ++t) tokens.row(t, ch05::show_text(data.tokenizer, std::vector<std::int32_t>{ids[t]}));
    nlohmann::json j = nlohmann::json::array();
    fmt::print("What the heads look at on \"{}\" ({} tokens): the key each head weights most from the last token:\n", verse, T);
    for (std::size_t l = 0; l < m.config().layers; ++l) {
        const std::vector<float> att = m.attention(l).to_vector();   // (1,NH,T,T)
        for (std::size_t h = 0; h < NH; ++h) {
            const float* a = att.data() + h * T * T;
            for (std::size_t q = 0; q < T; ++q)
                for (std::size_t k = 0; k <= q; ++k) csv.row(l, h, q, k, a[q * T + k]);
            // How far back each head looks on average: sum_k (q - k) a[q][k], over the queries.
            double back = 0;
            for (std::size_t q = 0; q < T; ++q)
                for (std::size_t k = 0; k <= q; ++k) back += double(q - k) * a[q * T + k];
            back /= double(T);
            const float* last = a + (T - 1) * T;
            const std::size_t arg = static_cast<std::size_t>(std::max_element(last, last + T) - last);
            fmt::print("  layer {} head {}: mean distance back {:.2f}; from the last token, \"{}\" ({:.2f})\n", l, h, back,
                       ch05::show_text(data.tokenizer, std::vector<std::int32_t>{ids[arg]}), last[arg]);
            j.push_back({{"layer", l}, {"head", h}, {"mean_distance_back", back}});
        }
    }
    fmt::print("\n");
    return {{"verse", verse}, {"tokens", T}, {"heads", j}};
}

// One word in sentences of two senses: the cosine similarities of its output vectors (the residual
// stream after the last layer at the word's last token).
nlohmann::json meaning_experiment(AttentionLm& m, const Backend& be, const ch05::LmData& data, const RunDir& out) {
    struct Use {
        std::string sense, text;
    };
    // " bear": the animal and the verb (to carry, to give birth), each sentence the KJV's.
    const std::vector<Use> uses = {{"animal", "as a bear robbed of her whelps"},
                                   {"animal", "the lion and the bear"},
                                   {"animal", "the cow and the bear shall feed"},
                                   {"animal", "and a bear came out"},
                                   {"verb", "thou shalt bear a son"},
                                   {"verb", "greater than I can bear"},
                                   {"verb", "thou shalt not bear false witness"},
                                   {"verb", "the land was not able to bear them"}};
    const std::vector<std::int32_t> word = data.tokenizer.encode(" bear");
    std::vector<std::vector<float>> outs, ins;
    const std::size_t C = m.config().embed;
    for (const Use& u : uses) {
        const std::vector<std::int32_t> ids = data.tokenizer.encode(u.text);
        // The position of the word's last token in the sentence.
        auto it = std::search(ids.begin(), ids.end(), word.begin(), word.end());
        LADDER_CHECK(it != ids.end(), "meaning: \" bear\" does not tokenize the same way inside \"{}\"", u.text);
        const std::size_t pos = static_cast<std::size_t>(it - ids.begin()) + word.size() - 1;
        std::vector<std::int32_t> prefix(ids.begin(), ids.begin() + long(pos) + 1);   // causal: later words do not matter
        if (prefix.size() > m.config().context) prefix.erase(prefix.begin(), prefix.end() - long(m.config().context));
        m.run(be, prefix, 1, prefix.size());
        const std::size_t last = prefix.size() - 1;
        outs.push_back(m.residual(m.config().layers).view(Shape{C}, last * C).to_vector());
        ins.push_back(m.residual(0).view(Shape{C}, last * C).to_vector());
    }
    auto cosine = [](const std::vector<float>& a, const std::vector<float>& b) {
        double ab = 0, aa = 0, bb = 0;
        for (std::size_t i = 0; i < a.size(); ++i) ab += double(a[i]) * b[i], aa += double(a[i]) * a[i], bb += double(b[i]) * b[i];
        return ab / std::sqrt(aa * bb);
    };
    auto csv = out.csv("meaning.csv", {"i", "j", "sense_i", "sense_j", "cosine_out", "cosine_in"});
    double same = 0, cross = 0, same_in = 0, cross_in = 0;
    std::size_t n_same = 0, n_cross = 0;
    for (std::size_t i = 0; i < uses.size(); ++i)
        for (std::size_t k = i + 1; k < uses.size(); ++k) {
            const double co = cosine(outs[i], outs[k]), ci = cosine(ins[i], ins[k]);
            csv.row(i, k, uses[i].sense, uses[k].sense, co, ci);
            if (uses[i].sense == uses[k].sense)
                same += co, same_in += ci, ++n_same;
            else
                cross += co, cross_in += ci, ++n_cross;
        }
    same /= double(n_same), cross /= double(n_cross), same_in /= double(n_same), cross_in /= double(n_cross);
    fmt::print("Context and meaning: \" bear\" ({} token{}) in {} sentences, 4 animal and 4 verb:\n"
               "  mean cosine of the output vectors: same sense {:.3f}, other sense {:.3f} (input vectors: {:.3f}, {:.3f})\n\n",
               word.size(), word.size() == 1 ? "" : "s", uses.size(), same, cross, same_in, cross_in);
    nlohmann::json j = nlohmann::json::array();
    for (const Use& u : uses) j.push_back({{"sense", u.sense}, {"text", u.text}});
    return {{"word", " bear"}, {"word_tokens", word.size()}, {"sentences", j}, {"same_sense_cosine", same},
            {"other_sense_cosine", cross}, {"same_sense_cosine_input", same_in}, {"other_sense_cosine_input", cross_in}};
}

nlohmann::json samples(LanguageModel& m, const Backend& be, const ch05::LmData& data, const std::string& prompt,
                       std::size_t n, std::uint64_t seed) {
    nlohmann::json j = nlohmann::json::array();
    const std::vector<std::int32_t> p = data.tokenizer.encode(prompt);
    fmt::print("Samples from the {} after \"{}\":\n", m.name(), prompt);
    for (const float temp : {0.7f, 1.0f}) {
        Rng rng(seed);
        const std::vector<std::int32_t> ids = generate(m, be, p, n, temp, rng);
        const std::string text = ch05::show_text(data.tokenizer, ids);
        fmt::print("  T={:.1f}: {}{}\n", temp, prompt, text);
        j.push_back({{"temperature", temp}, {"text", prompt + text}});
    }
    fmt::print("\n");
    return j;
}

int run(Options& o) {
    const RunDir out(o.common.out_dir);
    const bool quick = o.common.quick;
    const Backend be = Backend::parse(o.common.backend);
    set_blas_threads(o.common.threads);
    nlohmann::json summary;
    summary["chapter"] = "ch06";
    summary["backend"] = o.common.backend;
    summary["seed"] = o.common.seed;
    summary["threads"] = o.common.threads;
    fmt::print("Chapter 6: attention, every token looks at every other.\n\n");

    // Chapter 5's token files (made here the same way when chapter 5 has not run).
    const ch05::LmData data = ch05::chapter_lm_data({o.text, o.data_dir, o.vocab, quick, o.progress},
                                                    repo_path("data/samples/ch03_corpus.txt"), out.path());
    fmt::print("Data {}: {} training and {} validation tokens, vocabulary {}\n\n", data.name,
               format_count(static_cast<double>(data.train.size())), format_count(static_cast<double>(data.val.size())),
               data.vocab());
    summary["data"] = {{"name", data.name}, {"train_tokens", data.train.size()}, {"val_tokens", data.val.size()},
                       {"vocab", data.vocab()}};

    // The model, then (with the experiments) the same model with the other positions, on the same
    // budget of steps: the comparison of their losses is the point, so it must be a fair one.
    std::map<std::string, Trained> trained;
    std::vector<LeaderboardRow> rows;
    Plan plan = default_plan(data.vocab(), quick);
    apply_flags(plan, o);
    trained[plan.model.positions] = train_one(plan, data, be, out, "attention", o.resume);
    if (o.experiments) {
        for (const std::string pos : {"learned", "sinusoidal", "none"}) {
            if (trained.count(pos)) continue;
            Plan p = plan;
            p.model.positions = pos;
            p.model.fused = false;
            p.train.progress = false;
            trained[pos] = train_one(p, data, be, out, "attention_" + pos);
        }
    }
    for (auto& [pos, t] : trained) {
        summary["models"][pos] = model_json(t);
        rows.push_back({data.name, "ch06", t.model->name(), t.model->params().count(), t.val_loss, t.bpb,
                        t.result.tokens_per_s, o.common.backend});
    }
    AttentionLm& main_model = *trained[plan.model.positions].model;

    if (o.experiments) {
        nlohmann::json ex;
        ex["order"] = order_experiment(trained, be, data, out);
        ex["sqrt_d"] = sqrt_d_experiment(be, o.common.seed, out);
        ex["scaling"] = scaling_experiment(be, o.max_scaling_T ? o.max_scaling_T : (quick ? 256 : 4096), o.common.seed, out);
        ex["recall"] = recall_experiment(be, quick, o.common.seed, out);
        if (!main_model.config().fused) ex["heads"] = heads_experiment(main_model, be, data, out);
        ex["meaning"] = meaning_experiment(main_model, be, data, out);
        ex["samples"] = samples(main_model, be, data, o.prompt, o.sample_tokens, o.common.seed);
        summary["experiments"] = ex;
    }

    const fs::path board = record_leaderboard(rows, o.leaderboard, quick, out.path(), data.name);
    summary["leaderboard"] = board.string();
    out.write_summary(summary);
    fmt::print("Wrote {} (and the CSVs of the figures)\n", out.file("summary.json").string());
    return 0;
}

}  // namespace
}  // namespace ladder::ch06

int main(int argc, char** argv) {
    using namespace ladder;
    ch06::Options o;
    CLI::App app{"Chapter 6: attention language models trained on chapter 5's KJV tokens, and what attention does"};
    add_common_options(app, o.common, "runs/ch06");
    app.add_option("--steps", o.steps, "training steps (default 1200)");
    app.add_option("--batch", o.batch, "rows per step (default 32)");
    app.add_option("--lr", o.lr, "peak learning rate (default 1e-2)");
    app.add_option("--embed", o.embed, "the width C (default 128)");
    app.add_option("--heads", o.heads, "heads NH; must divide C (default 4)");
    app.add_option("--layers", o.layers, "attention blocks L (default 2)");
    app.add_option("--context", o.context, "the window T (default 64)");
    app.add_option("--positions", o.positions, "learned, sinusoidal or none")
        ->check(CLI::IsMember({"learned", "sinusoidal", "none"}))
        ->capture_default_str();
    app.add_flag("--fused", o.fused, "train with the fused attention path (no (T,T) buffer)");
    app.add_option("--vocab", o.vocab, "BPE vocabulary size (default 2048)");
    app.add_option("--text", o.text, "the text to tokenize (default data/cache/kjv/kjv.txt)");
    app.add_option("--data", o.data_dir, "the token-file directory (default data/cache/lm/kjv-bpe<vocab>)");
    app.add_option("--resume", o.resume, "continue training the model from its checkpoint");
    app.add_option("--leaderboard", o.leaderboard, "the leaderboard file (default runs/leaderboard.json)");
    app.add_option("--max-scaling-T", o.max_scaling_T, "the longest context of the scaling experiment (default 4096)");
    app.add_option("--prompt", o.prompt, "the prompt of the samples")->capture_default_str();
    app.add_option("--sample-tokens", o.sample_tokens, "tokens per sample")->capture_default_str();
    app.add_flag("--no-experiments", [&](std::int64_t) { o.experiments = false; }, "train and report only");
    app.add_flag("--no-progress", [&](std::int64_t) { o.progress = false; }, "no progress lines");
    if (auto code = parse_args(app, argc, argv)) return *code;
    return guarded_main([&] { return ch06::run(o); });
}
