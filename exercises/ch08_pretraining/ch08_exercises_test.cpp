// ch08_exercises_test.cpp: checks chapter 8's exercises against the chapter's ops (grad_average,
// loss_sum), core/nn's bits_per_byte, the chapter's arithmetic coder (ArithEncoder's bytes,
// ArithDecoder's symbols) and a small linear model's gradient computed two ways, on worked
// examples and fresh random inputs. Tags [ch08][ex8.N]: `./ladder exercise ch08` runs them in order.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "chapters/ch08_pretraining/arith_coder.hpp"
#include "core/backend.hpp"
#include "core/error.hpp"
#include "core/gpu_dispatch.hpp"
#include "core/nn/train.hpp"
#include "core/rng.hpp"
#include "exercises/ch08_pretraining/exercises.hpp"
#include "exercises/common/exercise.hpp"
#include "kernels/error_bounds.hpp"

using namespace ladder;

namespace {

constexpr double u64 = 0x1.0p-53;  // double's unit roundoff

// ---- ex8.4: streams through the learner's coder steps ----

constexpr std::uint64_t kTop = (std::uint64_t{1} << 63) - 1;
constexpr std::uint64_t kQuarter = std::uint64_t{1} << 61;

struct Symbol {
    std::uint32_t cum_low, freq, total;
};

// A distribution over V symbols as integer frequencies summing to total, each >= 1.
struct Table {
    std::vector<std::uint32_t> cum;  // cum[s] = sum of the frequencies below s; cum[V] = total
    std::uint32_t total() const { return cum.back(); }
    Symbol symbol(std::size_t s) const { return {cum[s], cum[s + 1] - cum[s], total()}; }
};

// The bits of a stream through the learner's coder_narrow and coder_renormalise, then the flush
// ArithEncoder::finish writes (one more pending bit, then the bit that names a quarter inside the
// final interval), packed most significant bit first, the last byte padded with zeros.
std::vector<std::uint8_t> encode_with_exercise(const std::vector<Symbol>& stream, const std::string& hint) {
    ex08::CoderState s;
    std::vector<std::uint8_t> bits;
    for (std::size_t k = 0; k < stream.size(); ++k) {
        const Symbol& y = stream[k];
        ex08::coder_narrow(s, y.cum_low, y.freq, y.total);
        ex08::coder_renormalise(s, bits);
        // Between symbols the interval is a valid one wider than a quarter of the code space,
        // which the next narrowing relies on (step = width / total >= 2^30).
        if (!(s.low <= s.high && s.high <= kTop && s.high - s.low + 1 > kQuarter))
            FAIL("ex8.4: after symbol " << k << " ([" << y.cum_low << ", " << y.cum_low + y.freq << ") of " << y.total
                                        << ") the interval is [" << s.low << ", " << s.high
                                        << "]: it must lie in [0, 2^63) and be wider than 2^61\n  hint: " << hint);
        for (const std::uint8_t b : bits)
            if (b > 1) FAIL("ex8.4: coder_renormalise appended the value " << int{b} << "; bits are 0 or 1");
    }
    ++s.pending;
    const std::uint8_t last = s.low < kQuarter ? 0 : 1;
    bits.push_back(last);
    for (; s.pending > 0; --s.pending) bits.push_back(static_cast<std::uint8_t>(1 - last));
    std::vector<std::uint8_t> bytes((bits.size() + 7) / 8, 0);
    for (std::size_t i = 0; i < bits.size(); ++i)
        bytes[i / 8] = static_cast<std::uint8_t>(bytes[i / 8] | (bits[i] << (7 - i % 8)));
    return bytes;
}

// ---- ex8.5: a linear model's gradient ----

// Squared error of a linear model with a bias, in double: with r_i = w . x_i + b - t_i,
//   L = (1/B) sum_i r_i^2 / 2,   dL/dw_c = (1/B) sum_i r_i x_ic,   dL/db = (1/B) sum_i r_i.
// The parameters are w (D) then b: P = D + 1 values, and x_i gets a trailing 1 for b.
struct LinearModel {
    std::size_t B, D;
    std::vector<float> x, t, params;  // x (B,D), t (B), params (D + 1)
    double feature(std::size_t i, std::size_t c) const { return c < D ? x[i * D + c] : 1.0; }
    double residual(std::size_t i) const {
        double r = -static_cast<double>(t[i]);
        for (std::size_t c = 0; c <= D; ++c) r += params[c] * feature(i, c);
        return r;
    }
};

}  // namespace

