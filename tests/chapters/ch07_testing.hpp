// ch07_testing.hpp: what chapter 7's tests share: a tiny GPT-2 config (shapes off every block and
// warp size) and weights large enough that every softmax and layernorm is far from trivial.
#pragma once

#include <cstdint>
#include <vector>

#include "chapters/ch07_gpt/gpt2.hpp"
#include "core/rng.hpp"

namespace ladder::testing {

// V 37, C 12, NH 3 (hs 4), L 2, T 7.
inline ch07::Gpt2Config tiny_gpt2(bool fused = false) {
    ch07::Gpt2Config c;
    c.vocab = 37;
    c.embed = 12;
    c.heads = 3;
    c.layers = 2;
    c.context = 7;
    c.fused = fused;
    return c;
}

// GPT-2's initialisation makes every logit nearly 0: weights N(0, std) instead (layernorm gains
// around 1), so the softmaxes are peaked and the gradients far from trivial.
inline void unit_scale_weights(ch07::Gpt2& m, std::uint64_t seed, float std = 0.5f) {
    Rng rng(seed);
    for (const ParamView& v : m.params().views()) {
        std::vector<float> x(v.shape.numel());
        rng.fill_normal(x, 0.0f, std);
        if (v.name.find("ln_") != std::string::npos && v.name.ends_with(".weight"))
            for (float& e : x) e += 1.0f;
        m.params().set_value(v.name, x);
    }
}

}  // namespace ladder::testing
