// Exercise 8.4: one symbol of chapter 8's arithmetic coder (chapters/ch08_pretraining/arith_coder.hpp,
// the 63-bit coder of Witten, Neal and Cleary). The state is an interval [low, high] of 63-bit
// integers; every message the coder can still produce is a binary fraction inside it. A symbol
// of frequency freq out of total takes its share of the interval (step 1), which makes it about
// freq / total as wide; then every leading bit that all of the interval agrees on is settled,
// written and shifted out, which widens it again (step 2). A symbol of probability p so costs
// about -log2 p bits. Introduced in ch08 (the test encodes streams with your two functions and
// checks the bytes against ArithEncoder's and decodes them with ArithDecoder).
#include "core/error.hpp"
#include "exercises/ch08_pretraining/exercises.hpp"

namespace ladder::ex08 {

namespace {
// The code space [0, 2^63) in quarters.
constexpr std::uint64_t kHalf = std::uint64_t{1} << 62;
constexpr std::uint64_t kQuarter = std::uint64_t{1} << 61;
constexpr std::uint64_t kThreeQuarters = 3 * kQuarter;
}  // namespace

// Step 1. The symbols' cumulative frequencies cut [low, high] into total equal parts of
// step = width / total code values (integer division; width = high - low + 1 never exceeds 2^63
// and is above 2^61 between symbols, so step >= 2^30 and step * total <= width fits in 64 bits).
// The symbol gets parts cum_low .. cum_low + freq - 1:
//   new low  = low + step * cum_low
//   new high = low + step * (cum_low + freq) - 1      (from the old low: compute high first)
// The last width - step * total values belong to no symbol (the truncation's tiny loss).
void coder_narrow(CoderState& s, std::uint32_t cum_low, std::uint32_t freq, std::uint32_t total) {
    // TODO(ex8.4): width, step, then high and low (in that order), all in std::uint64_t.
    throw NotImplemented("exercise 8.4: coder_narrow (exercises/ch08_pretraining/coder_interval.cpp)");
}

// Step 2. Repeat until none of the three cases holds:
//   high < kHalf:      the whole interval is in the lower half: the next bit is 0. Write 0, then
//                      the pending bits as 1s (each pending bit is the opposite of the settled one).
//   low >= kHalf:      the upper half: write 1, then the pending bits as 0s; subtract kHalf from
//                      low and high.
//   low >= kQuarter and high < kThreeQuarters: the interval straddles the middle inside the two
//                      middle quarters: no bit is settled yet, but the next two differ. Count one
//                      more pending bit; subtract kQuarter from low and high.
// After each case, double the interval: low = 2 low, high = 2 high + 1 (the 1 shifts in at the
// bottom of high: the interval's top is ...1111 forever).
// Hint: write a small helper `emit(bit)` that appends bit, then `pending` copies of 1 - bit, and
// sets pending to 0.
void coder_renormalise(CoderState& s, std::vector<std::uint8_t>& bits) {
    // TODO(ex8.4): the loop over the three cases.
    throw NotImplemented("exercise 8.4: coder_renormalise (exercises/ch08_pretraining/coder_interval.cpp)");
}

}  // namespace ladder::ex08
