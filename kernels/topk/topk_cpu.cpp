// topk_cpu.cpp: the CPU reference for topk: per row, a partial sort of the column indices
// by (value descending, index ascending). x (rows, cols) -> values, indices (rows, k).
// Introduced in ch02.
#include <algorithm>
#include <numeric>
#include <vector>

#include "core/error.hpp"
#include "kernels/topk/topk.hpp"

namespace ladder {

// [book:topk-cpu]
template <class T>
void topk_cpu(T* values, std::int32_t* indices, const T* x, std::size_t rows, std::size_t cols, std::size_t k) {
    LADDER_CHECK(k <= cols, "topk: k = {} is larger than the row length {}", k, cols);
    std::vector<std::int32_t> order(cols);
    for (std::size_t r = 0; r < rows; ++r) {
        const T* x_r = x + r * cols;
        std::iota(order.begin(), order.end(), 0);
        // The first k of the order "larger value first, then smaller index": a total order,
        // so the answer is unique even when values tie.
        std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(k), order.end(),
                          [x_r](std::int32_t a, std::int32_t b) { return x_r[a] > x_r[b] || (x_r[a] == x_r[b] && a < b); });
        for (std::size_t i = 0; i < k; ++i) {
            values[r * k + i] = x_r[order[i]];
            indices[r * k + i] = order[i];
        }
    }
}
// [/book]

template void topk_cpu<float>(float*, std::int32_t*, const float*, std::size_t, std::size_t, std::size_t);
template void topk_cpu<double>(double*, std::int32_t*, const double*, std::size_t, std::size_t, std::size_t);

}  // namespace ladder
