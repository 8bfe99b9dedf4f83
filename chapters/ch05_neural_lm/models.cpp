// models.cpp: forward and backward of the neural bigram, the MLP and the Elman RNN, written on
// the Backend's ops (embedding_gather, linear, tanh, matmul, softmax_xent), so the same code runs
// on cpu, simt and cuda. Introduced in ch05.
#include "chapters/ch05_neural_lm/models.hpp"

#include <cmath>
#include <numeric>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "kernels/embedding_gather/embedding_gather.hpp"
#include "kernels/global_norm/global_norm.hpp"
#include "kernels/linear/linear.hpp"
#include "kernels/matmul/matmul.hpp"
#include "kernels/softmax_xent/softmax_xent.hpp"
#include "kernels/tanh/tanh.hpp"

namespace ladder::ch05 {

// ---- config ----

std::string ModelConfig::json() const {
    nlohmann::json j;
    j["kind"] = kind;
    j["vocab"] = vocab;
    if (kind != "bigram") {
        j["embed"] = embed;
        j["hidden"] = hidden;
    }
    if (kind == "mlp") j["context"] = context;
    if (kind == "rnn") j["seq"] = seq;
    return j.dump();
}

ModelConfig ModelConfig::from_json(const std::string& text) {
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text);
    } catch (const std::exception& e) {
        LADDER_THROW("model config is not JSON ({}): {}", e.what(), text);
    }
    ModelConfig c;
    c.kind = j.value("kind", "");
    c.vocab = j.value("vocab", std::size_t{0});
    c.embed = j.value("embed", c.embed);
    c.hidden = j.value("hidden", c.hidden);
    c.context = j.value("context", c.context);
    c.seq = j.value("seq", c.seq);
    return c;
}

namespace {

// PyTorch's default for a linear layer's weight and bias: U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
std::vector<float> uniform_init(Rng& rng, std::size_t n, std::size_t fan_in) {
    std::vector<float> v(n);
    const float bound = 1.0f / std::sqrt(static_cast<float>(fan_in));
    rng.fill_uniform(v, -bound, bound);
    return v;
}

std::vector<float> normal_init(Rng& rng, std::size_t n, float stddev) {
    std::vector<float> v(n);
    rng.fill_normal(v, 0.0f, stddev);
    return v;
}

// The mean of the first `n` per-target losses (in double: B*T terms).
float mean_loss(const Tensor& losses) {
    const std::vector<float> v = losses.to_vector();
    double s = 0;
    for (float x : v) s += x;
    return static_cast<float>(s / static_cast<double>(v.size()));
}

void check_batch(const char* model, std::span<const std::int32_t> tokens, std::size_t rows, std::size_t window,
                 std::size_t vocab) {
    LADDER_CHECK(rows > 0 && tokens.size() == rows * window, "{}: a batch of {} rows of {} tokens needs {} ids, got {}",
                 model, rows, window, rows * window, tokens.size());
    for (std::size_t i = 0; i < tokens.size(); ++i)
        LADDER_CHECK(tokens[i] >= 0 && static_cast<std::size_t>(tokens[i]) < vocab,
                     "{}: token {} of the batch is {}, outside the vocabulary [0, {})", model, i, tokens[i], vocab);
}

double l2_norm(const Backend& be, const Tensor& x) {
    Tensor out = be.empty(Shape{1});
    global_norm_sq(be, out, x);
    return std::sqrt(static_cast<double>(out.to_vector()[0]));
}

}  // namespace

// ---- the neural bigram ----

NeuralBigram::NeuralBigram(const ModelConfig& cfg, Device device, std::uint64_t)
    : cfg_(cfg), params_({{"wte", Shape{cfg.vocab, cfg.vocab}, false}}, device) {
    LADDER_CHECK(cfg.vocab > 0, "bigram: the vocabulary is empty");
    // All logits 0: every next token equally likely, as a count model with no counts yet.
}

