// rng.cpp: xoshiro256** with SplitMix64 seeding; see rng.hpp for the exact recipe.
#include "core/rng.hpp"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <numbers>
#include <utility>

#include "core/error.hpp"

namespace ladder {

namespace {
std::uint64_t splitmix64(std::uint64_t& x) {
    std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}
constexpr std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
}  // namespace

void Rng::reseed(std::uint64_t seed) {
    std::uint64_t x = seed;
    for (auto& w : s_) w = splitmix64(x);
    has_spare_ = false;
}

std::uint64_t Rng::next() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
}

float Rng::uniform() { return static_cast<float>(next() >> 40) * 0x1.0p-24f; }

float Rng::uniform(float lo, float hi) { return lo + (hi - lo) * uniform(); }

std::uint64_t Rng::below(std::uint64_t n) {
    LADDER_CHECK(n > 0, "Rng::below(0): the range is empty");
    // Lemire (2019): the high word of x*n is uniform in [0, n) once the low word
    // is outside the biased zone [0, 2^64 mod n).
    __extension__ using u128 = unsigned __int128;   // GCC and Clang: the 64x64 -> 128-bit product
    u128 m = static_cast<u128>(next()) * n;
    auto low = static_cast<std::uint64_t>(m);
    if (low < n) {
        const std::uint64_t threshold = (0 - n) % n;
        while (low < threshold) {
            m = static_cast<u128>(next()) * n;
            low = static_cast<std::uint64_t>(m);
        }
    }
    return static_cast<std::uint64_t>(m >> 64);
}

float Rng::normal() {
    if (has_spare_) {
        has_spare_ = false;
        return static_cast<float>(spare_);
    }
    // u1 in (0, 1] so log(u1) is finite.
    const double u1 = (static_cast<double>(next() >> 11) + 1.0) * 0x1.0p-53;
    const double u2 = static_cast<double>(next() >> 11) * 0x1.0p-53;
    const double r = std::sqrt(-2.0 * std::log(u1));
    const double theta = 2.0 * std::numbers::pi * u2;
    spare_ = r * std::sin(theta);
    has_spare_ = true;
    return static_cast<float>(r * std::cos(theta));
}

float Rng::normal(float mean, float stddev) { return mean + stddev * normal(); }

void Rng::fill_uniform(std::span<float> out, float lo, float hi) {
    for (float& x : out) x = uniform(lo, hi);
}

void Rng::fill_normal(std::span<float> out, float mean, float stddev) {
    for (float& x : out) x = normal(mean, stddev);
}

std::vector<std::size_t> Rng::permutation(std::size_t n) {
    std::vector<std::size_t> p(n);
    for (std::size_t i = 0; i < n; ++i) p[i] = i;
    for (std::size_t i = n; i > 1; --i) std::swap(p[i - 1], p[below(i)]);
    return p;
}

Rng Rng::split(std::uint64_t stream) {
    // Seed the child from our own stream mixed with the stream number.
    return Rng(next() ^ (stream * 0xd1b54a32d192ed03ULL));
}

Rng::State Rng::state() const {
    State st;
    for (int i = 0; i < 4; ++i) st.s[i] = s_[i];
    st.has_spare = has_spare_;
    st.spare = has_spare_ ? spare_ : 0.0;
    return st;
}

void Rng::set_state(const State& state) {
    LADDER_CHECK(state.s[0] | state.s[1] | state.s[2] | state.s[3],
                 "Rng::set_state: the four state words are all zero (xoshiro256** would return 0 forever)");
    for (int i = 0; i < 4; ++i) s_[i] = state.s[i];
    has_spare_ = state.has_spare;
    spare_ = state.has_spare ? state.spare : 0.0;
}

// ---- text form ----

namespace {
constexpr std::string_view kRngTag = "xoshiro256**";

std::string hex16(std::uint64_t x) { return fmt::format("{:016x}", x); }

// Splits on single spaces; the text form has exactly 7 fields.
std::vector<std::string_view> fields(std::string_view text) {
    std::vector<std::string_view> out;
    std::size_t begin = 0;
    while (begin <= text.size()) {
        const std::size_t end = std::min(text.find(' ', begin), text.size());
        out.push_back(text.substr(begin, end - begin));
        begin = end + 1;
    }
    return out;
}

std::uint64_t parse_hex16(std::string_view field, std::string_view text, const char* what) {
    std::uint64_t x = 0;
    const auto [ptr, ec] = std::from_chars(field.data(), field.data() + field.size(), x, 16);
    LADDER_CHECK(field.size() == 16 && ec == std::errc() && ptr == field.data() + field.size(),
                 "Rng state \"{}\": {} '{}' is not 16 hex digits", text, what, field);
    return x;
}
}  // namespace

std::string to_string(const Rng::State& state) {
    std::string out(kRngTag);
    for (std::uint64_t w : state.s) out += " " + hex16(w);
    out += " spare ";
    out += state.has_spare ? hex16(std::bit_cast<std::uint64_t>(state.spare)) : "none";
    return out;
}

Rng::State rng_state_from_string(std::string_view text) {
    const auto f = fields(text);
    LADDER_CHECK(f.size() == 7 && f[0] == kRngTag && f[5] == "spare",
                 "Rng state \"{}\" is malformed: expected \"{} <4 words of 16 hex digits> spare <16 hex digits or "
                 "none>\" (7 fields separated by single spaces, got {})",
                 text, kRngTag, f.size());
    Rng::State st;
    const char* word_names[4] = {"word 0", "word 1", "word 2", "word 3"};
    for (int i = 0; i < 4; ++i) st.s[i] = parse_hex16(f[1 + i], text, word_names[i]);
    st.has_spare = f[6] != "none";
    st.spare = st.has_spare ? std::bit_cast<double>(parse_hex16(f[6], text, "the spare")) : 0.0;
    LADDER_CHECK(std::isfinite(st.spare), "Rng state \"{}\": the spare {} is not finite", text, st.spare);
    LADDER_CHECK(st.s[0] | st.s[1] | st.s[2] | st.s[3], "Rng state \"{}\": the four words are all zero", text);
    return st;
}

}  // namespace ladder
