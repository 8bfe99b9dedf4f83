// Solution to exercise 4.4: apply one merge, left to right.
#include "exercises/ch04_tokenization/exercises.hpp"

namespace ladder::ex04 {

void merge_pair(std::int32_t* out, std::int32_t* out_len, const std::int32_t* tokens, std::size_t n, std::int32_t left,
                std::int32_t right, std::int32_t result) {
    std::size_t m = 0;
    for (std::size_t i = 0; i < n; ++i) {
        if (i + 1 < n && tokens[i] == left && tokens[i + 1] == right) {
            out[m++] = result;
            ++i;
        } else {
            out[m++] = tokens[i];
        }
    }
    *out_len = static_cast<std::int32_t>(m);
    for (std::size_t i = m; i < n; ++i) out[i] = -1;
}

}  // namespace ladder::ex04