TEST_CASE("ex8.1 grad_average_kernel matches the grad_average op", "[ch08][ex8.1]") {
    // The grad_average op's cases (1 to 8 ranks; 1 to 1100000 elements, off the block size) and
    // its per-element bound (kernels/grad_average/grad_average_op.cpp); the reference adds in
    // rank order and divides once, so a kernel that does the same gives its bits.
    const OpSpec& op = registry().get("grad_average");
    exercise::check_gpu_exercise(
        "ex8.1", op, op.test_cases,
        [](Device d, Problem& p) {
            LADDER_GPU_CALL(d, ex08::grad_average_kernel, p.f32("out"), p.f32("in"), p["N"], p["n"]);
        },
        "i = blockIdx.x * blockDim.x + threadIdx.x; if (i >= n) return; s = in[i]; s += in[r * n + i] for r = 1 .. "
        "N-1; out[i] = s / (float)N.");
}

TEST_CASE("ex8.2 loss_sum_kernel matches the loss_sum op", "[ch08][ex8.2]") {
    const std::string hint =
        "one block of 256: s = sum of losses[i] for i = tid, tid + 256, ...; partial[tid] = s; for half = 128 .. 1: "
        "__syncthreads(), then tid < half adds partial[tid + half]; thread 0 writes out[0] = partial[0].";
    // The loss_sum op's cases (1 to 300001 losses) under the race check, and its bound: the
    // depth it allows is one block's (R / 256 + 8 roundings per loss).
    const OpSpec& op = registry().get("loss_sum");
    exercise::check_gpu_exercise(
        "ex8.2", op, op.test_cases,
        [](Device d, Problem& p) { LADDER_GPU_CALL(d, ex08::loss_sum_kernel, p.f32("out"), p.f32("losses"), p["R"]); },
        hint);
    // No losses: the empty sum is 0 (every thread contributes 0), written over a poisoned out.
    for (Device d : available_devices()) {
        if (d == Device::cpu) continue;
        const Backend be(d);
        Tensor out = be.empty({1}), losses = be.zeros({1});
        out.fill_nan();
        LADDER_GPU_CALL(d, ex08::loss_sum_kernel, out.data(), losses.data(), std::size_t{0});
        if (out.to_vector()[0] != 0.0f)
            FAIL("ex8.2 on " << device_name(d) << ", R=0: expected 0, got " << out.to_vector()[0]
                             << "\n  hint: " << hint);
    }
}

