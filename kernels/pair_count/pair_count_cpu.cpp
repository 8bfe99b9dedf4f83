// pair_count_cpu.cpp: the CPU reference for pair_count: the same open-addressing table,
// filled in order. Plain loops: a hash table is not an array expression, so xtensor has
// nothing to offer here. tokens (n) -> keys, counts (capacity). Introduced in ch04.
#include <algorithm>
#include <vector>

#include "core/error.hpp"
#include "kernels/pair_count/pair_count.hpp"

namespace ladder {

// [book:pair-count-cpu]
void pair_count_cpu(std::int32_t* keys, std::int32_t* counts, std::size_t capacity, const std::int32_t* tokens, std::size_t n) {
    LADDER_CHECK(capacity > 0 && (capacity & (capacity - 1)) == 0, "pair_count: capacity {} is not a power of two", capacity);
    const auto mask = static_cast<std::uint32_t>(capacity - 1);
    std::fill(keys, keys + capacity, static_cast<std::int32_t>(kPairEmpty));
    std::fill(counts, counts + capacity, 0);
    for (std::size_t i = 0; i + 1 < n; ++i) {
        if (tokens[i] < 0 || tokens[i + 1] < 0) continue;     // a word boundary
        const std::uint32_t key = pair_count_key(tokens[i], tokens[i + 1]);
        std::uint32_t slot = pair_count_slot(key, mask);
        while (static_cast<std::uint32_t>(keys[slot]) != kPairEmpty && static_cast<std::uint32_t>(keys[slot]) != key)
            slot = (slot + 1) & mask;                          // linear probing
        keys[slot] = static_cast<std::int32_t>(key);
        ++counts[slot];
    }
}
// [/book]

void pair_count_canonical(std::int32_t* keys, std::int32_t* counts, std::size_t capacity) {
    std::vector<std::pair<std::uint32_t, std::int32_t>> used;
    for (std::size_t s = 0; s < capacity; ++s)
        if (static_cast<std::uint32_t>(keys[s]) != kPairEmpty || counts[s] != 0)
            used.emplace_back(static_cast<std::uint32_t>(keys[s]), counts[s]);
    std::sort(used.begin(), used.end());
    for (std::size_t s = 0; s < capacity; ++s) {
        keys[s] = s < used.size() ? static_cast<std::int32_t>(used[s].first) : static_cast<std::int32_t>(kPairEmpty);
        counts[s] = s < used.size() ? used[s].second : 0;
    }
}

}  // namespace ladder
