// Solution to exercise 8.4: the symbol's share of the interval, then the settled bits shifted out.
#include "core/error.hpp"
#include "exercises/ch08_pretraining/exercises.hpp"

namespace ladder::ex08 {

namespace {
constexpr std::uint64_t kHalf = std::uint64_t{1} << 62;
constexpr std::uint64_t kQuarter = std::uint64_t{1} << 61;
constexpr std::uint64_t kThreeQuarters = 3 * kQuarter;

void emit(CoderState& s, std::vector<std::uint8_t>& bits, std::uint8_t bit) {
    bits.push_back(bit);
    for (; s.pending > 0; --s.pending) bits.push_back(static_cast<std::uint8_t>(1 - bit));
}
}  // namespace

void coder_narrow(CoderState& s, std::uint32_t cum_low, std::uint32_t freq, std::uint32_t total) {
    const std::uint64_t width = s.high - s.low + 1;
    const std::uint64_t step = width / total;
    s.high = s.low + step * (std::uint64_t{cum_low} + freq) - 1;
    s.low = s.low + step * cum_low;
}

void coder_renormalise(CoderState& s, std::vector<std::uint8_t>& bits) {
    for (;;) {
        if (s.high < kHalf) {
            emit(s, bits, 0);
        } else if (s.low >= kHalf) {
            emit(s, bits, 1);
            s.low -= kHalf;
            s.high -= kHalf;
        } else if (s.low >= kQuarter && s.high < kThreeQuarters) {
            ++s.pending;
            s.low -= kQuarter;
            s.high -= kQuarter;
        } else {
            return;
        }
        s.low = 2 * s.low;
        s.high = 2 * s.high + 1;
    }
}

}  // namespace ladder::ex08