// [book:bigram-forward]
float NeuralBigram::forward(const Backend& be, std::span<const std::int32_t> tokens, std::size_t B) {
    const std::size_t V = cfg_.vocab;
    check_batch("bigram", tokens, B, 2, V);
    if (B != B_) {
        B_ = B;
        ids_ = be.empty(Shape{B}, DType::i32);
        targets_ = be.empty(Shape{B}, DType::i32);
        logits_ = be.empty(Shape{B, V});
        probs_ = be.empty(Shape{B, V});
        dlogits_ = be.empty(Shape{B, V});
        losses_ = be.empty(Shape{B});
        dlosses_ = be.empty(Shape{B});
        dlosses_.fill(1.0f);
    }
    std::vector<std::int32_t> prev(B), next(B);
    for (std::size_t b = 0; b < B; ++b) {
        prev[b] = tokens[2 * b];
        next[b] = tokens[2 * b + 1];
    }
    ids_.copy_from(prev);
    targets_.copy_from(next);
    embedding_gather(be, logits_, params_.value("wte"), ids_);        // (B,V): the row of each previous token
    softmax_xent_forward(be, losses_, probs_, logits_, targets_);     // (B)
    return mean_loss(losses_);
}

void NeuralBigram::backward(const Backend& be) {
    softmax_xent_backward(be, dlogits_, probs_, targets_, dlosses_, static_cast<float>(B_));   // (B,V)
    Tensor dwte = params_.grad("wte");
    embedding_scatter_add(be, dwte, dlogits_, ids_, 1.0f);             // each row back to its table row
}
// [/book]

std::vector<float> NeuralBigram::next_logits(const Backend&, std::int32_t token) {
    const std::size_t V = cfg_.vocab;
    LADDER_CHECK(token >= 0 && static_cast<std::size_t>(token) < V, "bigram: token {} outside [0, {})", token, V);
    return params_.values().view(Shape{V}, params_.view("wte").offset + static_cast<std::size_t>(token) * V).to_vector();
}

// ---- the MLP ----

namespace {
std::vector<ParamSpec> mlp_specs(const ModelConfig& c) {
    const std::size_t V = c.vocab, E = c.embed, H = c.hidden, n = c.context;
    return {{"wte", Shape{V, E}, true},
            {"fc1.weight", Shape{H, n * E}, true},
            {"fc1.bias", Shape{H}, false},
            {"fc2.weight", Shape{V, H}, true},
            {"fc2.bias", Shape{V}, false}};
}
}  // namespace

MlpLm::MlpLm(const ModelConfig& cfg, Device device, std::uint64_t seed) : cfg_(cfg), params_(mlp_specs(cfg), device) {
    LADDER_CHECK(cfg.vocab > 0 && cfg.embed > 0 && cfg.hidden > 0 && cfg.context > 0,
                 "mlp: vocab, embed, hidden and context must be positive ({})", cfg.json());
    const std::size_t V = cfg.vocab, E = cfg.embed, H = cfg.hidden, n = cfg.context;
    Rng rng(seed);
    params_.set_value("wte", normal_init(rng, V * E, 1.0f));
    params_.set_value("fc1.weight", uniform_init(rng, H * n * E, n * E));
    params_.set_value("fc1.bias", uniform_init(rng, H, n * E));
    params_.set_value("fc2.weight", uniform_init(rng, V * H, H));
    params_.set_value("fc2.bias", uniform_init(rng, V, H));
}

std::string MlpLm::name() const {
    return fmt::format("mlp (n={}, E={}, H={})", cfg_.context, cfg_.embed, cfg_.hidden);
}

void MlpLm::resize(const Backend& be, std::size_t B) {
    if (B == B_) return;
    B_ = B;
    const std::size_t V = cfg_.vocab, E = cfg_.embed, H = cfg_.hidden, n = cfg_.context;
    ids_ = be.empty(Shape{B * n}, DType::i32);
    targets_ = be.empty(Shape{B}, DType::i32);
    emb_ = be.empty(Shape{B * n, E});
    pre_ = be.empty(Shape{B, H});
    hidden_ = be.empty(Shape{B, H});
    logits_ = be.empty(Shape{B, V});
    probs_ = be.empty(Shape{B, V});
    losses_ = be.empty(Shape{B});
    dlosses_ = be.empty(Shape{B});
    dlosses_.fill(1.0f);
    dlogits_ = be.empty(Shape{B, V});
    dhidden_ = be.empty(Shape{B, H});
    dpre_ = be.empty(Shape{B, H});
    demb_ = be.empty(Shape{B * n, E});
}

