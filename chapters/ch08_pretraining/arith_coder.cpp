// arith_coder.cpp: the encoder and decoder of arith_coder.hpp. Both run the same integer
// arithmetic on [low, high] in the same order, which is the whole correctness argument: the
// decoder reproduces every interval the encoder had, and its 63-bit window onto the payload
// (value) always lies inside that interval for a stream the encoder wrote.
#include "chapters/ch08_pretraining/arith_coder.hpp"

#include <cmath>

#include "core/error.hpp"

namespace ladder::ch08 {

namespace {

constexpr std::uint64_t kTop = (std::uint64_t{1} << 63) - 1;   // the largest 63-bit code value
constexpr std::uint64_t kHalf = std::uint64_t{1} << 62;
constexpr std::uint64_t kQuarter = std::uint64_t{1} << 61;
constexpr std::uint64_t kThreeQuarters = 3 * kQuarter;

void check_symbol(std::uint32_t cum_low, std::uint32_t freq, std::uint32_t total) {
    LADDER_CHECK(total >= 1 && total <= kMaxCoderTotal, "arithmetic coder: total {} is outside [1, {}]", total,
                 kMaxCoderTotal);
    LADDER_CHECK(freq >= 1, "arithmetic coder: a symbol of frequency 0 cannot be coded (cum_low {}, total {})",
                 cum_low, total);
    LADDER_CHECK(std::uint64_t{cum_low} + freq <= total,
                 "arithmetic coder: the symbol [{}, {}) does not fit in the total {}", cum_low,
                 std::uint64_t{cum_low} + freq, total);
}

}  // namespace

double coder_excess_bits_per_symbol(std::uint32_t total) {
    // -log2(1 - x) via log1p: x is around 1e-11, where 1 - x would lose most of its digits.
    const double x = static_cast<double>(total) / static_cast<double>(kQuarter);
    return -std::log1p(-x) / std::log(2.0);
}

double payload_bound_bits(double ideal_bits, std::size_t symbols, std::uint32_t total) {
    return ideal_bits + static_cast<double>(symbols) * coder_excess_bits_per_symbol(total) + 2.0 + 7.0;
}

void ArithEncoder::put_bit(unsigned bit) {
    if (bit_count_ == 0) out_.push_back(0);
    out_.back() = static_cast<std::uint8_t>(out_.back() | (bit << (7 - bit_count_)));   // most significant first
    bit_count_ = (bit_count_ + 1) % 8;
}

void ArithEncoder::put_bit_with_pending(unsigned bit) {
    put_bit(bit);
    // The pending bits were straddles of the middle; the settled bit says which side it was,
    // and each pending one is its opposite (01111 or 10000 in the code space).
    for (; pending_ > 0; --pending_) put_bit(bit ^ 1u);
}

// [book:arith-encode]
void ArithEncoder::encode(std::uint32_t cum_low, std::uint32_t freq, std::uint32_t total) {
    check_symbol(cum_low, freq, total);
    const std::uint64_t width = high_ - low_ + 1;   // <= 2^63 and > 2^61: fits, and step >= 2^30
    const std::uint64_t step = width / total;
    high_ = low_ + step * (std::uint64_t{cum_low} + freq) - 1;
    low_ = low_ + step * cum_low;
    for (;;) {
        if (high_ < kHalf) {
            put_bit_with_pending(0);
        } else if (low_ >= kHalf) {
            put_bit_with_pending(1);
            low_ -= kHalf;
            high_ -= kHalf;
        } else if (low_ >= kQuarter && high_ < kThreeQuarters) {
            ++pending_;
            low_ -= kQuarter;
            high_ -= kQuarter;
        } else {
            break;
        }
        low_ = 2 * low_;
        high_ = 2 * high_ + 1;
    }
}
// [/book]

std::vector<std::uint8_t> ArithEncoder::finish() {
    // After renormalisation low < 1/4 <= 1/2 <= high, or low < 1/2 < 3/4 <= high. Two bits
    // (plus the pending ones) name a quarter inside the interval: 01 -> [1/4, 1/2) in the first
    // case, 10 -> [1/2, 3/4) in the second. The zeros a decoder reads after them keep its value
    // at that quarter's start, which is inside the interval, so no further bits are needed.
    ++pending_;
    put_bit_with_pending(low_ < kQuarter ? 0u : 1u);
    std::vector<std::uint8_t> out = std::move(out_);
    *this = ArithEncoder{};
    return out;
}

ArithDecoder::ArithDecoder(std::span<const std::uint8_t> bytes) : in_(bytes) {
    for (int i = 0; i < 63; ++i) value_ = (value_ << 1) | get_bit();
}

unsigned ArithDecoder::get_bit() {
    const std::size_t byte = pos_ / 8;
    unsigned bit = 0;
    if (byte < in_.size()) {
        bit = (in_[byte] >> (7 - pos_ % 8)) & 1u;
    } else {
        ++past_end_;
    }
    ++pos_;
    return bit;
}

std::uint32_t ArithDecoder::target(std::uint32_t total) {
    LADDER_CHECK(total >= 1 && total <= kMaxCoderTotal, "arithmetic decoder: total {} is outside [1, {}]", total,
                 kMaxCoderTotal);
    const std::uint64_t width = high_ - low_ + 1;
    step_ = width / total;
    step_total_ = total;
    // value >= low always; value - low >= step * total only happens in a corrupt stream (the
    // encoder's value lies in the part of the interval the symbols share out). The clamp keeps
    // the answer a valid symbol position so decoding carries on deterministically.
    const std::uint64_t t = (value_ - low_) / step_;
    target_ = static_cast<std::uint32_t>(t < total ? t : total - 1);
    return target_;
}

void ArithDecoder::consume(std::uint32_t cum_low, std::uint32_t freq, std::uint32_t total) {
    check_symbol(cum_low, freq, total);
    LADDER_CHECK(step_ != 0, "arithmetic decoder: consume() without a target() before it");
    LADDER_CHECK(total == step_total_, "arithmetic decoder: consume() with total {} after target({})", total,
                 step_total_);
    LADDER_CHECK(cum_low <= target_ && target_ - cum_low < freq,
                 "arithmetic decoder: the symbol [{}, {}) does not contain the target {}", cum_low,
                 std::uint64_t{cum_low} + freq, target_);
    high_ = low_ + step_ * (std::uint64_t{cum_low} + freq) - 1;
    low_ = low_ + step_ * cum_low;
    step_ = 0;
    for (;;) {
        if (high_ < kHalf) {
            // nothing to subtract: the interval and the value are in the lower half
        } else if (low_ >= kHalf) {
            low_ -= kHalf;
            high_ -= kHalf;
            value_ -= kHalf;
        } else if (low_ >= kQuarter && high_ < kThreeQuarters) {
            low_ -= kQuarter;
            high_ -= kQuarter;
            value_ -= kQuarter;
        } else {
            break;
        }
        low_ = 2 * low_;
        high_ = 2 * high_ + 1;
        // The mask only matters for a corrupt stream, whose value may have left the interval:
        // it keeps the value a 63-bit number so the arithmetic stays defined.
        value_ = ((value_ << 1) | get_bit()) & kTop;
    }
}

}  // namespace ladder::ch08
