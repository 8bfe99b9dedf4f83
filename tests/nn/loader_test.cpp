// tests/nn/loader_test.cpp: the validation split, random windows (inside the span, reproducible,
// restorable), parallel streams (contiguous across batches, wrapping together), evaluation windows.
#include <catch2/catch.hpp>

#include <algorithm>
#include <numeric>
#include <set>
#include <vector>

#include "core/error.hpp"
#include "core/nn/loader.hpp"

using namespace ladder;

namespace {

// tokens[i] = i * 7 % 1009 + i / 1009 * 1009 (distinct, not sorted): a window's content tells where it starts.
std::vector<std::int32_t> position_tokens(std::size_t n) {
    std::vector<std::int32_t> t(n);
    for (std::size_t i = 0; i < n; ++i) t[i] = static_cast<std::int32_t>(i * 7 % 1009 + i / 1009 * 1009);
    return t;
}

// Where in `tokens` the window row starts, checking the row is a contiguous piece of it.
std::size_t start_of(std::span<const std::int32_t> row, std::span<const std::int32_t> tokens) {
    const auto it = std::find(tokens.begin(), tokens.end(), row[0]);
    REQUIRE(it != tokens.end());
    const auto start = static_cast<std::size_t>(it - tokens.begin());
    REQUIRE(start + row.size() <= tokens.size());
    for (std::size_t j = 0; j < row.size(); ++j) REQUIRE(row[j] == tokens[start + j]);
    return start;
}

std::vector<std::vector<std::int32_t>> draw(WindowLoader& l, std::size_t B, std::size_t W, std::size_t batches) {
    std::vector<std::vector<std::int32_t>> out;
    for (std::size_t i = 0; i < batches; ++i) {
        std::vector<std::int32_t> b(B * W);
        l.next(b);
        out.push_back(b);
    }
    return out;
}

}  // namespace

TEST_CASE("split_tokens keeps the last fraction for validation, contiguous", "[nn][loader]") {
    std::vector<std::int32_t> ids(10);
    std::iota(ids.begin(), ids.end(), 0);
    const TokenSplit s = split_tokens(ids, 0.25);   // floor(2.5) = 2 validation tokens
    CHECK(std::vector<std::int32_t>(s.train.begin(), s.train.end()) == std::vector<std::int32_t>{0, 1, 2, 3, 4, 5, 6, 7});
    CHECK(std::vector<std::int32_t>(s.val.begin(), s.val.end()) == std::vector<std::int32_t>{8, 9});
    CHECK(s.train.data() == ids.data());
    CHECK(s.val.data() == ids.data() + 8);
    CHECK_THROWS_WITH(split_tokens(ids, 0.05), Catch::Contains("leaves the validation split empty"));
    CHECK_THROWS_WITH(split_tokens(std::vector<std::int32_t>{1}, 0.99), Catch::Contains("validation split empty"));
    CHECK_THROWS_WITH(split_tokens(ids, 0.0), Catch::Contains("not in (0, 1)"));
    CHECK_THROWS_WITH(split_tokens(ids, 1.0), Catch::Contains("not in (0, 1)"));
}

TEST_CASE("WindowLoader: every row is a window inside the span, all starts are reached", "[nn][loader]") {
    const auto tokens = position_tokens(50);
    const std::size_t B = 4, W = 9;   // starts 0..41
    WindowLoader l(tokens, B, W, 3);
    std::set<std::size_t> starts;
    for (const auto& b : draw(l, B, W, 200))
        for (std::size_t r = 0; r < B; ++r) starts.insert(start_of(std::span(b).subspan(r * W, W), tokens));
    // 800 draws over 42 starts: P(a start is missed) = (41/42)^800 ~ 4e-9 for each.
    CHECK(starts.size() == 42);
    CHECK(*starts.rbegin() == 41);   // the last window ends at the span's last token
    CHECK(l.batches_drawn() == 200);
    // A window as long as the span has one start.
    WindowLoader whole(tokens, 2, 50, 1);
    std::vector<std::int32_t> b(100);
    whole.next(b);
    CHECK(std::vector<std::int32_t>(b.begin(), b.begin() + 50) == tokens);
}

