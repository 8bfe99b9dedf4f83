// attention_lm.cpp: the attention language model's forward and backward on the Backend's ops
// (embedding_gather, add, linear, split_qkv, attention, merge_heads, softmax_xent), so the same code
// runs on cpu, simt and cuda. Introduced in ch06.
#include "chapters/ch06_attention/attention_lm.hpp"

#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/nn/positions.hpp"
#include "core/rng.hpp"
#include "kernels/attention/attention.hpp"
#include "kernels/embedding_gather/embedding_gather.hpp"
#include "kernels/heads/heads.hpp"
#include "kernels/linear/linear.hpp"
#include "kernels/softmax_xent/softmax_xent.hpp"
#include "kernels/vector_add/vector_add.hpp"

namespace ladder::ch06 {

// ---- config ----

std::string AttentionConfig::json() const {
    return nlohmann::json{{"kind", "attention"}, {"vocab", vocab},   {"embed", embed},         {"heads", heads},
                          {"layers", layers},    {"context", context}, {"positions", positions}, {"fused", fused}}
        .dump();
}

AttentionConfig AttentionConfig::from_json(const std::string& text) {
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text);
    } catch (const std::exception& e) {
        LADDER_THROW("model config is not JSON ({}): {}", e.what(), text);
    }
    LADDER_CHECK(j.value("kind", "") == "attention", "model config: kind \"{}\" is not chapter 6's attention model: {}",
                 j.value("kind", ""), text);
    AttentionConfig c;
    c.vocab = j.value("vocab", std::size_t{0});
    c.embed = j.value("embed", c.embed);
    c.heads = j.value("heads", c.heads);
    c.layers = j.value("layers", c.layers);
    c.context = j.value("context", c.context);
    c.positions = j.value("positions", c.positions);
    c.fused = j.value("fused", c.fused);
    return c;
}

namespace {

std::string layer_name(std::size_t l, const char* what) { return fmt::format("h.{}.attn.{}", l, what); }

std::vector<ParamSpec> specs(const AttentionConfig& c) {
    const std::size_t V = c.vocab, C = c.embed;
    std::vector<ParamSpec> s{{"wte", Shape{V, C}, true}};
    if (c.positions == "learned") s.push_back({"wpe", Shape{c.context, C}, true});
    for (std::size_t l = 0; l < c.layers; ++l) {
        s.push_back({layer_name(l, "c_attn.weight"), Shape{3 * C, C}, true});
        s.push_back({layer_name(l, "c_attn.bias"), Shape{3 * C}, false});
        s.push_back({layer_name(l, "c_proj.weight"), Shape{C, C}, true});
        s.push_back({layer_name(l, "c_proj.bias"), Shape{C}, false});
    }
    s.push_back({"lm_head.weight", Shape{V, C}, true});
    s.push_back({"lm_head.bias", Shape{V}, false});
    return s;
}

const AttentionConfig& checked(const AttentionConfig& c) {
    LADDER_CHECK(c.vocab > 0 && c.embed > 0 && c.layers > 0 && c.context > 0,
                 "attention: vocab, embed, layers and context must be positive ({})", c.json());
    LADDER_CHECK(c.heads > 0 && c.embed % c.heads == 0, "attention: {} heads do not divide the width C = {}", c.heads,
                 c.embed);
    LADDER_CHECK(c.positions == "learned" || c.positions == "sinusoidal" || c.positions == "none",
                 "attention: positions \"{}\" is not one of learned, sinusoidal, none", c.positions);
    return c;
}

std::vector<float> normal(Rng& rng, std::size_t n, float stddev) {
    std::vector<float> v(n);
    rng.fill_normal(v, 0.0f, stddev);
    return v;
}

}  // namespace