TEST_CASE("ex8.3 bits_per_token and bits_per_byte match core/nn's bits_per_byte", "[ch08][ex8.3]") {
    const std::string hint =
        "bits = nats / std::log(2.0); bits per byte = bits per token * tokens / bytes (in double); LADDER_CHECK(bytes "
        "> 0, "
        "...).";
    // Both sides do three or four roundings in double (a product, quotients, ln 2 itself) in
    // possibly different orders: each within gamma_4 (2^-53) of the exact value, so 2 gamma_4
    // relative between them. A swapped ratio or a log base 10 is off by far more.
    const double tol = 2 * 1.01 * gamma_n(4, u64);
    auto close = [&](double got, double want) { return std::fabs(got - want) <= tol * std::fabs(want); };
    // Worked: ln 2 nats is one bit; 8 ln 2 nats per token over one byte per token is 8 bits per
    // byte (no compression); 3 nats per token, 1000 tokens of 4 bytes each: 0.75 nats per byte,
    // 1.08202 bits per byte.
    CHECK(close(ex08::bits_per_token(std::log(2.0)), 1.0));
    CHECK(close(ex08::bits_per_byte(8 * std::log(2.0), 5, 5), 8.0));
    CHECK(close(ex08::bits_per_byte(3.0, 1000, 4000), 0.75 / std::log(2.0)));
    struct Run {
        double nats;
        std::size_t tokens, bytes;
    };
    // A trained GPT-2's 3.3 nats over ~4.4 bytes per token; fewer bytes than tokens (a byte-level
    // model's bytes are its tokens: equal); a zero loss; counts in the billions.
    for (const Run& r : {Run{3.3, 1024, 4431}, Run{1.1, 7, 7}, Run{5.0, 10, 3}, Run{0.0, 10, 7},
                         Run{2.718, 3'000'000'000, 12'345'678'901}, Run{10.8, 1, 1}}) {
        const double want = bits_per_byte(r.nats, r.tokens, r.bytes);
        const double got = ex08::bits_per_byte(r.nats, r.tokens, r.bytes);
        if (!close(got, want))
            FAIL("ex8.3: bits_per_byte(" << r.nats << ", " << r.tokens << ", " << r.bytes << "): expected " << want
                                         << ", got " << got << "\n  hint: " << hint);
        const double per_token = ex08::bits_per_token(r.nats), want_per_token = bits_per_byte(r.nats, 1, 1);
        if (!close(per_token, want_per_token))
            FAIL("ex8.3: bits_per_token(" << r.nats << "): expected " << want_per_token << ", got " << per_token
                                          << "\n  hint: " << hint);
    }
    // No bytes: an error, not a division by zero.
    try {
        ex08::bits_per_byte(1.0, 3, 0);
        FAIL("ex8.3: bits_per_byte(1, 3, 0) returned\n  hint: " << hint);
    } catch (const Error&) {
        SUCCEED("bytes = 0 is a ladder::Error");
    }
}

