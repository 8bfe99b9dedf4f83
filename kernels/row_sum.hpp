// row_sum.hpp: the CPU references' sum of a row, sum_c a[c] * b[c] (b = nullptr: sum_c a[c]), in
// eight running partial sums, so the loop vectorises without -ffast-math; a fixed order, the same
// every run. Shared by softmax and attention. Introduced in ch06.
#pragma once

#include <array>
#include <cstddef>

namespace ladder {

template <class T>
T row_sum(const T* a, const T* b, std::size_t n) {
    std::array<T, 8> part{};
    std::size_t c = 0;
    if (b == nullptr) {
        for (; c + 8 <= n; c += 8)
            for (std::size_t j = 0; j < 8; ++j) part[j] += a[c + j];
    } else {
        for (; c + 8 <= n; c += 8)
            for (std::size_t j = 0; j < 8; ++j) part[j] += a[c + j] * b[c + j];
    }
    T s = 0;
    for (; c < n; ++c) s += b == nullptr ? a[c] : a[c] * b[c];
    for (const T q : part) s += q;
    return s;
}

}  // namespace ladder
