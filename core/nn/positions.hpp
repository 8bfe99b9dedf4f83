// positions.hpp: the fixed sinusoidal position table of "Attention is all you need" (Vaswani et
// al., 2017), the alternative to a learned one (a (T,C) parameter like GPT-2's wpe):
//   P[t][2i]   = sin(t / 10000^(2i/C))
//   P[t][2i+1] = cos(t / 10000^(2i/C))          for t < T, i < C/2 (C even)
// Each pair of columns turns at its own frequency, from one radian per position (i = 0) down to
// one turn in about 63,000 positions, so every position gets a distinct pattern and P[t + k] is a
// fixed rotation of P[t]: an offset is the same linear map wherever it starts. Introduced in ch06.
#pragma once

#include <cstddef>
#include <vector>

namespace ladder {

// The (T, C) table, row-major. C must be even (an error names it).
std::vector<float> sinusoidal_positions(std::size_t T, std::size_t C);

}  // namespace ladder
