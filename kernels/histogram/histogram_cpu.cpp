// histogram_cpu.cpp: the CPU reference for histogram: ids (n) -> counts (bins).
// Introduced in ch02.
#include <algorithm>

#include "kernels/histogram/histogram.hpp"

namespace ladder {

// [book:histogram-cpu]
void histogram_cpu(std::int32_t* counts, const std::int32_t* ids, std::size_t n, std::size_t bins) {
    std::fill(counts, counts + bins, 0);
    for (std::size_t i = 0; i < n; ++i) {
        const std::int32_t id = ids[i];
        if (id >= 0 && static_cast<std::size_t>(id) < bins) ++counts[id];
    }
}
// [/book]

}  // namespace ladder