// [book:mlp-forward]
float MlpLm::forward(const Backend& be, std::span<const std::int32_t> tokens, std::size_t B) {
    const std::size_t n = cfg_.context, E = cfg_.embed;
    check_batch("mlp", tokens, B, n + 1, cfg_.vocab);
    resize(be, B);
    std::vector<std::int32_t> context(B * n), next(B);
    for (std::size_t b = 0; b < B; ++b) {
        const std::int32_t* row = tokens.data() + b * (n + 1);
        std::copy(row, row + n, context.begin() + static_cast<std::ptrdiff_t>(b * n));
        next[b] = row[n];
    }
    ids_.copy_from(context);
    targets_.copy_from(next);
    embedding_gather(be, emb_, params_.value("wte"), ids_);                                       // (B*n, E)
    const Tensor x = emb_.reshape(Shape{B, n * E});                                                // (B, n*E): concatenated
    const Tensor b1 = params_.value("fc1.bias"), b2 = params_.value("fc2.bias");
    linear_forward(be, pre_, x, params_.value("fc1.weight"), &b1);                                // (B, H)
    tanh_forward(be, hidden_, pre_);                                                                // (B, H)
    linear_forward(be, logits_, hidden_, params_.value("fc2.weight"), &b2);                       // (B, V)
    softmax_xent_forward(be, losses_, probs_, logits_, targets_);                                   // (B)
    return mean_loss(losses_);
}
// [/book]

// [book:mlp-backward]
void MlpLm::backward(const Backend& be) {
    const std::size_t B = B_, n = cfg_.context, E = cfg_.embed;
    // forward: losses = softmax_xent(logits); the mean over B rows.
    softmax_xent_backward(be, dlogits_, probs_, targets_, dlosses_, static_cast<float>(B));        // (B, V)
    // forward: logits = hidden fc2^T + b2
    Tensor dw2 = params_.grad("fc2.weight"), db2 = params_.grad("fc2.bias");
    dhidden_.fill_zero();
    linear_backward(be, &dhidden_, dw2, &db2, dlogits_, hidden_, params_.value("fc2.weight"));
    // forward: hidden = tanh(pre)
    dpre_.fill_zero();
    tanh_backward(be, dpre_, hidden_, dhidden_);
    // forward: pre = x fc1^T + b1, x = the concatenated embeddings
    Tensor dw1 = params_.grad("fc1.weight"), db1 = params_.grad("fc1.bias");
    demb_.fill_zero();
    Tensor dx = demb_.reshape(Shape{B, n * E});
    linear_backward(be, &dx, dw1, &db1, dpre_, emb_.reshape(Shape{B, n * E}), params_.value("fc1.weight"));
    // forward: emb = wte[ids]: each row's gradient goes back to its token's row
    Tensor dwte = params_.grad("wte");
    embedding_scatter_add(be, dwte, demb_, ids_, 1.0f);
}
// [/book]

void MlpLm::start_generation(const Backend&) { gen_context_.clear(); }

std::vector<float> MlpLm::next_logits(const Backend& be, std::int32_t token) {
    const std::size_t n = cfg_.context, E = cfg_.embed;
    LADDER_CHECK(token >= 0 && static_cast<std::size_t>(token) < cfg_.vocab, "mlp: token {} outside [0, {})", token,
                 cfg_.vocab);
    // Before n tokens have been seen, the context is padded on the left with the first one.
    if (gen_context_.empty()) gen_context_.assign(n, token);
    gen_context_.erase(gen_context_.begin());
    gen_context_.push_back(token);
    resize(be, 1);
    ids_.copy_from(gen_context_);
    embedding_gather(be, emb_, params_.value("wte"), ids_);
    const Tensor b1 = params_.value("fc1.bias"), b2 = params_.value("fc2.bias");
    linear_forward(be, pre_, emb_.reshape(Shape{1, n * E}), params_.value("fc1.weight"), &b1);
    tanh_forward(be, hidden_, pre_);
    linear_forward(be, logits_, hidden_, params_.value("fc2.weight"), &b2);
    return logits_.to_vector();
}

