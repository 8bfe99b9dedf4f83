// Exercise 8.3: a language model's loss in the units of compression. Training reports the mean
// cross-entropy in nats per token: -ln p(token) averaged over the tokens. Two other units say
// what it means for compressing text with the model (chapter 8's arithmetic coder spends about
// -log2 p bits on a token of probability p):
//   bits per token: the same average with log base 2 instead of e
//   bits per byte:  the total bits of the tokens spread over the bytes of text they decode to,
//                   a unit that does not depend on the tokenizer (a tokenizer with longer tokens
//                   has a higher loss per token, not per byte), so models with different
//                   vocabularies can be compared; 8 bits per byte is no compression at all.
// Introduced in ch08 (core/nn/train.hpp's bits_per_byte is the reference).
#include "core/error.hpp"
#include "exercises/ch08_pretraining/exercises.hpp"

namespace ladder::ex08 {

// Code plan: log2 x = ln x / ln 2, so a loss in nats becomes bits by dividing by ln 2 (std::log(2.0),
// in <cmath>). The total nats of the tokens are nats_per_token * tokens; divide the total bits by
// bytes. Check bytes > 0 with LADDER_CHECK first (a text of no bytes has no bits per byte).
// Hint: do it all in double (tokens and bytes with static_cast<double>): the counts may be in the
// billions.
double bits_per_token(double nats_per_token) {
    // TODO(ex8.3): nats -> bits.
    throw NotImplemented("exercise 8.3: bits_per_token (exercises/ch08_pretraining/loss_to_bits.cpp)");
}

double bits_per_byte(double nats_per_token, std::size_t tokens, std::size_t bytes) {
    // TODO(ex8.3): the check, then the total bits over the bytes.
    throw NotImplemented("exercise 8.3: bits_per_byte (exercises/ch08_pretraining/loss_to_bits.cpp)");
}

}  // namespace ladder::ex08