TEST_CASE("ex8.4 coder_narrow and coder_renormalise: worked symbols, ArithEncoder's bytes, ArithDecoder",
          "[ch08][ex8.4]") {
    const std::string hint =
        "narrow: width = high - low + 1, step = width / total, high = low + step * (cum_low + freq) - 1 BEFORE low = "
        "low + step * cum_low; renormalise: loop over high < 2^62 (emit 0), low >= 2^62 (emit 1, subtract 2^62), "
        "2^61 <= low and high < 3 2^61 (pending++, subtract 2^61), then low = 2 low, high = 2 high + 1.";
    auto require_state = [&](const char* what, const ex08::CoderState& s, std::uint64_t low, std::uint64_t high,
                             std::uint64_t pending) {
        if (s.low != low || s.high != high || s.pending != pending)
            FAIL("ex8.4 (" << what << "): expected low " << low << ", high " << high << ", pending " << pending
                           << "; got " << s.low << ", " << s.high << ", " << s.pending << "\n  hint: " << hint);
    };
    auto require_bits = [&](const char* what, const std::vector<std::uint8_t>& got,
                            const std::vector<std::uint8_t>& want) {
        if (got != want) {
            std::ostringstream g, w;
            for (const auto b : got) g << int{b};
            for (const auto b : want) w << int{b};
            FAIL("ex8.4 (" << what << "): expected the bits '" << w.str() << "', got '" << g.str()
                           << "'\n  hint: " << hint);
        }
    };
    const std::uint64_t Q = kQuarter;
    {
        // [1, 2) of 4 from the whole code space: step 2^61, so [2^61, 2^62 - 1], the second
        // quarter. That lies in the lower half (bit 0: [2^62, 2^63 - 1] after doubling), which is
        // the upper half (bit 1: back to the whole space). A symbol of probability 1/4, two bits.
        ex08::CoderState s;
        std::vector<std::uint8_t> bits;
        ex08::coder_narrow(s, 1, 1, 4);
        require_state("narrow [1, 2) of 4", s, Q, 2 * Q - 1, 0);
        ex08::coder_renormalise(s, bits);
        require_bits("renormalise after [1, 2) of 4", bits, {0, 1});
        require_state("renormalise after [1, 2) of 4", s, 0, kTop, 0);
    }
    {
        // [1, 3) of 4: [2^61, 3 2^61 - 1] straddles the middle inside the middle quarters: no bit
        // yet, one pending, and the doubled interval is the whole space. Then [0, 1) of 2, the
        // lower half: the bit 0, then the pending bit as its opposite, 1.
        ex08::CoderState s;
        std::vector<std::uint8_t> bits;
        ex08::coder_narrow(s, 1, 2, 4);
        require_state("narrow [1, 3) of 4", s, Q, 3 * Q - 1, 0);
        ex08::coder_renormalise(s, bits);
        require_bits("renormalise after [1, 3) of 4", bits, {});
        require_state("renormalise after [1, 3) of 4", s, 0, kTop, 1);
        ex08::coder_narrow(s, 0, 1, 2);
        require_state("narrow [0, 1) of 2 with a pending bit", s, 0, 2 * Q - 1, 1);
        ex08::coder_renormalise(s, bits);
        require_bits("renormalise after [0, 1) of 2 with a pending bit", bits, {0, 1});
        require_state("renormalise after [0, 1) of 2 with a pending bit", s, 0, kTop, 0);
    }
    {
        // Thirds: step = floor(2^63 / 3) = 3074457345618258602, and the third left over is lost
        // to truncation (2 code values of 2^63). [0, 1) of 3 is [0, step - 1]: bit 0, then
        // [0, 2 step - 1]. From there, [1, 2) of 3 has step' = floor(2 step / 3) =
        // 2049638230412172401 and is [step', 2 step' - 1]: below the middle again, bit 0, then
        // [2 step', 4 step' - 1]. (Narrowing low before high would give high = 3 step' - 1.)
        ex08::CoderState s;
        std::vector<std::uint8_t> bits;
        ex08::coder_narrow(s, 0, 1, 3);
        require_state("narrow [0, 1) of 3", s, 0, 3074457345618258601u, 0);
        ex08::coder_renormalise(s, bits);
        require_bits("renormalise after [0, 1) of 3", bits, {0});
        require_state("renormalise after [0, 1) of 3", s, 0, 6148914691236517203u, 0);
        ex08::coder_narrow(s, 1, 1, 3);
        require_state("narrow [1, 2) of 3 after [0, 1) of 3", s, 2049638230412172401u, 4099276460824344801u, 0);
        ex08::coder_renormalise(s, bits);
        require_bits("renormalise after [0, 1), [1, 2) of 3", bits, {0, 0});
        require_state("renormalise after [0, 1), [1, 2) of 3", s, 4099276460824344802u, 8198552921648689603u, 0);
    }

    // Streams: the learner's steps must produce ArithEncoder's bytes exactly, and ArithDecoder
    // must read the symbols back. Distributions of 2 to 300 symbols with totals from 3 to 2^31
    // (the coder's largest): near-uniform ones, skewed ones (a symbol of probability ~1 costs
    // almost nothing, one of 1/2^24 about 24 bits), and 1/2 - epsilon splits, which straddle the
    // middle and build long runs of pending bits.
    Rng rng(84);
    std::vector<Table> tables;
    for (const std::uint32_t total : {3u, 10u, 1000u, 1u << 16, 1u << 24, 1u << 31}) {
        for (const std::size_t V : {2, 7, 300}) {
            if (V > total) continue;
            Table t{{0}};
            // V - 1 random cuts of [1, total) in order, every part >= 1.
            std::vector<std::uint32_t> cuts;
            while (cuts.size() < V - 1) {
                const auto c = static_cast<std::uint32_t>(1 + rng.below(total - 1));
                if (std::find(cuts.begin(), cuts.end(), c) == cuts.end()) cuts.push_back(c);
            }
            std::sort(cuts.begin(), cuts.end());
            for (const std::uint32_t c : cuts) t.cum.push_back(c);
            t.cum.push_back(total);
            tables.push_back(t);
        }
    }
    tables.push_back(Table{{0, (1u << 24) - 1, 1u << 24}});  // near-certain and 2^-24
    tables.push_back(Table{{0, (1u << 30) - 1, 1u << 31}});  // just under one half
    tables.push_back(Table{{0, 1}});                         // total 1: a certain symbol
    for (std::size_t trial = 0; trial < 40; ++trial) {
        std::vector<Symbol> stream;
        std::vector<std::pair<std::size_t, std::size_t>> which;  // (table, symbol)
        const std::size_t length = trial < 4 ? trial : 1 + rng.below(600);
        for (std::size_t k = 0; k < length; ++k) {
            const std::size_t ti = trial % 4 == 3 ? tables.size() - 2 - rng.below(2) : rng.below(tables.size());
            const Table& t = tables[ti];
            const std::size_t V = t.cum.size() - 1;
            // Mostly the first symbol (the likely one in the skewed tables), sometimes any.
            const std::size_t s = rng.below(3) == 0 ? rng.below(V) : 0;
            stream.push_back(t.symbol(s));
            which.emplace_back(ti, s);
        }
        ch08::ArithEncoder enc;
        for (const Symbol& y : stream) enc.encode(y.cum_low, y.freq, y.total);
        const std::vector<std::uint8_t> want = enc.finish();
        const std::vector<std::uint8_t> got = encode_with_exercise(stream, hint);
        if (got != want) {
            std::size_t i = 0;
            while (i < got.size() && i < want.size() && got[i] == want[i]) ++i;
            FAIL("ex8.4 (stream " << trial << " of " << stream.size() << " symbols): " << got.size()
                                  << " bytes where ArithEncoder writes " << want.size()
                                  << "; the first difference is at byte " << i << "\n  hint: " << hint);
        }
        ch08::ArithDecoder dec(got);
        for (std::size_t k = 0; k < stream.size(); ++k) {
            const Table& t = tables[which[k].first];
            const std::uint32_t target = dec.target(t.total());
            const auto s =
                static_cast<std::size_t>(std::upper_bound(t.cum.begin(), t.cum.end(), target) - t.cum.begin()) - 1;
            if (s != which[k].second)
                FAIL("ex8.4 (stream " << trial << "): ArithDecoder read symbol " << s << " at position " << k
                                      << " where " << which[k].second << " was encoded\n  hint: " << hint);
            const Symbol y = t.symbol(s);
            dec.consume(y.cum_low, y.freq, y.total);
        }
    }
}