AttentionLm::AttentionLm(const AttentionConfig& cfg, Device device, std::uint64_t seed)
    : cfg_(checked(cfg)), params_(specs(cfg), device) {
    const std::size_t V = cfg.vocab, C = cfg.embed, L = cfg.layers;
    // GPT-2's initialisation: weights N(0, 0.02), biases 0, and the projections back into the
    // residual stream scaled by 1/sqrt(2L) so the stream's variance does not grow with depth.
    Rng rng(seed);
    params_.set_value("wte", normal(rng, V * C, 0.02f));
    if (cfg.positions == "learned") params_.set_value("wpe", normal(rng, cfg.context * C, 0.02f));
    for (std::size_t l = 0; l < L; ++l) {
        params_.set_value(layer_name(l, "c_attn.weight"), normal(rng, 3 * C * C, 0.02f));
        params_.set_value(layer_name(l, "c_attn.bias"), std::vector<float>(3 * C, 0.0f));
        params_.set_value(layer_name(l, "c_proj.weight"),
                          normal(rng, C * C, 0.02f / std::sqrt(2.0f * static_cast<float>(L))));
        params_.set_value(layer_name(l, "c_proj.bias"), std::vector<float>(C, 0.0f));
    }
    params_.set_value("lm_head.weight", normal(rng, V * C, 0.02f));
    params_.set_value("lm_head.bias", std::vector<float>(V, 0.0f));
    if (cfg.positions == "sinusoidal") {
        const std::vector<float> table = sinusoidal_positions(cfg.context, C);
        sinusoid_ = Tensor::from(table, Shape{cfg.context, C}, device);
    }
}

std::string AttentionLm::name() const {
    return fmt::format("attention (L={}, C={}, NH={}, T={}, {} positions{})", cfg_.layers, cfg_.embed, cfg_.heads,
                       cfg_.context, cfg_.positions, cfg_.fused ? ", fused" : "");
}

void AttentionLm::resize(const Backend& be, std::size_t B, std::size_t Tc) {
    if (B == B_ && Tc == T_) return;
    B_ = B, T_ = Tc;
    const std::size_t N = B * Tc, C = cfg_.embed, NH = cfg_.heads, hs = cfg_.head_size(), V = cfg_.vocab;
    ids_ = be.empty(Shape{N}, DType::i32);
    targets_ = be.empty(Shape{N}, DType::i32);
    pos_ids_ = be.empty(Shape{N}, DType::i32);
    std::vector<std::int32_t> pos(N);
    for (std::size_t i = 0; i < N; ++i) pos[i] = static_cast<std::int32_t>(i % Tc);
    pos_ids_.copy_from(pos);
    pos_rows_ = be.empty(Shape{N, C});
    xs_.assign(cfg_.layers + 1, Tensor{});
    for (auto& x : xs_) x = be.empty(Shape{B, Tc, C});
    layers_.assign(cfg_.layers, Layer{});
    const Shape heads{B, NH, Tc, hs};
    for (auto& a : layers_) {
        a.qkv = be.empty(Shape{B, Tc, 3 * C});
        a.q = be.empty(heads), a.k = be.empty(heads), a.v = be.empty(heads), a.heads = be.empty(heads);
        if (cfg_.fused)
            a.lse = be.empty(Shape{B, NH, Tc});
        else
            a.att = be.empty(Shape{B, NH, Tc, Tc});
        a.merged = be.empty(Shape{B, Tc, C});
    }
    logits_ = be.empty(Shape{N, V});
    probs_ = be.empty(Shape{N, V});
    losses_ = be.empty(Shape{N});
    dlosses_ = be.empty(Shape{N});
    dlosses_.fill(1.0f);
    dlogits_ = be.empty(Shape{N, V});
    dx_ = be.empty(Shape{B, Tc, C});
    dmerged_ = be.empty(Shape{B, Tc, C});
    dheads_ = be.empty(heads), dq_ = be.empty(heads), dk_ = be.empty(heads), dv_ = be.empty(heads);
    dqkv_ = be.empty(Shape{B, Tc, 3 * C});
    dpreatt_ = cfg_.fused ? Tensor{} : be.empty(Shape{B, NH, Tc, Tc});
}

