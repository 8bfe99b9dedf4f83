// Solution to exercise 2.3: a partial sort of column indices per row.
#include <algorithm>
#include <numeric>

#include "core/error.hpp"
#include "exercises/ch02_bag_of_words/exercises.hpp"

namespace ladder::ex02 {

void topk_rows(float* values, std::int32_t* indices, const float* x, std::size_t rows, std::size_t cols, std::size_t k) {
    std::vector<std::int32_t> order(cols);
    for (std::size_t r = 0; r < rows; ++r) {
        const float* x_r = x + r * cols;
        std::iota(order.begin(), order.end(), 0);
        std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(k), order.end(),
                          [x_r](std::int32_t a, std::int32_t b) { return x_r[a] > x_r[b] || (x_r[a] == x_r[b] && a < b); });
        for (std::size_t i = 0; i < k; ++i) {
            values[r * k + i] = x_r[order[i]];
            indices[r * k + i] = order[i];
        }
    }
}

}  // namespace ladder::ex02
