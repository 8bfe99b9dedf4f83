// gpt2_config.cpp: GPT-2's config (JSON in checkpoints, the 124M shape, parameter and FLOP
// counts) and its tensor list, apart from the model so that the formats build on them alone.
// Introduced in ch07.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "chapters/ch07_gpt/gpt2.hpp"
#include "core/error.hpp"

namespace ladder::ch07 {

std::string Gpt2Config::json() const {
    return nlohmann::json{{"kind", "gpt2"}, {"vocab", vocab},   {"context", context},     {"layers", layers},
                          {"heads", heads}, {"embed", embed},   {"fused", fused},         {"layernorm", layernorm},
                          {"mlp", mlp},     {"residual", residual}}
        .dump();
}

Gpt2Config Gpt2Config::from_json(const std::string& text) {
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text);
    } catch (const std::exception& e) {
        LADDER_THROW("model config is not JSON ({}): {}", e.what(), text);
    }
    LADDER_CHECK(j.is_object() && j.value("kind", "") == "gpt2", "model config: kind \"{}\" is not chapter 7's gpt2: {}",
                 j.is_object() ? j.value("kind", "") : "", text);
    Gpt2Config c;
    try {
        c.vocab = j.value("vocab", std::size_t{0});
        c.context = j.value("context", c.context);
        c.layers = j.value("layers", c.layers);
        c.heads = j.value("heads", c.heads);
        c.embed = j.value("embed", c.embed);
        c.fused = j.value("fused", c.fused);
        c.layernorm = j.value("layernorm", c.layernorm);
        c.mlp = j.value("mlp", c.mlp);
        c.residual = j.value("residual", c.residual);
    } catch (const std::exception& e) {
        LADDER_THROW("model config: a field has the wrong type ({}): {}", e.what(), text);
    }
    return c;
}

Gpt2Config Gpt2Config::gpt2_124m() {
    Gpt2Config c;
    c.vocab = 50257, c.context = 1024, c.layers = 12, c.heads = 12, c.embed = 768, c.fused = true;
    return c;
}

// [book:gpt2-counts]
std::size_t Gpt2Config::parameter_count() const {
    // GPT-2 (every switch on): V C + T C + L (12 C^2 + 13 C) + 2 C. Per block: ln_1 2C, c_attn
    // 3C^2 + 3C, attn.c_proj C^2 + C, ln_2 2C, c_fc 4C^2 + 4C, mlp.c_proj 4C^2 + C; then ln_f
    // 2C; the output layer is wte (tied). Counted from the tensor list, so that an ablated
    // config counts what it has (the tests check the formula against this).
    std::size_t n = 0;
    for (const ParamSpec& s : gpt2_param_specs(*this)) n += s.shape.numel();
    return n;
}

double Gpt2Config::forward_flops_per_token() const {
    const double L = static_cast<double>(layers), C = static_cast<double>(embed), V = static_cast<double>(vocab),
                 T = static_cast<double>(context);
    // The matmuls: 2 flops per weight of c_attn, c_proj, c_fc, mlp.c_proj (12 C^2 per block)
    // and of the tied output layer (V C). Attention: q.k and att.v are 2 hs flops per head and
    // key, NH hs = C, so 4 C per key; a token sees (T + 1) / 2 keys on average in a window of T.
    return 2 * (12 * L * C * C + V * C) + 4 * L * C * (T + 1) / 2;
}
// [/book]

std::vector<ParamSpec> gpt2_param_specs(const Gpt2Config& c) {
    const std::size_t V = c.vocab, T = c.context, C = c.embed;
    std::vector<ParamSpec> s{{"wte.weight", Shape{V, C}, true}, {"wpe.weight", Shape{T, C}, true}};
    // Only 2-D weights decay (GPT-2's recipe): biases and layernorm gains and shifts do not. An
    // ablated config lists only what it uses (no layernorm: no ln_*; no MLP: no ln_2, mlp.*).
    for (std::size_t l = 0; l < c.layers; ++l) {
        const auto n = [l](const char* what) { return fmt::format("h.{}.{}", l, what); };
        if (c.layernorm) {
            s.push_back({n("ln_1.weight"), Shape{C}, false});
            s.push_back({n("ln_1.bias"), Shape{C}, false});
        }
        s.push_back({n("attn.c_attn.weight"), Shape{3 * C, C}, true});
        s.push_back({n("attn.c_attn.bias"), Shape{3 * C}, false});
        s.push_back({n("attn.c_proj.weight"), Shape{C, C}, true});
        s.push_back({n("attn.c_proj.bias"), Shape{C}, false});
        if (!c.mlp) continue;
        if (c.layernorm) {
            s.push_back({n("ln_2.weight"), Shape{C}, false});
            s.push_back({n("ln_2.bias"), Shape{C}, false});
        }
        s.push_back({n("mlp.c_fc.weight"), Shape{4 * C, C}, true});
        s.push_back({n("mlp.c_fc.bias"), Shape{4 * C}, false});
        s.push_back({n("mlp.c_proj.weight"), Shape{C, 4 * C}, true});
        s.push_back({n("mlp.c_proj.bias"), Shape{C}, false});
    }
    if (c.layernorm) {
        s.push_back({"ln_f.weight", Shape{C}, false});
        s.push_back({"ln_f.bias", Shape{C}, false});
    }
    return s;
}

}  // namespace ladder::ch07