// [book:attention-lm-forward]
void AttentionLm::run(const Backend& be, std::span<const std::int32_t> inputs, std::size_t B, std::size_t Tc) {
    const std::size_t C = cfg_.embed, N = B * Tc;
    LADDER_CHECK(Tc >= 1 && Tc <= cfg_.context,
                 "attention: a window of {} tokens is longer than the position table ({} positions)", Tc, cfg_.context);
    LADDER_CHECK(inputs.size() == N, "attention: {} rows of {} tokens need {} ids, got {}", B, Tc, N, inputs.size());
    for (std::size_t i = 0; i < N; ++i)
        LADDER_CHECK(inputs[i] >= 0 && static_cast<std::size_t>(inputs[i]) < cfg_.vocab,
                     "attention: token {} of the batch is {}, outside the vocabulary [0, {})", i, inputs[i], cfg_.vocab);
    resize(be, B, Tc);
    ids_.copy_from(inputs);
    // x_0 = wte[token] + P[position]
    Tensor x0 = xs_[0].reshape(Shape{N, C});
    embedding_gather(be, x0, params_.value("wte"), ids_);
    if (cfg_.positions != "none") {
        const Tensor table = cfg_.positions == "learned" ? params_.value("wpe") : sinusoid_;
        embedding_gather(be, pos_rows_, table, pos_ids_);
        add(be, x0, x0, pos_rows_);
    }
    const float scale = 1.0f / std::sqrt(static_cast<float>(cfg_.head_size()));
    for (std::size_t l = 0; l < cfg_.layers; ++l) {
        Layer& a = layers_[l];
        const Tensor w_attn = params_.value(layer_name(l, "c_attn.weight"));
        const Tensor b_attn = params_.value(layer_name(l, "c_attn.bias"));
        const Tensor w_proj = params_.value(layer_name(l, "c_proj.weight"));
        const Tensor b_proj = params_.value(layer_name(l, "c_proj.bias"));
        linear_forward(be, a.qkv, xs_[l], w_attn, &b_attn);              // (B,T,3C)
        split_qkv(be, a.q, a.k, a.v, a.qkv, cfg_.heads);                 // 3 x (B,NH,T,hs)
        if (cfg_.fused)
            attention_fused_forward(be, a.heads, a.lse, a.q, a.k, a.v, scale);
        else
            attention_forward(be, a.heads, a.att, a.q, a.k, a.v, scale);  // (B,NH,T,hs), att (B,NH,T,T)
        merge_heads(be, a.merged, a.heads);                               // (B,T,C)
        linear_forward(be, xs_[l + 1], a.merged, w_proj, &b_proj);        // (B,T,C)
        add(be, xs_[l + 1], xs_[l + 1], xs_[l]);                          // the residual connection
    }
    const Tensor w_head = params_.value("lm_head.weight"), b_head = params_.value("lm_head.bias");
    linear_forward(be, logits_, xs_[cfg_.layers].reshape(Shape{N, C}), w_head, &b_head);   // (B*T, V)
}

float AttentionLm::forward(const Backend& be, std::span<const std::int32_t> tokens, std::size_t B) {
    const std::size_t T = cfg_.context, W = T + 1;
    LADDER_CHECK(B > 0 && tokens.size() == B * W, "attention: a batch of {} rows of {} tokens needs {} ids, got {}", B, W,
                 B * W, tokens.size());
    std::vector<std::int32_t> inputs(B * T), targets(B * T);
    for (std::size_t b = 0; b < B; ++b)
        for (std::size_t t = 0; t < T; ++t) {
            inputs[b * T + t] = tokens[b * W + t];
            targets[b * T + t] = tokens[b * W + t + 1];   // every position predicts the next token
        }
    run(be, inputs, B, T);
    targets_.copy_from(targets);
    softmax_xent_forward(be, losses_, probs_, logits_, targets_);        // (B*T)
    const std::vector<float> l = losses_.to_vector();
    double s = 0;
    for (float x : l) s += x;
    return static_cast<float>(s / static_cast<double>(l.size()));
}

// The residual stream's gradient is one buffer, dx: each layer's c_proj reads it as its upstream
// gradient, and c_attn's backward ADDS the path through attention into it (linear_backward
// accumulates), which is exactly d x_l = d x_{l+1} + (the path through the block).
void AttentionLm::backward(const Backend& be) { backward_from(be, dlosses_); }

std::vector<double> AttentionLm::loss_by_position() const {
    LADDER_CHECK(B_ > 0, "attention: loss_by_position before any forward");
    const std::vector<float> l = losses_.to_vector();
    std::vector<double> out(T_, 0.0);
    for (std::size_t b = 0; b < B_; ++b)
        for (std::size_t t = 0; t < T_; ++t) out[t] += l[b * T_ + t];
    for (double& x : out) x /= static_cast<double>(B_);
    return out;
}

