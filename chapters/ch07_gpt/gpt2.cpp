// gpt2.cpp: GPT-2's forward, backward and generation on the Backend's ops (embedding_gather,
// layernorm, linear, split_qkv, attention, merge_heads, gelu, add, softmax_xent, the KV cache),
// so the same code runs on cpu, simt and cuda. Introduced in ch07.
#include "chapters/ch07_gpt/gpt2.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

#include <fmt/format.h>

#include "core/error.hpp"
#include "core/rng.hpp"
#include "kernels/attention/attention.hpp"
#include "kernels/embedding_gather/embedding_gather.hpp"
#include "kernels/gelu/gelu.hpp"
#include "kernels/heads/heads.hpp"
#include "kernels/kv_cache/kv_cache.hpp"
#include "kernels/layernorm/layernorm.hpp"
#include "kernels/linear/linear.hpp"
#include "kernels/softmax_xent/softmax_xent.hpp"
#include "kernels/vector_add/vector_add.hpp"

namespace ladder::ch07 {

namespace {

std::string p(std::size_t l, const char* what) { return fmt::format("h.{}.{}", l, what); }

const Gpt2Config& checked(const Gpt2Config& c) {
    LADDER_CHECK(c.vocab > 0 && c.embed > 0 && c.layers > 0 && c.context > 0,
                 "gpt2: vocab, embed, layers and context must be positive ({})", c.json());
    LADDER_CHECK(c.heads > 0 && c.embed % c.heads == 0, "gpt2: {} heads do not divide the width C = {}", c.heads,
                 c.embed);
    LADDER_CHECK(c.head_size() <= attention_cached_max_head_size,
                 "gpt2: head size C/NH = {} is above the KV cache's limit of {}", c.head_size(),
                 attention_cached_max_head_size);
    return c;
}

std::vector<float> normal(Rng& rng, std::size_t n, float stddev) {
    std::vector<float> v(n);
    rng.fill_normal(v, 0.0f, stddev);
    return v;
}

}  // namespace

// [book:gpt2-init]
Gpt2::Gpt2(const Gpt2Config& cfg, Device device, std::uint64_t seed)
    : cfg_(checked(cfg)), params_(gpt2_param_specs(cfg), device) {
    // Weights N(0, 0.02); the two projections that write into the residual stream (attn.c_proj,
    // mlp.c_proj) N(0, 0.02 / sqrt(2L)): the stream sums 2L of them, so its variance stays put
    // as the model deepens. Biases start at 0 (the ParamSet's zeros), layernorm gains at 1.
    Rng rng(seed);
    const float resid_std = 0.02f / std::sqrt(2.0f * static_cast<float>(cfg.layers));
    for (const ParamView& v : params_.views()) {
        const std::string& n = v.name;
        const auto ends = [&n](std::string_view s) { return n.size() >= s.size() && n.ends_with(s); };
        if (n.find("ln_") != std::string::npos && ends(".weight"))
            params_.set_value(n, std::vector<float>(v.shape.numel(), 1.0f));
        else if (ends("c_proj.weight"))
            params_.set_value(n, normal(rng, v.shape.numel(), resid_std));
        else if (ends(".weight"))
            params_.set_value(n, normal(rng, v.shape.numel(), 0.02f));
    }
}
// [/book]

std::string Gpt2::name() const {
    std::string off;
    if (!cfg_.layernorm) off += ", no layernorm";
    if (!cfg_.mlp) off += ", no MLP";
    if (!cfg_.residual) off += ", no residual";
    return fmt::format("gpt2 (L={}, C={}, NH={}, T={}{}{})", cfg_.layers, cfg_.embed, cfg_.heads, cfg_.context,
                       cfg_.fused ? ", fused" : "", off);
}

void Gpt2::make_acts(const Backend& be, Acts& a, std::size_t B, std::size_t Tc, bool training) const {
    const std::size_t C = cfg_.embed, NH = cfg_.heads, hs = cfg_.head_size(), N = B * Tc;
    const Shape rows{B, Tc, C}, heads{B, NH, Tc, hs};
    a = Acts{};
    if (cfg_.layernorm) {
        a.ln1 = be.empty(rows), a.mean1 = be.empty(Shape{N}), a.rstd1 = be.empty(Shape{N});
    }
    a.qkv = be.empty(Shape{B, Tc, 3 * C});
    a.q = be.empty(heads), a.k = be.empty(heads), a.v = be.empty(heads), a.heads = be.empty(heads);
    if (training) {   // what the attention backward reads (decoding attends through the cache)
        if (cfg_.fused)
            a.lse = be.empty(Shape{B, NH, Tc});
        else
            a.att = be.empty(Shape{B, NH, Tc, Tc});
    }
    a.merged = be.empty(rows);
    if (cfg_.mlp) {
        a.mid = be.empty(rows);
        if (cfg_.layernorm) {
            a.ln2 = be.empty(rows), a.mean2 = be.empty(Shape{N}), a.rstd2 = be.empty(Shape{N});
        }
        a.fc = be.empty(Shape{B, Tc, 4 * C});
        a.act = be.empty(Shape{B, Tc, 4 * C});
    }
}

void Gpt2::resize(const Backend& be, std::size_t B, std::size_t Tc) {
    if (B == B_ && Tc == T_) return;
    B_ = B, T_ = Tc;
    const std::size_t N = B * Tc, C = cfg_.embed, NH = cfg_.heads, hs = cfg_.head_size(), V = cfg_.vocab;
    const Shape rows{B, Tc, C}, heads{B, NH, Tc, hs};
    ids_ = be.empty(Shape{N}, DType::i32);
    targets_ = be.empty(Shape{N}, DType::i32);
    pos_ids_ = be.empty(Shape{N}, DType::i32);
    std::vector<std::int32_t> pos(N);
    for (std::size_t i = 0; i < N; ++i) pos[i] = static_cast<std::int32_t>(i % Tc);
    pos_ids_.copy_from(pos);
    pos_rows_ = be.empty(Shape{N, C});
    xs_.assign(cfg_.layers + 1, Tensor{});
    for (auto& x : xs_) x = be.empty(rows);
    acts_.assign(cfg_.layers, Acts{});
    for (auto& a : acts_) make_acts(be, a, B, Tc, true);
    if (cfg_.layernorm) {
        lnf_ = be.empty(Shape{N, C}), meanf_ = be.empty(Shape{N}), rstdf_ = be.empty(Shape{N});
    }
    logits_ = be.empty(Shape{N, V});
    probs_ = be.empty(Shape{N, V});
    losses_ = be.empty(Shape{N});
    dlosses_ = be.empty(Shape{N});
    dlosses_.fill(1.0f);
    dlogits_ = be.empty(Shape{N, V});
    dx_ = be.empty(rows), dy_ = be.empty(rows), dln_ = be.empty(rows), dmerged_ = be.empty(rows);
    dlnf_ = cfg_.layernorm ? be.empty(Shape{N, C}) : Tensor{};
    dheads_ = be.empty(heads), dq_ = be.empty(heads), dk_ = be.empty(heads), dv_ = be.empty(heads);
    dqkv_ = be.empty(Shape{B, Tc, 3 * C});
    dpreatt_ = cfg_.fused ? Tensor{} : be.empty(Shape{B, NH, Tc, Tc});
    dfc_ = cfg_.mlp ? be.empty(Shape{B, Tc, 4 * C}) : Tensor{};
    dact_ = cfg_.mlp ? be.empty(Shape{B, Tc, 4 * C}) : Tensor{};
}

// [book:gpt2-block]
void Gpt2::block_forward(const Backend& be, std::size_t l, Acts& a, const Tensor& x, Tensor& y, Cache* cache,
                         std::size_t pos) const {
    const float scale = 1.0f / std::sqrt(static_cast<float>(cfg_.head_size()));
    const auto w = [&](const char* what) { return params_.value(p(l, what)); };
    // Attention: m = x + c_proj(attention(ln_1(x))). Without an MLP the block ends here: m is y.
    Tensor& m = cfg_.mlp ? a.mid : y;
    const Tensor* h = &x;
    if (cfg_.layernorm) {
        layernorm_forward(be, a.ln1, a.mean1, a.rstd1, x, w("ln_1.weight"), w("ln_1.bias"));
        h = &a.ln1;
    }
    const Tensor b_proj = w("attn.c_proj.bias");
    linear_forward(be, a.qkv, *h, w("attn.c_attn.weight"), nullptr);   // (B,T,3C): q, k, v at once,
    split_qkv_bias(be, a.q, a.k, a.v, a.qkv, w("attn.c_attn.bias"), cfg_.heads);   // + bias: 3 x (B,NH,T,hs)
    if (cache) {   // decoding: the new keys join the cache; the queries attend to all of it
        kv_cache_append(be, cache->k, cache->v, a.k, a.v, pos);
        attention_cached(be, a.heads, a.q, cache->k, cache->v, pos, scale);
    } else if (cfg_.fused) {
        attention_fused_forward(be, a.heads, a.lse, a.q, a.k, a.v, scale);
    } else {
        attention_forward(be, a.heads, a.att, a.q, a.k, a.v, scale);
    }
    merge_heads(be, a.merged, a.heads);                                 // (B,T,C)
    linear_forward(be, m, a.merged, w("attn.c_proj.weight"), &b_proj);
    if (!cfg_.mlp) {
        if (cfg_.residual) add(be, m, m, x);
        return;
    }
    // MLP: y = m + mlp.c_proj(gelu(mlp.c_fc(ln_2(m)))), 4C wide in the middle. The residual add
    // and ln_2 run as one op (m += x, then ln_2(m)) where both are on.
    h = &m;
    if (cfg_.residual && cfg_.layernorm) {
        residual_layernorm_forward(be, m, a.ln2, a.mean2, a.rstd2, m, x, w("ln_2.weight"), w("ln_2.bias"));
        h = &a.ln2;
    } else if (cfg_.residual) {
        add(be, m, m, x);
    } else if (cfg_.layernorm) {
        layernorm_forward(be, a.ln2, a.mean2, a.rstd2, m, w("ln_2.weight"), w("ln_2.bias"));
        h = &a.ln2;
    }
    const Tensor b_fc = w("mlp.c_fc.bias"), b_out = w("mlp.c_proj.bias");
    linear_forward(be, a.fc, *h, w("mlp.c_fc.weight"), &b_fc);          // (B,T,4C)
    gelu_forward(be, a.act, a.fc);
    linear_forward(be, y, a.act, w("mlp.c_proj.weight"), &b_out);       // (B,T,C)
    if (cfg_.residual) add(be, y, y, m);
}
// [/book]

void Gpt2::embed(const Backend& be, Tensor& x0, const Tensor& ids, const Tensor& pos_ids, Tensor& pos_rows) const {
    embedding_gather(be, x0, params_.value("wte.weight"), ids);
    embedding_gather(be, pos_rows, params_.value("wpe.weight"), pos_ids);
    add(be, x0, x0, pos_rows);
}

// The output layer: logits = ln_f(x) wte^T, no bias (GPT-2 ties it to the token embedding).
void Gpt2::head_forward(const Backend& be, Tensor& logits, const Tensor& x, Tensor& lnf, Tensor& meanf,
                        Tensor& rstdf) const {
    const Tensor* h = &x;
    if (cfg_.layernorm) {
        layernorm_forward(be, lnf, meanf, rstdf, x, params_.value("ln_f.weight"), params_.value("ln_f.bias"));
        h = &lnf;
    }
    linear_forward(be, logits, *h, params_.value("wte.weight"), nullptr);
}

void Gpt2::check_tokens(std::span<const std::int32_t> ids, const char* what) const {
    for (std::size_t i = 0; i < ids.size(); ++i)
        LADDER_CHECK(ids[i] >= 0 && static_cast<std::size_t>(ids[i]) < cfg_.vocab,
                     "gpt2: {} {} is {}, outside the vocabulary [0, {})", what, i, ids[i], cfg_.vocab);
}

// [book:gpt2-forward]
void Gpt2::run(const Backend& be, std::span<const std::int32_t> inputs, std::size_t B, std::size_t Tc) {
    run_blocks(be, inputs, B, Tc);
    const std::size_t N = B * Tc;
    head_forward(be, logits_, xs_[cfg_.layers].reshape(Shape{N, cfg_.embed}), lnf_, meanf_, rstdf_);   // (B*T, V)
}

void Gpt2::run_blocks(const Backend& be, std::span<const std::int32_t> inputs, std::size_t B, std::size_t Tc) {
    const std::size_t C = cfg_.embed, N = B * Tc;
    LADDER_CHECK(B >= 1 && Tc >= 1 && Tc <= cfg_.context,
                 "gpt2: a window of {} tokens does not fit the context of {} positions", Tc, cfg_.context);
    LADDER_CHECK(inputs.size() == N, "gpt2: {} rows of {} tokens need {} ids, got {}", B, Tc, N, inputs.size());
    check_tokens(inputs, "token");
    resize(be, B, Tc);
    ids_.copy_from(inputs);
    Tensor x0 = xs_[0].reshape(Shape{N, C});
    embed(be, x0, ids_, pos_ids_, pos_rows_);                           // x_0 = wte[token] + wpe[t]
    for (std::size_t l = 0; l < cfg_.layers; ++l) block_forward(be, l, acts_[l], xs_[l], xs_[l + 1], nullptr, 0);
}
// [/book]

float Gpt2::forward_targets(const Backend& be, std::span<const std::int32_t> inputs,
                            std::span<const std::int32_t> targets, std::size_t B, std::size_t Tc) {
    LADDER_CHECK(targets.size() == inputs.size(), "gpt2: {} targets for {} inputs", targets.size(), inputs.size());
    check_tokens(targets, "target");
    run(be, inputs, B, Tc);
    targets_.copy_from(targets);
    softmax_xent_forward(be, losses_, probs_, logits_, targets_);     // (B*T)
    const std::vector<float> l = losses_.to_vector();
    double s = 0;
    for (float x : l) s += x;
    return static_cast<float>(s / static_cast<double>(l.size()));
}

float Gpt2::forward(const Backend& be, std::span<const std::int32_t> tokens, std::size_t B) {
    const std::size_t T = cfg_.context, W = T + 1;
    LADDER_CHECK(B > 0 && tokens.size() == B * W, "gpt2: a batch of {} rows of {} tokens needs {} ids, got {}", B, W,
                 B * W, tokens.size());
    std::vector<std::int32_t> inputs(B * T), targets(B * T);
    for (std::size_t b = 0; b < B; ++b)
        for (std::size_t t = 0; t < T; ++t) {
            inputs[b * T + t] = tokens[b * W + t];
            targets[b * T + t] = tokens[b * W + t + 1];   // every position predicts the next token
        }
    return forward_targets(be, inputs, targets, B, T);
}

// [book:gpt2-backward]
// The residual stream's gradient is one buffer, g. Going down a block, each sublayer's backward
// reads g as the gradient of its output and ADDS the path through the sublayer into it (every
// linear_backward and layernorm_backward accumulates): d x = d y + (the path through f), which
// is the residual's gradient without a copy. Without residual paths, the path through f is the
// whole gradient: it goes into the spare buffer, zeroed, and the two swap.
void Gpt2::backward(const Backend& be) {
    LADDER_CHECK(B_ > 0, "gpt2: backward before any forward");
    const std::size_t N = B_ * T_, C = cfg_.embed;
    const float scale = 1.0f / std::sqrt(static_cast<float>(cfg_.head_size()));
    const auto w = [&](std::size_t l, const char* what) { return params_.value(p(l, what)); };
    const auto dw = [&](std::size_t l, const char* what) { return params_.grad(p(l, what)); };
    softmax_xent_backward(be, dlogits_, probs_, targets_, dlosses_, static_cast<float>(N));   // (B*T, V)
    Tensor* g = &dx_;
    Tensor* spare = &dy_;
    g->fill_zero();
    Tensor dwte = params_.grad("wte.weight");
    Tensor gf = g->reshape(Shape{N, C});
    const Tensor xL = xs_[cfg_.layers].reshape(Shape{N, C});
    if (cfg_.layernorm) {   // logits = ln_f(x_L) wte^T: the output's share of wte's gradient
        dlnf_.fill_zero();
        linear_backward(be, &dlnf_, dwte, nullptr, dlogits_, lnf_, params_.value("wte.weight"));
        Tensor dgain = params_.grad("ln_f.weight"), dshift = params_.grad("ln_f.bias");
        layernorm_backward(be, gf, dgain, dshift, dlnf_, xL, params_.value("ln_f.weight"), meanf_, rstdf_);
    } else {
        linear_backward(be, &gf, dwte, nullptr, dlogits_, xL, params_.value("wte.weight"));
    }
    // d(into) += the path back through a linear whose input was `ln(x)` (or x without layernorm).
    const auto through_ln = [&](Tensor& into, const Tensor& dout, const Tensor& x, const Tensor& ln_out,
                                const Tensor& mean, const Tensor& rstd, std::size_t l, const char* lin,
                                const char* ln) {
        const std::string lw = std::string(lin) + ".weight", lb = std::string(lin) + ".bias";
        Tensor dlw = dw(l, lw.c_str()), dlb = dw(l, lb.c_str());
        if (!cfg_.layernorm) {
            linear_backward(be, &into, dlw, &dlb, dout, x, w(l, lw.c_str()));
            return;
        }
        dln_.fill_zero();
        linear_backward(be, &dln_, dlw, &dlb, dout, ln_out, w(l, lw.c_str()));
        const std::string gw = std::string(ln) + ".weight", gb = std::string(ln) + ".bias";
        Tensor dgw = dw(l, gw.c_str()), dgb = dw(l, gb.c_str());
        layernorm_backward(be, into, dgw, dgb, dln_, x, w(l, gw.c_str()), mean, rstd);
    };
    // Where the path through a sublayer goes: into g itself (residual), or into the zeroed spare.
    const auto target = [&]() -> Tensor& {
        if (cfg_.residual) return *g;
        spare->fill_zero();
        return *spare;
    };
    for (std::size_t l = cfg_.layers; l-- > 0;) {
        Acts& a = acts_[l];
        if (cfg_.mlp) {   // y = m + mlp.c_proj(gelu(c_fc(ln_2(m)))): g is dy, becomes dm
            Tensor dpw = dw(l, "mlp.c_proj.weight"), dpb = dw(l, "mlp.c_proj.bias");
            dact_.fill_zero();
            linear_backward(be, &dact_, dpw, &dpb, *g, a.act, w(l, "mlp.c_proj.weight"));
            dfc_.fill_zero();
            gelu_backward(be, dfc_, a.fc, dact_);
            Tensor& into = target();
            through_ln(into, dfc_, a.mid, a.ln2, a.mean2, a.rstd2, l, "mlp.c_fc", "ln_2");
            if (!cfg_.residual) std::swap(g, spare);
        }
        // m = x + c_proj(attention(split(c_attn(ln_1(x))))): g is dm, becomes dx
        Tensor dpw = dw(l, "attn.c_proj.weight"), dpb = dw(l, "attn.c_proj.bias");
        dmerged_.fill_zero();
        linear_backward(be, &dmerged_, dpw, &dpb, *g, a.merged, w(l, "attn.c_proj.weight"));
        merge_heads_backward(be, dheads_, dmerged_);                    // (B,NH,T,hs)
        if (cfg_.fused)
            attention_fused_backward(be, dq_, dk_, dv_, dheads_, a.q, a.k, a.v, a.heads, a.lse, scale);
        else
            attention_backward(be, dq_, dk_, dv_, dpreatt_, dheads_, a.q, a.k, a.v, a.att, scale);
        split_qkv_backward(be, dqkv_, dq_, dk_, dv_);                   // (B,T,3C)
        Tensor& into = target();
        through_ln(into, dqkv_, xs_[l], a.ln1, a.mean1, a.rstd1, l, "attn.c_attn", "ln_1");
        if (!cfg_.residual) std::swap(g, spare);
    }
    // x_0 = wte[token] + wpe[t]: the input's share of wte's gradient, and wpe's.
    Tensor g0 = g->reshape(Shape{N, C});
    embedding_scatter_add(be, dwte, g0, ids_, 1.0f);
    Tensor dwpe = params_.grad("wpe.weight");
    embedding_scatter_add(be, dwpe, g0, pos_ids_, 1.0f);
}
// [/book]

// ---- generation ----

void Gpt2::start_generation(const Backend& be) {
    gen_.clear();
    cached_ = 0;
    if (!use_cache_) return;
    const Shape cache{1, cfg_.heads, cfg_.context, cfg_.head_size()};
    if (caches_.size() != cfg_.layers || caches_[0].k.device() != be.device()) {
        caches_.assign(cfg_.layers, Cache{});
        for (Cache& c : caches_) c.k = be.zeros(cache), c.v = be.zeros(cache);
    }
}

std::vector<float> Gpt2::last_logits(const Backend& be, const Tensor& x, std::size_t n) {
    const std::size_t C = cfg_.embed, V = cfg_.vocab;
    if (!dec_logits_.defined() || dec_logits_.device() != be.device()) {
        dec_lnf_ = be.empty(Shape{1, C}), dec_meanf_ = be.empty(Shape{1}), dec_rstdf_ = be.empty(Shape{1});
        dec_logits_ = be.empty(Shape{1, V});
    }
    const Tensor last = x.view(Shape{1, C}, (n - 1) * C);   // only the last row predicts the next token
    head_forward(be, dec_logits_, last, dec_lnf_, dec_meanf_, dec_rstdf_);
    return dec_logits_.to_vector();
}

// [book:gpt2-decode]
// n new tokens at positions [pos, pos + n) through the blocks, each attending to the cache
// (which they join); the logits after the last of them.
std::vector<float> Gpt2::decode(const Backend& be, std::span<const std::int32_t> ids, std::size_t pos) {
    const std::size_t n = ids.size(), C = cfg_.embed;
    if (dec_x0_.numel() != n * C || dec_x0_.device() != be.device()) {
        make_acts(be, dec_, 1, n, false);
        dec_ids_ = be.empty(Shape{n}, DType::i32), dec_pos_ = be.empty(Shape{n}, DType::i32);
        dec_rows_ = be.empty(Shape{n, C});
        dec_x0_ = be.empty(Shape{1, n, C}), dec_x1_ = be.empty(Shape{1, n, C});
    }
    std::vector<std::int32_t> positions(n);
    for (std::size_t i = 0; i < n; ++i) positions[i] = static_cast<std::int32_t>(pos + i);
    dec_ids_.copy_from(ids);
    dec_pos_.copy_from(positions);
    Tensor x0 = dec_x0_.reshape(Shape{n, C});
    embed(be, x0, dec_ids_, dec_pos_, dec_rows_);
    Tensor *x = &dec_x0_, *y = &dec_x1_;
    for (std::size_t l = 0; l < cfg_.layers; ++l) {
        block_forward(be, l, dec_, *x, *y, &caches_[l], pos);
        std::swap(x, y);
    }
    cached_ = pos + n;
    return last_logits(be, *x, n);
}
// [/book]

std::vector<float> Gpt2::feed(const Backend& be, std::span<const std::int32_t> tokens) {
    LADDER_CHECK(!tokens.empty(), "gpt2: feed got no tokens");
    check_tokens(tokens, "token");
    const std::size_t T = cfg_.context;
    gen_.insert(gen_.end(), tokens.begin(), tokens.end());
    if (gen_.size() > T) gen_.erase(gen_.begin(), gen_.end() - static_cast<long>(T));   // the window: the last T
    const std::size_t fresh = std::min(tokens.size(), gen_.size());
    if (!use_cache_) {   // every token reruns the whole window (but only the last row needs logits)
        run_blocks(be, gen_, 1, gen_.size());
        return last_logits(be, xs_[cfg_.layers], gen_.size());
    }
    if (cached_ + fresh <= T) return decode(be, std::span(gen_).last(fresh), cached_);
    // The window slid: the cached keys were computed at positions that have moved, so the cache
    // is refilled from the window (exactly what the path without a cache computes).
    return decode(be, gen_, 0);
}

std::vector<float> Gpt2::next_logits(const Backend& be, std::int32_t token) {
    const std::int32_t t[1] = {token};
    return feed(be, t);
}

TrainConfig gpt2_recipe(std::size_t steps, std::size_t batch, double lr) {
    TrainConfig t;
    t.optimizer.kind = OptimizerKind::adamw;
    t.optimizer.adamw.weight_decay = 0.1f;
    t.optimizer.adamw.beta2 = 0.95f;
    t.clip = 1.0f;
    t.lr.kind = LrSchedule::Kind::cosine;
    t.lr.lr = lr;
    t.lr.min_lr = lr / 10;
    t.steps = steps;
    t.lr.total = steps;
    t.lr.warmup = std::max<std::size_t>(1, steps / 20);
    t.batch = batch;
    return t;
}

}  // namespace ladder::ch07
