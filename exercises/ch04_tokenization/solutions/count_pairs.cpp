// Solution to exercise 4.3: count adjacent pairs.
#include "exercises/ch04_tokenization/exercises.hpp"

namespace ladder::ex04 {

std::map<std::pair<std::int32_t, std::int32_t>, std::int32_t> count_pairs(const std::vector<std::int32_t>& tokens) {
    std::map<std::pair<std::int32_t, std::int32_t>, std::int32_t> counts;
    for (std::size_t i = 0; i + 1 < tokens.size(); ++i)
        if (tokens[i] >= 0 && tokens[i + 1] >= 0) ++counts[{tokens[i], tokens[i + 1]}];
    return counts;
}

}  // namespace ladder::ex04