// ---- the RNN ----

namespace {
std::vector<ParamSpec> rnn_specs(const ModelConfig& c) {
    const std::size_t V = c.vocab, E = c.embed, H = c.hidden;
    return {{"wte", Shape{V, E}, true},       {"rnn.w_xh", Shape{H, E}, true},     {"rnn.w_hh", Shape{H, H}, true},
            {"rnn.b_h", Shape{H}, false},     {"head.weight", Shape{V, H}, true}, {"head.bias", Shape{V}, false}};
}
}  // namespace

RnnLm::RnnLm(const ModelConfig& cfg, Device device, std::uint64_t seed) : cfg_(cfg), params_(rnn_specs(cfg), device) {
    LADDER_CHECK(cfg.vocab > 0 && cfg.embed > 0 && cfg.hidden > 0 && cfg.seq > 0,
                 "rnn: vocab, embed, hidden and seq must be positive ({})", cfg.json());
    const std::size_t V = cfg.vocab, E = cfg.embed, H = cfg.hidden;
    Rng rng(seed);
    params_.set_value("wte", normal_init(rng, V * E, 1.0f));
    // PyTorch's nn.RNN: every weight and bias U(-1/sqrt(H), 1/sqrt(H)).
    params_.set_value("rnn.w_xh", uniform_init(rng, H * E, H));
    params_.set_value("rnn.w_hh", uniform_init(rng, H * H, H));
    params_.set_value("rnn.b_h", uniform_init(rng, H, H));
    params_.set_value("head.weight", uniform_init(rng, V * H, H));
    params_.set_value("head.bias", uniform_init(rng, V, H));
}

std::string RnnLm::name() const { return fmt::format("rnn (T={}, E={}, H={})", cfg_.seq, cfg_.embed, cfg_.hidden); }

void RnnLm::resize(const Backend& be, std::size_t B) {
    if (B == B_) return;
    B_ = B;
    const std::size_t V = cfg_.vocab, E = cfg_.embed, H = cfg_.hidden, T = cfg_.seq;
    ids_ = be.empty(Shape{T * B}, DType::i32);
    targets_ = be.empty(Shape{T * B}, DType::i32);
    emb_ = be.empty(Shape{T * B, E});
    pre_ = be.empty(Shape{T * B, H});
    hs_ = be.empty(Shape{(T + 1) * B, H});
    logits_ = be.empty(Shape{T * B, V});
    probs_ = be.empty(Shape{T * B, V});
    losses_ = be.empty(Shape{T * B});
    dlosses_ = be.empty(Shape{T * B});
    dlosses_.fill(1.0f);
    dlogits_ = be.empty(Shape{T * B, V});
    dhs_ = be.empty(Shape{(T + 1) * B, H});
    dpre_ = be.empty(Shape{T * B, H});
    demb_ = be.empty(Shape{T * B, E});
}

void RnnLm::reset_state(const Backend& be, std::size_t rows) {
    if (carried_.defined() && carried_.dim(0) == rows) carried_.fill_zero();
    else carried_ = be.zeros(Shape{rows, cfg_.hidden});
}