void AttentionLm::backward_from(const Backend& be, const Tensor& dlosses) {
    const std::size_t N = B_ * T_, C = cfg_.embed;
    LADDER_CHECK(dlosses.numel() == N, "attention: backward_from got {} loss weights for {} positions", dlosses.numel(), N);
    const float scale = 1.0f / std::sqrt(static_cast<float>(cfg_.head_size()));
    softmax_xent_backward(be, dlogits_, probs_, targets_, dlosses, static_cast<float>(N));   // (B*T, V)
    dx_.fill_zero();
    Tensor dw_head = params_.grad("lm_head.weight"), db_head = params_.grad("lm_head.bias");
    Tensor dxf = dx_.reshape(Shape{N, C});
    linear_backward(be, &dxf, dw_head, &db_head, dlogits_, xs_[cfg_.layers].reshape(Shape{N, C}),
                    params_.value("lm_head.weight"));
    for (std::size_t l = cfg_.layers; l-- > 0;) {
        Layer& a = layers_[l];
        Tensor dw_proj = params_.grad(layer_name(l, "c_proj.weight")), db_proj = params_.grad(layer_name(l, "c_proj.bias"));
        Tensor dw_attn = params_.grad(layer_name(l, "c_attn.weight")), db_attn = params_.grad(layer_name(l, "c_attn.bias"));
        dmerged_.fill_zero();
        linear_backward(be, &dmerged_, dw_proj, &db_proj, dx_, a.merged, params_.value(layer_name(l, "c_proj.weight")));
        merge_heads_backward(be, dheads_, dmerged_);                               // (B,NH,T,hs)
        if (cfg_.fused)
            attention_fused_backward(be, dq_, dk_, dv_, dheads_, a.q, a.k, a.v, a.heads, a.lse, scale);
        else
            attention_backward(be, dq_, dk_, dv_, dpreatt_, dheads_, a.q, a.k, a.v, a.att, scale);
        split_qkv_backward(be, dqkv_, dq_, dk_, dv_);                              // (B,T,3C)
        linear_backward(be, &dx_, dw_attn, &db_attn, dqkv_, xs_[l], params_.value(layer_name(l, "c_attn.weight")));
    }
    Tensor dwte = params_.grad("wte");
    embedding_scatter_add(be, dwte, dxf, ids_, 1.0f);
    if (cfg_.positions == "learned") {
        Tensor dwpe = params_.grad("wpe");
        embedding_scatter_add(be, dwpe, dxf, pos_ids_, 1.0f);
    }
}
// [/book]

const Tensor& AttentionLm::attention(std::size_t l) const {
    LADDER_CHECK(!cfg_.fused, "attention: the fused path keeps no attention matrix (train without --fused for heat maps)");
    LADDER_CHECK(l < layers_.size(), "attention: layer {} of {} (run a forward first)", l, layers_.size());
    return layers_[l].att;
}

std::size_t AttentionLm::attention_matrix_bytes() const {
    std::size_t n = 0;
    for (const auto& a : layers_) n += a.att.defined() ? a.att.nbytes() : 0;
    return n;
}

std::size_t AttentionLm::activation_bytes() const {
    std::size_t n = ids_.nbytes() + pos_rows_.nbytes() + logits_.nbytes() + probs_.nbytes();
    for (const auto& x : xs_) n += x.nbytes();
    for (const auto& a : layers_)
        for (const Tensor* t : {&a.qkv, &a.q, &a.k, &a.v, &a.heads, &a.lse, &a.att, &a.merged})
            n += t->defined() ? t->nbytes() : 0;
    return n;
}

void AttentionLm::start_generation(const Backend&) { gen_.clear(); }

// Without a cache (chapter 7 adds one): each new token runs the whole window again, the last
// `context` tokens, and returns the logits of its last position.
std::vector<float> AttentionLm::next_logits(const Backend& be, std::int32_t token) {
    gen_.push_back(token);
    if (gen_.size() > cfg_.context) gen_.erase(gen_.begin());
    run(be, gen_, 1, gen_.size());
    const std::size_t V = cfg_.vocab;
    return logits_.view(Shape{V}, (gen_.size() - 1) * V).to_vector();
}

}  // namespace ladder::ch06
