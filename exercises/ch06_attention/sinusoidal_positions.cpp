// Exercise 6.6: the sinusoidal position table of "Attention is all you need" (Vaswani et
// al., 2017). Attention itself does not know where a token is (it sees a set of keys); a
// position's vector, added to its token's embedding, tells it. The fixed table:
//   P[t][2i]   = sin(t / 10000^(2i/C))
//   P[t][2i+1] = cos(t / 10000^(2i/C))          for t < T, i < C/2
// Column pair i turns at frequency 10000^(-2i/C): one radian per position for i = 0, down to
// one turn in about 63,000 positions. Introduced in ch06 (core/nn/positions.hpp is the reference).
#include "core/error.hpp"
#include "exercises/ch06_attention/exercises.hpp"

namespace ladder::ex06 {

// Requirements:
//   * the table is (T, C), row-major: P[t][c] is at t * C + c; C must be even and positive:
//     otherwise throw with LADDER_CHECK(cond, "message {}", C) (a ladder::Error).
//   * compute the frequency and the angle t * frequency in double (std::pow, std::sin,
//     std::cos), and round to float only at the end: at t = 1000 an angle in float is off by
//     about 1000 * 2^-24 = 6e-5 radians, which the test sees.
// Hint: the exponent is -(2i) / C for the pair i (columns 2i and 2i+1), not -c / C per column.
std::vector<float> sinusoidal_positions(std::size_t T, std::size_t C) {
    // TODO(ex6.6): check C, then fill the table pair by pair.
    throw NotImplemented("exercise 6.6: sinusoidal_positions (exercises/ch06_attention/sinusoidal_positions.cpp)");
}

}  // namespace ladder::ex06