// [book:rnn-forward]
float RnnLm::forward(const Backend& be, std::span<const std::int32_t> tokens, std::size_t B) {
    const std::size_t T = cfg_.seq, H = cfg_.hidden;
    check_batch("rnn", tokens, B, T + 1, cfg_.vocab);
    resize(be, B);
    if (!carried_.defined() || carried_.dim(0) != B) reset_state(be, B);   // B new streams start from zeros
    // Time-major: position t of every row is one contiguous (B, .) slice.
    std::vector<std::int32_t> ids(T * B), next(T * B);
    for (std::size_t b = 0; b < B; ++b)
        for (std::size_t t = 0; t < T; ++t) {
            ids[t * B + b] = tokens[b * (T + 1) + t];
            next[t * B + b] = tokens[b * (T + 1) + t + 1];
        }
    ids_.copy_from(ids);
    targets_.copy_from(next);
    embedding_gather(be, emb_, params_.value("wte"), ids_);                             // (T*B, E)
    const Tensor b_h = params_.value("rnn.b_h"), w_hh = params_.value("rnn.w_hh");
    linear_forward(be, pre_, emb_, params_.value("rnn.w_xh"), &b_h);                    // (T*B, H): every x_t w_xh^T + b
    copy_on_device(be.device(), hs_.data(), carried_.data(), carried_.nbytes());       // h_{-1}: the carried state
    const std::size_t slice = B * H;
    for (std::size_t t = 0; t < T; ++t) {
        Tensor pre_t = pre_.view(Shape{B, H}, t * slice);
        const Tensor h_prev = hs_.view(Shape{B, H}, t * slice);
        Tensor h_t = hs_.view(Shape{B, H}, (t + 1) * slice);
        matmul(be, pre_t, h_prev, w_hh, false, true, 1.0f, 1.0f);                      // pre_t += h_{t-1} w_hh^T
        tanh_forward(be, h_t, pre_t);                                                   // h_t = tanh(pre_t)
    }
    copy_on_device(be.device(), carried_.data(), hs_.data() + T * slice, carried_.nbytes());   // for the next batch
    const Tensor b_head = params_.value("head.bias");
    linear_forward(be, logits_, hs_.view(Shape{T * B, H}, slice), params_.value("head.weight"), &b_head);   // (T*B, V)
    softmax_xent_forward(be, losses_, probs_, logits_, targets_);                       // (T*B)
    return mean_loss(losses_);
}
// [/book]

void RnnLm::backward(const Backend& be) { backward_from(be, dlosses_, nullptr); }

// [book:rnn-backward]
void RnnLm::backward_from(const Backend& be, const Tensor& dlosses, std::vector<double>* dh_norms) {
    const std::size_t B = B_, T = cfg_.seq, H = cfg_.hidden, slice = B * H;
    softmax_xent_backward(be, dlogits_, probs_, targets_, dlosses, static_cast<float>(T * B));   // (T*B, V)
    // forward: logits = hs[1..T] head^T + head_b
    Tensor dw_head = params_.grad("head.weight"), db_head = params_.grad("head.bias");
    dhs_.fill_zero();
    Tensor dhs_out = dhs_.view(Shape{T * B, H}, slice);
    linear_backward(be, &dhs_out, dw_head, &db_head, dlogits_, hs_.view(Shape{T * B, H}, slice),
                    params_.value("head.weight"));
    // Back through time: dh_t holds the gradient from position t's own loss; what reaches it
    // from t+1 is added at step t+1, before step t reads it.
    const Tensor w_hh = params_.value("rnn.w_hh");
    Tensor dw_hh = params_.grad("rnn.w_hh");
    dpre_.fill_zero();
    if (dh_norms) dh_norms->assign(T, 0.0);
    for (std::size_t t = T; t-- > 0;) {
        const Tensor h_t = hs_.view(Shape{B, H}, (t + 1) * slice);
        const Tensor h_prev = hs_.view(Shape{B, H}, t * slice);
        const Tensor dh_t = dhs_.view(Shape{B, H}, (t + 1) * slice);
        Tensor dh_prev = dhs_.view(Shape{B, H}, t * slice);
        Tensor dpre_t = dpre_.view(Shape{B, H}, t * slice);
        if (dh_norms) (*dh_norms)[t] = l2_norm(be, dh_t);
        tanh_backward(be, dpre_t, h_t, dh_t);                             // forward: h_t = tanh(pre_t)
        matmul(be, dw_hh, dpre_t, h_prev, true, false, 1.0f, 1.0f);       // forward: pre_t += h_{t-1} w_hh^T
        matmul(be, dh_prev, dpre_t, w_hh, false, false, 1.0f, 1.0f);      //   so dw_hh += dpre_t^T h_{t-1}, dh_{t-1} += dpre_t w_hh
    }
    // dh_{-1} (the first slice of dhs) would flow into the previous batch: truncated here.
    // forward: pre = emb w_xh^T + b_h, emb = wte[ids]
    Tensor dw_xh = params_.grad("rnn.w_xh"), db_h = params_.grad("rnn.b_h");
    demb_.fill_zero();
    linear_backward(be, &demb_, dw_xh, &db_h, dpre_, emb_, params_.value("rnn.w_xh"));
    Tensor dwte = params_.grad("wte");
    embedding_scatter_add(be, dwte, demb_, ids_, 1.0f);
}
// [/book]

