// rng.hpp: the project's one random generator, bit-identical on every platform.
// xoshiro256** (Blackman & Vigna, 2018) seeded through SplitMix64; floats from the top bits.
// Introduced in ch01; every chapter draws its initial weights, samples and shuffles here.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ladder {

// Why not std::mt19937 + std::uniform_real_distribution? The engine is portable but the
// distributions are not: libstdc++, libc++ and MSVC turn the same bits into different
// floats. Here every step is spelled out, so seed 42 gives the same numbers everywhere:
//   state  = 4 x 64-bit words, filled by SplitMix64(seed)
//   next() = xoshiro256** (rotl(s1 * 5, 7) * 9, then the xor-shift state update)
//   uniform() = (next() >> 40) * 2^-24            exact float in [0, 1), 24 random bits
//   below(n)  = Lemire's multiply-shift with rejection, unbiased in [0, n)
//   normal()  = Box-Muller on two uniforms (in double; uses std::log/cos/sin, so the last
//               bit may differ between C libraries -- the integer stream never does)
class Rng {
public:
    explicit Rng(std::uint64_t seed = 0) { reseed(seed); }
    void reseed(std::uint64_t seed);

    std::uint64_t next();                          // 64 random bits
    float uniform();                               // [0, 1)
    float uniform(float lo, float hi);             // [lo, hi)
    std::uint64_t below(std::uint64_t n);          // [0, n), n > 0
    float normal();                                // N(0, 1)
    float normal(float mean, float stddev);

    void fill_uniform(std::span<float> out, float lo, float hi);
    void fill_normal(std::span<float> out, float mean, float stddev);
    // Fisher-Yates shuffle of indices 0..n-1.
    std::vector<std::size_t> permutation(std::size_t n);

    // A generator for a sub-task (a worker thread, a layer) that does not disturb this one.
    Rng split(std::uint64_t stream);

    // Everything the next draw depends on, so a checkpoint can resume the stream exactly:
    // the four xoshiro words and normal()'s second Box-Muller value, kept for the next call.
    // state() reports spare = 0 when has_spare is false, so equal streams give equal States.
    struct State {
        std::array<std::uint64_t, 4> s{};
        bool has_spare = false;
        double spare = 0;
        bool operator==(const State&) const = default;
    };
    State state() const;
    void set_state(const State& state);   // throws on the all-zero words (xoshiro would stay at 0)

private:
    std::uint64_t s_[4];
    bool has_spare_ = false;
    double spare_ = 0;
};

// The State as one line of text, for a checkpoint's metadata: four hex words, then the spare
// double as the hex of its 64 bits (bit-exact, unlike a decimal print) or "none":
//   "xoshiro256** 0123456789abcdef 0123456789abcdef 0123456789abcdef 0123456789abcdef spare 3ff0000000000000"
//   "xoshiro256** 0123456789abcdef 0123456789abcdef 0123456789abcdef 0123456789abcdef spare none"
std::string to_string(const Rng::State& state);
// The inverse; a malformed string throws a ladder::Error that quotes it and says what is wrong.
Rng::State rng_state_from_string(std::string_view text);

}  // namespace ladder
