// trainer_cpu.cpp: the multi-threaded CPU SGNS trainer, in plain C++ (no xtensor: this loop
// is the chapter's speed, and it is written so that g++ -O2 vectorises it). Two ways to draw
// negatives: fresh ones for every (context, centre) pair, as word2vec.c (train_pair), or, the
// default (TrainConfig::share_negatives), one set per centre word shared by its whole window
// (Ji et al. 2016), so that a window's update is three small matrix products instead of many
// dot products over scattered rows (train_window): about twice as fast, and as accurate on
// this chapter's analogy questions (book/ch03_word2vec.md, Results).
// w_in, w_out (V,D). Introduced in ch03.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <mutex>
#include <optional>
#include <thread>

#include "chapters/ch03_word2vec/trainer.hpp"
#include "core/cli.hpp"
#include "core/error.hpp"
#include "core/nn/schedule.hpp"
#include "core/rng.hpp"

namespace ladder::ch03 {

namespace {

// ---- vector helpers: fixed blocks of 8 lanes that g++ -O2 turns into SIMD ----
// The sum order is written out (8 partial sums, then a fixed tree), so the result does not
// depend on the compiler or the vector width: no -ffast-math needed, runs reproducible.
inline float dot(const float* __restrict a, const float* __restrict b, std::size_t D) {
    float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    std::size_t j = 0;
    for (; j + 8 <= D; j += 8)
        for (int l = 0; l < 8; ++l) acc[l] += a[j + l] * b[j + l];
    float s = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
    for (; j < D; ++j) s += a[j] * b[j];
    return s;
}

inline void axpy(float* __restrict y, float a, const float* __restrict x, std::size_t D) {
    std::size_t j = 0;
    for (; j + 8 <= D; j += 8)
        for (int l = 0; l < 8; ++l) y[j + l] += a * x[j + l];
    for (; j < D; ++j) y[j] += a * x[j];
}

// sigmoid and softplus from tables over [-6, 6] (word2vec.c's EXP_TABLE: 1000 slots).
constexpr float kMaxExp = 6.0f;
constexpr int kTable = 1000;
struct Tables {
    float sigmoid[kTable + 1], softplus[kTable + 1];
    Tables() {
        for (int i = 0; i <= kTable; ++i) {
            const double x = (2.0 * i / kTable - 1.0) * kMaxExp;
            sigmoid[i] = static_cast<float>(1 / (1 + std::exp(-x)));
            softplus[i] = static_cast<float>(std::log1p(std::exp(x)));
        }
    }
};
const Tables kTables;
inline int slot(float x) { return static_cast<int>((x + kMaxExp) * (kTable / kMaxExp / 2)); }
inline float sigmoid(float x) { return x > kMaxExp ? 1.0f : x < -kMaxExp ? 0.0f : kTables.sigmoid[slot(x)]; }
inline float softplus(float x) { return x > kMaxExp ? x : x < -kMaxExp ? 0.0f : kTables.softplus[slot(x)]; }

// neu += g v and v += g u in one pass over v (word2vec.c's two loops, fused).
inline void update_pair(float* __restrict neu, float* __restrict v, float g, const float* __restrict u, std::size_t D) {
    std::size_t j = 0;
    for (; j + 8 <= D; j += 8)
        for (int l = 0; l < 8; ++l) {
            const float vj = v[j + l];
            neu[j + l] += g * vj;
            v[j + l] = vj + g * u[j + l];
        }
    for (; j < D; ++j) {
        const float vj = v[j];
        neu[j] += g * vj;
        v[j] = vj + g * u[j];
    }
}

constexpr std::size_t kMaxK1 = 64;

struct Shared {
    Shared(const Corpus& c, const TrainConfig& cf, std::vector<std::uint32_t> k, std::vector<std::int32_t> t, float* wi,
           float* wo)
        : corpus(c), cfg(cf), keep(std::move(k)), table(std::move(t)), w_in(wi), w_out(wo) {}
    const Corpus& corpus;
    const TrainConfig& cfg;
    std::vector<std::uint32_t> keep;
    std::vector<std::int32_t> table;
    float* w_in;
    float* w_out;
    std::uint64_t total_words = 0;        // corpus ids x epochs
    std::atomic<std::uint64_t> done{0};   // words processed by all threads
    std::mutex mu;
    double loss_sum = 0, loss_pairs = 0;  // since the last curve point (under mu)
    std::vector<LossPoint> curve;
    Timer timer;
};

// [book:train-pair]
// One (context, centre) pair, as word2vec.c trains it: the context's vector u = w_in[ctx]
// against out[0] (the centre, label 1) and out[1..K1) (K fresh negatives, label 0):
//   s_k = u.v_k,  g_k = lr (label_k - sigmoid(s_k))   every score first, from the old rows
//   neu = sum_k g_k v_k,  v_k += g_k u                  one pass over each v_k
//   u += neu                                            (every output saw the old u)
// Returns the summed loss sum_k softplus(-+s_k).
float train_pair(float* w_in, float* w_out, std::int32_t ctx, const std::int32_t* out, std::size_t K1, std::size_t D,
                 float lr, float* neu /* (D) scratch */) {
    float* u = w_in + static_cast<std::size_t>(ctx) * D;
    float g[kMaxK1];
    float loss = 0.0f;
    for (std::size_t k = 0; k < K1; ++k) {
        if (k > 0 && out[k] == out[0]) {   // a negative that is the centre itself: skip it
            g[k] = 0.0f;
            continue;
        }
        const float s = dot(u, w_out + static_cast<std::size_t>(out[k]) * D, D);
        loss += softplus(k == 0 ? -s : s);
        g[k] = ((k == 0 ? 1.0f : 0.0f) - sigmoid(s)) * lr;
    }
    std::fill(neu, neu + D, 0.0f);
    for (std::size_t k = 0; k < K1; ++k) update_pair(neu, w_out + static_cast<std::size_t>(out[k]) * D, g[k], u, D);
    axpy(u, 1.0f, neu, D);
    return loss;
}
// [/book]

// [book:train-window]
// The speed route (the default): one centre word with its whole window. `ctx` (nc ids)
// are the inputs, `out` (K1 ids) the centre (label 1) and K negatives (label 0) shared by the
// whole window. With U = w_in[ctx] (nc,D) and O = w_out[out] (K1,D):
//   G = U O^T                  (nc,K1)  every score at once, from the old vectors
//   E = lr (labels - sigmoid(G))        the error signal (word2vec.c's g, per pair)
//   U += E O,  O += E^T U               both from the old U and O
// Returns the summed loss sum_c sum_k softplus(-+G[c][k]).
float train_window(float* w_in, float* w_out, const std::int32_t* ctx, std::size_t nc, const std::int32_t* out,
                   std::size_t K1, std::size_t D, float lr, float* neu /* (nc,D) scratch */) {
    float e[2 * 64][kMaxK1];
    float loss = 0.0f;
    for (std::size_t c = 0; c < nc; ++c) {
        const float* u = w_in + static_cast<std::size_t>(ctx[c]) * D;
        for (std::size_t k = 0; k < K1; ++k) {
            if (k > 0 && out[k] == out[0]) {   // a negative that is the centre itself: skip it
                e[c][k] = 0.0f;
                continue;
            }
            const float s = dot(u, w_out + static_cast<std::size_t>(out[k]) * D, D);
            loss += softplus(k == 0 ? -s : s);
            e[c][k] = ((k == 0 ? 1.0f : 0.0f) - sigmoid(s)) * lr;
        }
    }
    for (std::size_t c = 0; c < nc; ++c) {                      // neu = E O (from the old O)
        float* n_c = neu + c * D;
        std::fill(n_c, n_c + D, 0.0f);
        for (std::size_t k = 0; k < K1; ++k) axpy(n_c, e[c][k], w_out + static_cast<std::size_t>(out[k]) * D, D);
    }
    for (std::size_t k = 0; k < K1; ++k) {                      // O += E^T U (from the old U)
        float* o_k = w_out + static_cast<std::size_t>(out[k]) * D;
        for (std::size_t c = 0; c < nc; ++c) axpy(o_k, e[c][k], w_in + static_cast<std::size_t>(ctx[c]) * D, D);
    }
    for (std::size_t c = 0; c < nc; ++c) axpy(w_in + static_cast<std::size_t>(ctx[c]) * D, 1.0f, neu + c * D, D);
    return loss;
}
// [/book]

// [book:negatives]
// Asks the cache for a row of D floats ahead of its use (a hint: it changes no result).
inline void prefetch_row(const float* row, std::size_t D) {
    for (std::size_t j = 0; j < D; j += 16) __builtin_prefetch(row + j);   // one per 64-byte line
    __builtin_prefetch(row + D - 1);
}

// Negatives, drawn ahead. A negative costs two cache misses: its slot of the 16 MiB table, then
// its row of w_out. A pipeline hides both: each slot is drawn (and its table entry prefetched)
// 2L draws before its word is used, and the word is read (and its row prefetched) L draws before.
// Its own random stream: the words drawn are independent of the window draws.
class Negatives {
public:
    Negatives(const std::int32_t* table, std::size_t size, const float* w_out, std::size_t D, Rng rng)
        : table_(table), size_(size), w_out_(w_out), D_(D), rng_(rng) {
        for (std::size_t i = 0; i < kAhead; ++i) slots_[i] = draw_slot();
        for (std::size_t i = 0; i < kAhead; ++i) advance(i);
    }
    std::int32_t next() {
        const std::int32_t w = words_[pos_];
        advance(pos_);
        pos_ = (pos_ + 1) % kAhead;
        return w;
    }

private:
    static constexpr std::size_t kAhead = 16;   // L: about three pairs' worth of negatives
    std::uint64_t draw_slot() {
        const std::uint64_t s = ((rng_.next() >> 32) * size_) >> 32;   // uniform in [0, size)
        __builtin_prefetch(table_ + s);
        return s;
    }
    void advance(std::size_t i) {   // slot -> word (prefetch its row), a fresh slot in its place
        words_[i] = table_[slots_[i]];
        prefetch_row(w_out_ + static_cast<std::size_t>(words_[i]) * D_, D_);
        slots_[i] = draw_slot();
    }
    const std::int32_t* table_;
    std::uint64_t size_;
    const float* w_out_;
    std::size_t D_;
    Rng rng_;
    std::uint64_t slots_[kAhead];
    std::int32_t words_[kAhead];
    std::size_t pos_ = 0;
};
// [/book]

// One worker: sentences [s0, s1) for every epoch. `progress`: the line to draw (worker 0's;
// nullptr for the others, or when it is off).
void worker(Shared& sh, std::size_t s0, std::size_t s1, Rng rng, Progress* progress) {
    const TrainConfig& cfg = sh.cfg;
    const std::size_t D = cfg.dim, W = cfg.window, K1 = cfg.negative + 1;
    std::vector<std::int32_t> kept, ctx(2 * W), out(K1);
    std::vector<float> neu(2 * W * D);
    double loss_sum = 0, pairs = 0;
    std::uint64_t pending = 0;   // words not yet added to sh.done
    float lr = static_cast<float>(cfg.alpha);
    // alpha decays linearly to min_alpha by words done (the frame's schedule, stepped by words);
    // over total_words + 1, so the last word still trains a little above min_alpha.
    const LrSchedule schedule{LrSchedule::Kind::linear, cfg.alpha, cfg.min_alpha, 0, sh.total_words + 1};
    Negatives negatives(sh.table.data(), sh.table.size(), sh.w_out, D, rng.split(1));
    auto publish = [&] {
        const std::uint64_t done = sh.done.fetch_add(pending) + pending;
        pending = 0;
        lr = static_cast<float>(schedule.at(done));
        std::lock_guard<std::mutex> lock(sh.mu);
        sh.loss_sum += loss_sum;
        sh.loss_pairs += pairs;
        loss_sum = pairs = 0;
        // A curve point at every 1% of the words (whichever thread crosses it records it).
        const double step = static_cast<double>(sh.total_words) / 100.0;
        const double last = sh.curve.empty() ? 0 : sh.curve.back().words;
        if (static_cast<double>(done) - last >= step && sh.loss_pairs > 0) {
            sh.curve.push_back({static_cast<double>(done), sh.loss_sum / sh.loss_pairs, lr, sh.timer.seconds()});
            sh.loss_sum = sh.loss_pairs = 0;
        }
        if (progress && !sh.curve.empty())
            progress->update(static_cast<double>(done), {{"loss", sh.curve.back().loss}, {"lr", lr, 5}});
    };
    for (std::size_t epoch = 0; epoch < cfg.epochs; ++epoch) {
        for (std::size_t s = s0; s < s1; ++s) {
            const std::int32_t* sent = sh.corpus.ids.data() + sh.corpus.starts[s];
            const std::size_t len = sh.corpus.starts[s + 1] - sh.corpus.starts[s];
            // Subsampling: frequent words are dropped at random before the windows are formed.
            kept.clear();
            for (std::size_t i = 0; i < len; ++i) {
                const std::uint32_t k = sh.keep[sent[i]];
                if (k == 0xffffffffu || static_cast<std::uint32_t>(rng.next() >> 32) < k) kept.push_back(sent[i]);
            }
            const std::size_t n = kept.size();
            // [book:train-loop]
            for (std::size_t i = 0; i < n; ++i) {
                // Dynamic window: b in 1..W words on each side, nearer words count more often.
                const std::size_t b = 1 + static_cast<std::size_t>(rng.below(W));
                std::size_t nc = 0;
                for (std::size_t j = i >= b ? i - b : 0; j <= i + b && j < n; ++j)
                    if (j != i) ctx[nc++] = kept[j];
                if (nc == 0) continue;
                out[0] = kept[i];
                if (!cfg.share_negatives) {   // --per-pair-negatives, word2vec.c's way: fresh ones for every pair
                    for (std::size_t c = 0; c < nc; ++c) {
                        for (std::size_t k = 1; k < K1; ++k) out[k] = negatives.next();
                        loss_sum += train_pair(sh.w_in, sh.w_out, ctx[c], out.data(), K1, D, lr, neu.data());
                    }
                } else {                      // the default: one set for the whole window
                    for (std::size_t k = 1; k < K1; ++k) out[k] = negatives.next();
                    loss_sum += train_window(sh.w_in, sh.w_out, ctx.data(), nc, out.data(), K1, D, lr, neu.data());
                }
                pairs += static_cast<double>(nc);
            }
            // [/book]
            pending += len;
            if (pending >= 10000) publish();
        }
    }
    publish();
}

}  // namespace

TrainResult train_cpu(const Corpus& corpus, const Vocab& vocab, const TrainConfig& cfg) {
    LADDER_CHECK(cfg.dim >= 1 && cfg.window >= 1 && cfg.epochs >= 1, "train: --dim, --window and --epochs must be >= 1");
    LADDER_CHECK(cfg.negative + 1 <= kMaxK1 && cfg.window <= 64, "train: --negative must be < {} and --window <= 64", kMaxK1);
    LADDER_CHECK(cfg.threads >= 1, "train: --threads must be >= 1");
    const std::size_t V = vocab.size(), D = cfg.dim;
    TrainResult r;
    // word2vec's initialisation: inputs uniform in (-0.5, 0.5) / D, outputs zero.
    r.w_in.resize(V * D);
    r.w_out.assign(V * D, 0.0f);
    Rng rng(cfg.seed);
    rng.fill_uniform(r.w_in, -0.5f / static_cast<float>(D), 0.5f / static_cast<float>(D));
    Shared sh(corpus, cfg, keep_thresholds(vocab, cfg.sample), unigram_table(vocab, cfg.table_size), r.w_in.data(),
              r.w_out.data());
    sh.total_words = static_cast<std::uint64_t>(corpus.ids.size()) * cfg.epochs;
    std::optional<Progress> progress;
    if (cfg.progress) progress.emplace("train", static_cast<double>(sh.total_words), "words");
    // Contiguous shares of the sentences with about the same number of words each.
    const unsigned T = std::min<unsigned>(cfg.threads, static_cast<unsigned>(std::max<std::size_t>(1, corpus.sentences())));
    std::vector<std::size_t> bounds{0};
    for (unsigned t = 1; t < T; ++t) {
        const std::size_t target = corpus.ids.size() * t / T;
        bounds.push_back(static_cast<std::size_t>(
            std::upper_bound(corpus.starts.begin(), corpus.starts.end() - 1, target) - corpus.starts.begin()));
    }
    bounds.push_back(corpus.sentences());
    sh.timer.reset();
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < T; ++t)
        pool.emplace_back(worker, std::ref(sh), bounds[t], bounds[t + 1], rng.split(t), nullptr);
    worker(sh, bounds[0], bounds[1], rng.split(0), progress ? &*progress : nullptr);
    for (auto& th : pool) th.join();
    r.seconds = sh.timer.seconds();
    r.curve = std::move(sh.curve);
    r.words_per_sec = static_cast<double>(corpus.raw_words) * static_cast<double>(cfg.epochs) / r.seconds;
    // Final loss: the mean of the last 5% of the curve's points (at least one).
    const std::size_t tail = std::max<std::size_t>(1, r.curve.size() / 20);
    for (std::size_t i = r.curve.size() - std::min(tail, r.curve.size()); i < r.curve.size(); ++i)
        r.final_loss += r.curve[i].loss / static_cast<double>(std::min(tail, r.curve.size()));
    if (progress) progress->finish({{"loss", r.final_loss}, {"lr", cfg.min_alpha, 5}});
    return r;
}

}  // namespace ladder::ch03
