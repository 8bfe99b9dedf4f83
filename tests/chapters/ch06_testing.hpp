// ch06_testing.hpp: what chapter 6's model tests share: a tiny attention config (shapes off every
// block and warp size).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "chapters/ch06_attention/attention_lm.hpp"
#include "core/rng.hpp"

namespace ladder::testing {

// V 37, C 12, NH 3 (hs 4), L 2, T 7.
inline ch06::AttentionConfig tiny_attention(const std::string& positions = "learned", bool fused = false) {
    ch06::AttentionConfig c;
    c.vocab = 37;
    c.embed = 12;
    c.heads = 3;
    c.layers = 2;
    c.context = 7;
    c.positions = positions;
    c.fused = fused;
    return c;
}

// GPT-2's initialisation makes every logit nearly 0 and every attention row nearly uniform, and a
// uniform row averages its values whatever their order: weights N(0, std) instead, so that the
// softmaxes are peaked and every gradient (and every effect of word order) is far from trivial.
inline void unit_scale_weights(ch06::AttentionLm& m, std::uint64_t seed, float std = 0.5f) {
    Rng rng(seed);
    for (const ParamView& v : m.params().views()) {
        std::vector<float> x(v.shape.numel());
        rng.fill_normal(x, 0.0f, std);
        m.params().set_value(v.name, x);
    }
}

}  // namespace ladder::testing