TEST_CASE("WindowLoader: the same seed gives the same batches, other seeds differ", "[nn][loader]") {
    const auto tokens = position_tokens(5000);
    WindowLoader a(tokens, 8, 17, 42), b(tokens, 8, 17, 42), c(tokens, 8, 17, 43);
    const auto da = draw(a, 8, 17, 20), db = draw(b, 8, 17, 20), dc = draw(c, 8, 17, 20);
    CHECK(da == db);
    CHECK(da != dc);
}

TEST_CASE("WindowLoader: restore from state() continues identically", "[nn][loader]") {
    const auto tokens = position_tokens(3000);
    WindowLoader run(tokens, 5, 33, 7);
    draw(run, 5, 33, 13);
    const std::string saved = run.state();
    const auto expected = draw(run, 5, 33, 10);
    // A fresh loader with another seed, restored: the saved seed and position win.
    WindowLoader resumed(tokens, 5, 33, 999);
    resumed.restore(saved);
    CHECK(resumed.batches_drawn() == 13);
    CHECK(resumed.state() == saved);
    CHECK(draw(resumed, 5, 33, 10) == expected);
    CHECK(resumed.batches_drawn() == 23);
}

TEST_CASE("WindowLoader: bad shapes and states are errors", "[nn][loader]") {
    const auto tokens = position_tokens(120);
    CHECK_THROWS_WITH(WindowLoader(tokens, 4, 257, 1, "validation split"),
                      Catch::Contains("a window of 257 tokens is longer than the validation split (120 tokens)"));
    CHECK_THROWS_WITH(WindowLoader(tokens, 0, 9, 1), Catch::Contains("batch size is 0"));
    CHECK_THROWS_WITH(WindowLoader(tokens, 4, 1, 1), Catch::Contains("has no target"));
    WindowLoader l(tokens, 4, 9, 1);
    std::vector<std::int32_t> small(35);
    CHECK_THROWS_WITH(l.next(small), Catch::Contains("out holds 35 ids"));
    CHECK_THROWS_WITH(l.restore("garbage"), Catch::Contains("malformed loader state \"garbage\"") &&
                                             Catch::Contains("expected \"window-loader 1 tokens=<n> B=<n>"));
    CHECK_THROWS_WITH(l.restore("window-loader 1 tokens=120 B=4 window=9 seed=1 drawn=x"),
                      Catch::Contains("drawn is not a number"));
    CHECK_THROWS_WITH(l.restore("window-loader 1 tokens=120 B=4 window=9 seed=1"), Catch::Contains("6 fields, not 7"));
    CHECK_THROWS_WITH(l.restore("window-loader 2 tokens=120 B=4 window=9 seed=1 drawn=3"),
                      Catch::Contains("unknown version"));
    CHECK_THROWS_WITH(l.restore("window-loader 1 tokens=121 B=4 window=9 seed=1 drawn=3"),
                      Catch::Contains("tokens = 121, this loader has 120"));
    StreamLoader s(tokens, 4, 9);
    CHECK_THROWS_WITH(l.restore(s.state()), Catch::Contains("not a window-loader state"));
}

TEST_CASE("StreamLoader: the worked example of the header", "[nn][loader]") {
    std::vector<std::int32_t> tokens(12);
    std::iota(tokens.begin(), tokens.end(), 0);
    StreamLoader l(tokens, 2, 3);   // L = 6, T = 2, K = floor(5 / 2) = 2
    CHECK(l.batches_per_pass() == 2);
    std::vector<std::int32_t> b(6);
    l.next(b);
    CHECK(b == std::vector<std::int32_t>{0, 1, 2, 6, 7, 8});
    CHECK_FALSE(l.wrapped());
    l.next(b);
    CHECK(b == std::vector<std::int32_t>{2, 3, 4, 8, 9, 10});
    CHECK_FALSE(l.wrapped());
    l.next(b);
    CHECK(b == std::vector<std::int32_t>{0, 1, 2, 6, 7, 8});
    CHECK(l.wrapped());
    l.next(b);
    CHECK_FALSE(l.wrapped());
}

