// arith_coder.hpp: chapter 8's arithmetic coder, the part of "a language model is a compressor"
// that turns probabilities into bits. It is the classic binary coder of Witten, Neal and Cleary
// (1987) with 63-bit code values: the state is an interval [low, high] of 63-bit integers held in
// uint64; each symbol narrows it to the symbol's share of the integer cumulative frequencies, and
// whenever the interval lies in one half of the code space the leading bit is settled and shifted
// out. When the interval straddles the middle inside the second and third quarters, no bit is
// settled yet; it is widened anyway and a "pending" (underflow) bit remembered, written as the
// opposite of the next settled bit. Renormalisation keeps the width above a quarter of the code
// space (2^61), so a symbol's share is computed as r = width / total, then low + r*cum_low and
// r*freq: 64-bit integers only, no 128-bit products, and the same result on every machine.
// Truncating width / total wastes at most total / width < total / 2^61 of the interval per symbol,
// which is why the precision is 63 bits rather than the 32 of the textbook version: with totals of
// 2^24 the coder then costs under 1.1e-11 bits per symbol above -log2(freq / total), and the whole
// payload stays within 9 bits of the ideal (the bound: payload_bound_bits).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace ladder::ch08 {

// [book:arith-coder]
// The largest frequency total the coder accepts. r = width / total must stay large for the
// truncation loss total / width to be negligible; at 2^31 it is still under 2^-30 per symbol.
inline constexpr std::uint32_t kMaxCoderTotal = 1u << 31;

// The extra bits one symbol can cost above -log2(freq / total): the share r*freq of a width w
// is at least (w - total) * freq / total, and w > 2^61, so the loss is at most
// -log2(1 - total / 2^61) bits (1.05e-11 for total 2^24).
double coder_excess_bits_per_symbol(std::uint32_t total);

// The payload of n symbols whose ideal code lengths sum to `ideal_bits` (each -log2(freq/total))
// is at most  ideal_bits + n * coder_excess_bits_per_symbol(total) + 2 + 7  bits: every shifted-out
// bit (settled or pending) halves a width that never exceeds 2^63, the flush adds 2 bits, and the
// last byte is padded with up to 7 zero bits. Returns that bound for the largest total used.
double payload_bound_bits(double ideal_bits, std::size_t symbols, std::uint32_t total);

// ArithEncoder enc;
// enc.encode(cum_low, freq, total);   // the symbol whose frequencies are [cum_low, cum_low + freq) of total
// std::vector<std::uint8_t> bytes = enc.finish();
// Each call may use a different total (the model's distribution changes every token). Throws a
// ladder::Error for freq 0, cum_low + freq > total, or total outside [1, kMaxCoderTotal].
class ArithEncoder {
public:
    void encode(std::uint32_t cum_low, std::uint32_t freq, std::uint32_t total);
    // Writes the last bits that pin a value inside the final interval, pads the last byte with
    // zeros and returns the payload; the encoder is then empty and can start a new stream.
    std::vector<std::uint8_t> finish();

private:
    void put_bit(unsigned bit);
    void put_bit_with_pending(unsigned bit);

    std::uint64_t low_ = 0;
    std::uint64_t high_ = (std::uint64_t{1} << 63) - 1;
    std::uint64_t pending_ = 0;   // underflow bits waiting for the next settled bit
    std::vector<std::uint8_t> out_;
    unsigned bit_count_ = 0;      // bits already in out_.back() (0: start a new byte)
};

// ArithDecoder dec(bytes);
// std::uint32_t t = dec.target(total);    // in [0, total): the caller finds the symbol with
//                                         // cum_low <= t < cum_low + freq
// dec.consume(cum_low, freq, total);      // the same total as target's
// Past the end of the payload it reads zero bits, which is what the encoder's flush assumes, so
// a decoder given exactly the encoder's bytes decodes every symbol; reading further is
// deterministic too (zeros forever). A corrupt payload decodes to deterministic garbage, never
// undefined behaviour: catching it is the container's job (its checksum, compressor.hpp).
class ArithDecoder {
public:
    explicit ArithDecoder(std::span<const std::uint8_t> bytes);
    std::uint32_t target(std::uint32_t total);
    // Throws for the same bad arguments as encode, for a total other than target's, and for a
    // symbol that does not contain the target (the caller searched its table wrongly).
    void consume(std::uint32_t cum_low, std::uint32_t freq, std::uint32_t total);
    // Bits read after the payload's end (as zeros); a valid stream needs up to 63 of them.
    std::size_t bits_past_end() const { return past_end_; }

private:
    unsigned get_bit();

    std::span<const std::uint8_t> in_;
    std::size_t pos_ = 0;         // next bit to read, counted from the payload's start
    std::size_t past_end_ = 0;
    std::uint64_t low_ = 0;
    std::uint64_t high_ = (std::uint64_t{1} << 63) - 1;
    std::uint64_t value_ = 0;     // the 63 bits of the code value under the interval
    std::uint64_t step_ = 0;      // width / total of the last target() call (0: none pending)
    std::uint32_t step_total_ = 0;
    std::uint32_t target_ = 0;
};
// [/book]

}  // namespace ladder::ch08
