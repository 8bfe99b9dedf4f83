// Solution to exercise 8.3: nats / ln 2 = bits; total bits / bytes = bits per byte.
#include <cmath>

#include "core/error.hpp"
#include "exercises/ch08_pretraining/exercises.hpp"

namespace ladder::ex08 {

double bits_per_token(double nats_per_token) { return nats_per_token / std::log(2.0); }

double bits_per_byte(double nats_per_token, std::size_t tokens, std::size_t bytes) {
    LADDER_CHECK(bytes > 0, "bits_per_byte: {} tokens of no bytes", tokens);
    return bits_per_token(nats_per_token) * static_cast<double>(tokens) / static_cast<double>(bytes);
}

}  // namespace ladder::ex08
