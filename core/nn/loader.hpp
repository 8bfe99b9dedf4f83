// core/nn/loader.hpp: batches of token windows for training and evaluation, and the held-out split.
// tokens (N) -> out (B, window) int32, window = T+1: inputs are columns [0, T), targets [1, T+1).
// Introduced in ch05; chapters 6-11 train from the same loaders.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "core/rng.hpp"

namespace ladder {

// The held-out split: the last val_fraction of the tokens (contiguous, so no window straddles
// both). val = the last floor(N * val_fraction) tokens; train = the rest. Throws if either is empty.
// split_tokens(ids of 10 tokens, 0.25) -> train = ids[0, 8), val = ids[8, 10)
struct TokenSplit {
    std::span<const std::int32_t> train, val;
};
TokenSplit split_tokens(std::span<const std::int32_t> ids, double val_fraction);

// Random (B, window) windows of a token span, each row starting at a uniform position in
// [0, N - window] (Rng::below), seeded and reproducible. Its position (the seed and the number
// of batches drawn) is a string for checkpoints: restore() re-draws that many batches, so it
// continues exactly where the saved loader was. `span_name` names the span in errors
// ("a window of 257 tokens is longer than the validation split (120 tokens)").
class WindowLoader {
public:
    WindowLoader(std::span<const std::int32_t> tokens, std::size_t B, std::size_t window, std::uint64_t seed,
                 std::string_view span_name = "token span");
    void next(std::span<std::int32_t> out);   // out (B, window), row-major
    std::string state() const;                // "window-loader 1 tokens=N B=4 window=9 seed=42 drawn=17"
    void restore(std::string_view state);     // throws on a malformed state or another loader's
    std::size_t batches_drawn() const { return drawn_; }

private:
    std::span<const std::int32_t> tokens_;
    std::size_t B_, window_;
    std::uint64_t seed_;
    Rng rng_;
    std::size_t drawn_ = 0;
};

// B parallel streams over the span for stateful models (an RNN carries its hidden state from one
// batch to the next): the span is cut into B segments of L = floor(N / B) tokens (the last N mod B
// tokens are not used), row b starts at start_b = b*L, and batch k gives row b the tokens
// [start_b + k*T, start_b + k*T + T + 1), T = window - 1, so consecutive batches overlap by one
// token and every token of a row is a target once. After K = floor((L - 1) / T) batches the
// segments are spent and every row wraps to its start together; wrapped() is true for the batch
// that follows a wrap (the caller zeroes the hidden state), false otherwise.
// StreamLoader(0..11, B=2, window=3): L = 6, K = 2; batch 0 = {0,1,2 | 6,7,8}, batch 1 =
// {2,3,4 | 8,9,10}, batch 2 = {0,1,2 | 6,7,8} with wrapped() true.
class StreamLoader {
public:
    // seed: unused (the streams are one fixed order); taken so both loaders are made alike.
    StreamLoader(std::span<const std::int32_t> tokens, std::size_t B, std::size_t window, std::uint64_t seed = 0,
                 std::string_view span_name = "token span");
    void next(std::span<std::int32_t> out);   // out (B, window), row-major
    bool wrapped() const { return wrapped_; }
    std::string state() const;                // "stream-loader 1 tokens=N B=4 window=9 drawn=17"
    void restore(std::string_view state);     // throws on a malformed state or another loader's
    std::size_t batches_drawn() const { return drawn_; }
    std::size_t batches_per_pass() const { return K_; }   // K: batches before the streams wrap

private:
    std::span<const std::int32_t> tokens_;
    std::size_t B_, window_, L_, K_;
    std::size_t drawn_ = 0;
    bool wrapped_ = false;
};

// Every window of length `window` starting at 0, stride, 2*stride, ... that fits in n_tokens
// (evaluation: stride = window - 1 makes consecutive windows share one token, so every token
// after the first is a target exactly once, up to the tail that no full window reaches).
// count_windows(10, 4, 3) -> 3 (starts 0, 3, 6); fill_windows writes rows [first, first + rows)
// of them into out (rows, window).
std::size_t count_windows(std::size_t n_tokens, std::size_t window, std::size_t stride,
                          std::string_view span_name = "token span");
void fill_windows(std::span<std::int32_t> out, std::span<const std::int32_t> tokens, std::size_t window,
                  std::size_t stride, std::size_t first, std::size_t rows);

}  // namespace ladder
