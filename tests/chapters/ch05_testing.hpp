// ch05_testing.hpp: what chapter 5's model tests share: a tiny model config (shapes off every
// block and tile size) and random token ids.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "chapters/ch05_neural_lm/models.hpp"
#include "core/rng.hpp"

namespace ladder::testing {

// V 37, E 5, H 19, context 3, T 6.
inline ch05::ModelConfig tiny_config(const std::string& kind) {
    ch05::ModelConfig c;
    c.kind = kind;
    c.vocab = 37;
    c.embed = 5;
    c.hidden = 19;
    c.context = 3;
    c.seq = 6;
    return c;
}

inline std::vector<std::int32_t> random_tokens(std::size_t n, std::size_t V, std::uint64_t seed) {
    Rng rng(seed);
    std::vector<std::int32_t> t(n);
    for (auto& x : t) x = static_cast<std::int32_t>(rng.below(V));
    return t;
}

}  // namespace ladder::testing