std::vector<double> RnnLm::loss_by_position() const {
    const std::size_t B = B_, T = cfg_.seq;
    LADDER_CHECK(B > 0, "rnn: loss_by_position before any forward");
    const std::vector<float> v = losses_.to_vector();
    std::vector<double> out(T, 0.0);
    for (std::size_t t = 0; t < T; ++t) {
        for (std::size_t b = 0; b < B; ++b) out[t] += v[t * B + b];
        out[t] /= static_cast<double>(B);
    }
    return out;
}

std::vector<double> RnnLm::hidden_grad_norms(const Backend& be) {
    const std::size_t B = B_, T = cfg_.seq;
    LADDER_CHECK(B > 0, "rnn: hidden_grad_norms before any forward");
    // Only the last position's losses, averaged over the rows: dlosses = 1 there, 0 elsewhere,
    // scaled so that backward's division by T*B becomes a division by B.
    std::vector<float> d(T * B, 0.0f);
    for (std::size_t b = 0; b < B; ++b) d[(T - 1) * B + b] = static_cast<float>(T);
    const Tensor dlosses = be.upload(d, Shape{T * B});
    std::vector<double> norms;
    params_.zero_grad();
    backward_from(be, dlosses, &norms);
    params_.zero_grad();
    return norms;
}

void RnnLm::start_generation(const Backend& be) {
    const std::size_t V = cfg_.vocab, E = cfg_.embed, H = cfg_.hidden;
    gen_h_ = be.zeros(Shape{1, H});
    gen_x_ = be.empty(Shape{1, E});
    gen_pre_ = be.empty(Shape{1, H});
    gen_logits_ = be.empty(Shape{1, V});
    gen_id_ = be.empty(Shape{1}, DType::i32);
}

std::vector<float> RnnLm::next_logits(const Backend& be, std::int32_t token) {
    LADDER_CHECK(gen_h_.defined(), "rnn: next_logits before start_generation");
    LADDER_CHECK(token >= 0 && static_cast<std::size_t>(token) < cfg_.vocab, "rnn: token {} outside [0, {})", token,
                 cfg_.vocab);
    gen_id_.copy_from(std::vector<std::int32_t>{token});
    embedding_gather(be, gen_x_, params_.value("wte"), gen_id_);
    const Tensor b_h = params_.value("rnn.b_h"), b_head = params_.value("head.bias");
    linear_forward(be, gen_pre_, gen_x_, params_.value("rnn.w_xh"), &b_h);
    matmul(be, gen_pre_, gen_h_, params_.value("rnn.w_hh"), false, true, 1.0f, 1.0f);
    tanh_forward(be, gen_h_, gen_pre_);                       // the state: H floats, whatever the length so far
    linear_forward(be, gen_logits_, gen_h_, params_.value("head.weight"), &b_head);
    return gen_logits_.to_vector();
}

// ---- factory ----

std::unique_ptr<LanguageModel> make_model(const ModelConfig& cfg, Device device, std::uint64_t seed) {
    if (cfg.kind == "bigram") return std::make_unique<NeuralBigram>(cfg, device, seed);
    if (cfg.kind == "mlp") return std::make_unique<MlpLm>(cfg, device, seed);
    if (cfg.kind == "rnn") return std::make_unique<RnnLm>(cfg, device, seed);
    LADDER_THROW("unknown model '{}': choose bigram, mlp or rnn", cfg.kind);
}

}  // namespace ladder::ch05