TEST_CASE("StreamLoader: each row continues where it left off, rows wrap together, restore resumes", "[nn][loader]") {
    const auto tokens = position_tokens(1003);
    const std::size_t B = 4, W = 11, T = W - 1;   // L = 250, K = floor(249 / 10) = 24
    StreamLoader l(tokens, B, W);
    REQUIRE(l.batches_per_pass() == 24);
    std::vector<std::int32_t> b(B * W);
    std::vector<std::size_t> prev(B);
    std::string saved;
    std::vector<std::vector<std::int32_t>> after;
    for (std::size_t k = 0; k < 60; ++k) {
        l.next(b);
        CHECK(l.wrapped() == (k == 24 || k == 48));
        for (std::size_t r = 0; r < B; ++r) {
            const std::size_t start = start_of(std::span(b).subspan(r * W, W), tokens);
            // Row r stays in its own segment [250 r, 250 (r + 1)) and steps T tokens a batch, the
            // last input token of one batch being the first of the next; a wrap returns to 250 r.
            CHECK(start == 250 * r + (k % 24) * T);
            CHECK(start + W <= 250 * (r + 1));
            if (k % 24 != 0) CHECK(start == prev[r] + T);
            prev[r] = start;
        }
        if (k == 29) saved = l.state();
        if (k >= 30) after.push_back(b);
    }
    CHECK(l.batches_drawn() == 60);
    StreamLoader resumed(tokens, B, W);
    resumed.restore(saved);
    for (std::size_t k = 30; k < 60; ++k) {
        resumed.next(b);
        CHECK(b == after[k - 30]);
        CHECK(resumed.wrapped() == (k == 48));
    }
    // Restoring a state saved just after a wrapped batch reports the wrap, as the saved loader did.
    StreamLoader at_wrap(tokens, B, W);
    at_wrap.restore("stream-loader 1 tokens=1003 B=4 window=11 drawn=25");
    CHECK(at_wrap.wrapped());
}

TEST_CASE("StreamLoader: a window longer than a stream's segment is an error", "[nn][loader]") {
    const auto tokens = position_tokens(100);
    CHECK_THROWS_WITH(StreamLoader(tokens, 8, 13, 0, "training split"),
                      Catch::Contains("a window of 13 tokens is longer than each of 8 streams over the training split "
                                      "(100 tokens: 12 per stream)"));
    CHECK_THROWS_WITH(StreamLoader(tokens, 1, 101, 0, "validation split"),
                      Catch::Contains("longer than the validation split (100 tokens)"));
    StreamLoader ok(tokens, 8, 12);   // L = 12 = the window: one batch a pass
    CHECK(ok.batches_per_pass() == 1);
    CHECK_THROWS_WITH(ok.restore("stream-loader 1 tokens=100 B=4 window=12 drawn=0"),
                      Catch::Contains("B = 4, this loader has 8"));
}

TEST_CASE("count_windows and fill_windows: stride window-1 predicts each token once", "[nn][loader]") {
    CHECK(count_windows(10, 4, 3) == 3);   // the header's example: starts 0, 3, 6
    CHECK(count_windows(10, 10, 9) == 1);
    CHECK(count_windows(10, 2, 1) == 9);
    CHECK_THROWS_WITH(count_windows(120, 257, 256, "validation split"),
                      Catch::Contains("a window of 257 tokens is longer than the validation split (120 tokens)"));
    CHECK_THROWS_WITH(count_windows(10, 4, 0), Catch::Contains("stride is 0"));

    const auto tokens = position_tokens(1000);
    const std::size_t W = 17, S = W - 1, n = count_windows(tokens.size(), W, S);   // (1000 - 17) / 16 + 1 = 62
    REQUIRE(n == 62);
    std::vector<std::int32_t> all(n * W);
    fill_windows(all, tokens, W, S, 0, n);
    // Targets are columns 1..W-1: over all rows they are tokens 1 .. n*S, each once, in order.
    std::vector<std::int32_t> targets;
    for (std::size_t r = 0; r < n; ++r) {
        const auto row = std::span(all).subspan(r * W, W);
        CHECK(start_of(row, tokens) == r * S);
        targets.insert(targets.end(), row.begin() + 1, row.end());
    }
    CHECK(targets == std::vector<std::int32_t>(tokens.begin() + 1, tokens.begin() + 1 + static_cast<std::ptrdiff_t>(n * S)));
    // A slice of rows is the same rows.
    std::vector<std::int32_t> part(5 * W);
    fill_windows(part, tokens, W, S, 40, 5);
    CHECK(part == std::vector<std::int32_t>(all.begin() + 40 * W, all.begin() + 45 * W));
    CHECK_THROWS_WITH(fill_windows(part, tokens, W, S, 58, 5), Catch::Contains("rows [58, 63) asked for, the span has 62"));
    CHECK_THROWS_WITH(fill_windows(part, tokens, W, S, 0, 4), Catch::Contains("out holds 85 ids"));
}
