// Solution to exercise 8.5: acc += g / k, after checking k >= 1.
#include "core/error.hpp"
#include "exercises/ch08_pretraining/exercises.hpp"

namespace ladder::ex08 {

void accumulate_micro_batch(float* acc, const float* g, std::size_t n, std::size_t k) {
    LADDER_CHECK(k >= 1, "accumulate_micro_batch: k = 0 micro-batches");
    const float kf = static_cast<float>(k);
    for (std::size_t i = 0; i < n; ++i) acc[i] += g[i] / kf;
}

}  // namespace ladder::ex08