TEST_CASE("ex8.5 accumulate_micro_batch: k micro-batches give the batch's gradient", "[ch08][ex8.5]") {
    const std::string hint =
        "LADDER_CHECK(k >= 1, ...); then acc[i] += g[i] / static_cast<float>(k) for every i: add into acc, never "
        "assign, and scale by 1/k.";
    // Worked: acc (1, 2) += (3, -6) / 3 = (2, 0), exactly (with / 3 or with * (1/3.f): both round
    // to the integers). k = 1 adds g itself.
    {
        std::vector<float> acc = {1, 2};
        const std::vector<float> g = {3, -6};
        ex08::accumulate_micro_batch(acc.data(), g.data(), 2, 3);
        if (acc != std::vector<float>{2, 0})
            FAIL("ex8.5: acc (1, 2) += (3, -6) / 3: expected (2, 0), got (" << acc[0] << ", " << acc[1]
                                                                            << ")\n  hint: " << hint);
        std::vector<float> one = {0.5f};
        const float quarter = 0.25f;
        ex08::accumulate_micro_batch(one.data(), &quarter, 1, 1);
        if (one[0] != 0.75f) FAIL("ex8.5: 0.5 += 0.25 / 1: expected 0.75, got " << one[0] << "\n  hint: " << hint);
    }
    // The gradient of a linear model's mean squared error (LinearModel above) over B = 24 rows,
    // in double at once, against k micro-batches of 24 / k rows: each micro-batch's mean
    // gradient computed in float here (the residuals in double, rounded once), then added by
    // accumulate_micro_batch into an accumulator that starts at zero (the caller's zero_grad).
    // [book:ex-grad-accumulation-bound]
    // Each term a_i = r_i x_ic / B of parameter c's gradient passes, on the float side, through at
    // most m + k + 5 roundings (m = B / k): r_i to float, the product, the micro-batch's m
    // additions (from 0), the division by m, the learner's scaling by 1/k (one or two
    // roundings), and k additions into acc (from 0). So the two are within
    // gamma_{m+k+5} sum_i |a_i| of each other, plus the double side's own gamma_{B+1} (2^-53)
    // share (Higham 3.1, 4.2). A micro-batch left unscaled is off by (k - 1) |G_c|, one that
    // overwrites acc by the other micro-batches' share: both orders of magnitude beyond.
    // [/book]
    LinearModel m{24, 5, {}, {}, {}};
    Rng rng(85);
    m.x.resize(m.B * m.D);
    m.t.resize(m.B);
    m.params.resize(m.D + 1);
    fill_test_values(rng, m.x, m.D);
    fill_test_values(rng, m.t);
    fill_test_values(rng, m.params);
    const std::size_t P = m.D + 1;
    std::vector<double> G(P, 0.0), S(P, 0.0);
    for (std::size_t i = 0; i < m.B; ++i) {
        const double r = m.residual(i);
        for (std::size_t c = 0; c < P; ++c) {
            G[c] += r * m.feature(i, c) / static_cast<double>(m.B);
            S[c] += std::fabs(r * m.feature(i, c)) / static_cast<double>(m.B);
        }
    }
    for (const std::size_t k : {1, 2, 3, 4, 6, 8, 12, 24}) {
        const std::size_t rows = m.B / k;
        std::vector<float> acc(P, 0.0f);
        for (std::size_t j = 0; j < k; ++j) {
            std::vector<float> g(P, 0.0f);  // micro-batch j's mean gradient
            for (std::size_t i = j * rows; i < (j + 1) * rows; ++i) {
                const auto r = static_cast<float>(m.residual(i));
                for (std::size_t c = 0; c < P; ++c) g[c] += r * static_cast<float>(m.feature(i, c));
            }
            for (float& v : g) v /= static_cast<float>(rows);
            ex08::accumulate_micro_batch(acc.data(), g.data(), P, k);
        }
        const double depth = static_cast<double>(rows + k + 5);
        for (std::size_t c = 0; c < P; ++c) {
            const double tol = 1.01 * (gamma_n(depth) + gamma_n(static_cast<double>(m.B + 1), u64)) * S[c] + 1e-37;
            if (!(std::fabs(acc[c] - G[c]) <= tol))
                FAIL("ex8.5: k = " << k << " micro-batches of " << rows << " rows, parameter " << c << ": expected "
                                   << G[c] << " (the gradient over all " << m.B << " rows), got " << acc[c]
                                   << "\n  hint: " << hint);
        }
    }
    // k = 0 micro-batches: an error, not a division by zero.
    try {
        float a = 1.0f;
        const float g = 2.0f;
        ex08::accumulate_micro_batch(&a, &g, 1, 0);
        FAIL("ex8.5: accumulate_micro_batch with k = 0 returned\n  hint: " << hint);
    } catch (const Error&) {
        SUCCEED("k = 0 is a ladder::Error");
    }
}
