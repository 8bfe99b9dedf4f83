// core/nn/loader.cpp: split_tokens, WindowLoader, StreamLoader, count_windows/fill_windows.
// A loader's state is one line of text (key=value fields) that a checkpoint keeps in its metadata.
#include "core/nn/loader.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <vector>

#include "core/error.hpp"

namespace ladder {

namespace {

// "kind 1 k0=v0 k1=v1 ..." -> {v0, v1, ...}; throws naming the state and the expected form.
std::vector<std::uint64_t> parse_state(std::string_view state, std::string_view kind,
                                       std::initializer_list<std::string_view> keys) {
    std::string form = fmt::format("{} 1", kind);
    for (auto k : keys) form += fmt::format(" {}=<n>", k);
    auto fail = [&](std::string_view why) {
        return Error(__FILE__, __LINE__, fmt::format("malformed loader state \"{}\" ({}): expected \"{}\"", state, why, form));
    };
    std::vector<std::string_view> words;
    for (std::size_t i = 0; i < state.size();) {
        const std::size_t j = std::min(state.find(' ', i), state.size());
        if (j > i) words.push_back(state.substr(i, j - i));
        i = j + 1;
    }
    if (words.empty() || words[0] != kind) throw fail(fmt::format("it is not a {} state", kind));
    if (words.size() != keys.size() + 2) throw fail(fmt::format("{} fields, not {}", words.size(), keys.size() + 2));
    if (words[1] != "1") throw fail("unknown version");
    std::vector<std::uint64_t> values;
    std::size_t w = 2;
    for (auto k : keys) {
        const std::string_view word = words[w++];
        if (word.size() <= k.size() + 1 || word.substr(0, k.size()) != k || word[k.size()] != '=')
            throw fail(fmt::format("no {}=", k));
        std::uint64_t v = 0;
        const char* first = word.data() + k.size() + 1;
        const char* last = word.data() + word.size();
        const auto [end, ec] = std::from_chars(first, last, v);
        if (ec != std::errc{} || end != last) throw fail(fmt::format("{} is not a number", k));
        values.push_back(v);
    }
    return values;
}

void check_window(std::size_t window, std::size_t n, std::string_view span_name) {
    LADDER_CHECK(window >= 2, "a window of {} tokens has no target (a window is T+1 >= 2 tokens)", window);
    LADDER_CHECK(window <= n, "a window of {} tokens is longer than the {} ({} tokens)", window, span_name, n);
}

// A restored state must come from a loader over the same data and shapes.
void check_same(std::string_view kind, std::string_view what, std::uint64_t saved, std::uint64_t here) {
    LADDER_CHECK(saved == here, "{} state: it was saved with {} = {}, this loader has {}", kind, what, saved, here);
}

}  // namespace

TokenSplit split_tokens(std::span<const std::int32_t> ids, double val_fraction) {
    LADDER_CHECK(val_fraction > 0 && val_fraction < 1, "split_tokens: val_fraction {} is not in (0, 1)", val_fraction);
    const auto n_val = static_cast<std::size_t>(std::floor(static_cast<double>(ids.size()) * val_fraction));
    LADDER_CHECK(n_val > 0, "split_tokens: a validation fraction of {} of {} tokens leaves the validation split empty",
                 val_fraction, ids.size());
    LADDER_CHECK(n_val < ids.size(), "split_tokens: a validation fraction of {} of {} tokens leaves the training split empty",
                 val_fraction, ids.size());
    return {ids.first(ids.size() - n_val), ids.last(n_val)};
}

// ---- WindowLoader ----

WindowLoader::WindowLoader(std::span<const std::int32_t> tokens, std::size_t B, std::size_t window, std::uint64_t seed,
                           std::string_view span_name)
    : tokens_(tokens), B_(B), window_(window), seed_(seed), rng_(seed) {
    LADDER_CHECK(B > 0, "WindowLoader: the batch size is 0");
    check_window(window, tokens.size(), span_name);
}

void WindowLoader::next(std::span<std::int32_t> out) {
    LADDER_CHECK(out.size() == B_ * window_, "WindowLoader::next: out holds {} ids, a batch is B {} x window {} = {}",
                 out.size(), B_, window_, B_ * window_);
    const std::size_t starts = tokens_.size() - window_ + 1;   // positions 0 .. N - window
    for (std::size_t b = 0; b < B_; ++b) {
        const auto start = static_cast<std::size_t>(rng_.below(starts));
        const auto src = tokens_.subspan(start, window_);
        std::copy(src.begin(), src.end(), out.begin() + static_cast<std::ptrdiff_t>(b * window_));
    }
    ++drawn_;
}

std::string WindowLoader::state() const {
    return fmt::format("window-loader 1 tokens={} B={} window={} seed={} drawn={}", tokens_.size(), B_, window_, seed_,
                       drawn_);
}

void WindowLoader::restore(std::string_view state) {
    const auto v = parse_state(state, "window-loader", {"tokens", "B", "window", "seed", "drawn"});
    check_same("window-loader", "tokens", v[0], tokens_.size());
    check_same("window-loader", "B", v[1], B_);
    check_same("window-loader", "window", v[2], window_);
    // Re-draw the saved loader's starts: the Rng then stands exactly where it stood (below() may
    // reject and redraw, so counting calls would not do). B * drawn draws: microseconds per thousand.
    seed_ = v[3];
    rng_.reseed(seed_);
    const std::size_t starts = tokens_.size() - window_ + 1;
    for (std::uint64_t i = 0; i < v[4] * B_; ++i) rng_.below(starts);
    drawn_ = static_cast<std::size_t>(v[4]);
}

// ---- StreamLoader ----

StreamLoader::StreamLoader(std::span<const std::int32_t> tokens, std::size_t B, std::size_t window,
                           std::uint64_t /*seed*/, std::string_view span_name)
    : tokens_(tokens), B_(B), window_(window), L_(0), K_(0) {
    LADDER_CHECK(B > 0, "StreamLoader: the batch size is 0");
    check_window(window, tokens.size(), span_name);
    L_ = tokens.size() / B;
    LADDER_CHECK(L_ >= window, "a window of {} tokens is longer than each of {} streams over the {} ({} tokens: {} per stream)",
                 window, B, span_name, tokens.size(), L_);
    K_ = (L_ - 1) / (window - 1);
}

void StreamLoader::next(std::span<std::int32_t> out) {
    LADDER_CHECK(out.size() == B_ * window_, "StreamLoader::next: out holds {} ids, a batch is B {} x window {} = {}",
                 out.size(), B_, window_, B_ * window_);
    const std::size_t T = window_ - 1;
    const std::size_t k = drawn_ % K_;   // the batch within this pass over the segments
    wrapped_ = drawn_ > 0 && k == 0;
    for (std::size_t b = 0; b < B_; ++b) {
        const auto src = tokens_.subspan(b * L_ + k * T, window_);
        std::copy(src.begin(), src.end(), out.begin() + static_cast<std::ptrdiff_t>(b * window_));
    }
    ++drawn_;
}

std::string StreamLoader::state() const {
    return fmt::format("stream-loader 1 tokens={} B={} window={} drawn={}", tokens_.size(), B_, window_, drawn_);
}

void StreamLoader::restore(std::string_view state) {
    const auto v = parse_state(state, "stream-loader", {"tokens", "B", "window", "drawn"});
    check_same("stream-loader", "tokens", v[0], tokens_.size());
    check_same("stream-loader", "B", v[1], B_);
    check_same("stream-loader", "window", v[2], window_);
    drawn_ = static_cast<std::size_t>(v[3]);
    // As the saved loader stood after its last next(): did that batch follow a wrap?
    wrapped_ = drawn_ > 1 && (drawn_ - 1) % K_ == 0;
}

// ---- every window, for evaluation ----

std::size_t count_windows(std::size_t n_tokens, std::size_t window, std::size_t stride, std::string_view span_name) {
    LADDER_CHECK(stride > 0, "count_windows: the stride is 0");
    LADDER_CHECK(window > 0, "count_windows: the window is 0 tokens");
    LADDER_CHECK(window <= n_tokens, "a window of {} tokens is longer than the {} ({} tokens)", window, span_name,
                 n_tokens);
    return (n_tokens - window) / stride + 1;
}

void fill_windows(std::span<std::int32_t> out, std::span<const std::int32_t> tokens, std::size_t window,
                  std::size_t stride, std::size_t first, std::size_t rows) {
    const std::size_t count = count_windows(tokens.size(), window, stride);
    LADDER_CHECK(first <= count && rows <= count - first,
                 "fill_windows: rows [{}, {}) asked for, the span has {} windows", first, first + rows, count);
    LADDER_CHECK(out.size() == rows * window, "fill_windows: out holds {} ids, {} rows of {} need {}", out.size(), rows,
                 window, rows * window);
    for (std::size_t r = 0; r < rows; ++r) {
        const auto src = tokens.subspan((first + r) * stride, window);
        std::copy(src.begin(), src.end(), out.begin() + static_cast<std::ptrdiff_t>(r * window));
    }
}

}  // namespace ladder
