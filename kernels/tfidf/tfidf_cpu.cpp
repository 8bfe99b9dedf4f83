// tfidf_cpu.cpp: the CPU reference for tfidf on a CSR matrix: per row, weight each count by
// its word's idf, then divide by the row's L2 norm. Shapes as in tfidf.hpp. Introduced in ch02.
#include <array>
#include <cmath>

#include <xtensor/xadapt.hpp>
#include <xtensor/xindex_view.hpp>
#include <xtensor/xmath.hpp>
#include <xtensor/xnoalias.hpp>

#include "kernels/tfidf/tfidf.hpp"

namespace ladder {

// [book:tfidf-cpu]
template <class T>
void tfidf_cpu(T* out, const std::int32_t* row_ptr, const std::int32_t* col, const T* counts, const T* idf,
               std::size_t rows) {
    for (std::size_t r = 0; r < rows; ++r) {
        const auto begin = static_cast<std::size_t>(row_ptr[r]), len = static_cast<std::size_t>(row_ptr[r + 1]) - begin;
        auto c = xt::adapt(counts + begin, len, xt::no_ownership(), std::array{len});   // (len) this row's counts
        auto w = xt::adapt(out + begin, len, xt::no_ownership(), std::array{len});      // (len) its weights
        for (std::size_t j = 0; j < len; ++j) w(j) = c(j) * idf[col[begin + j]];        // gather idf by column
        const T norm = std::sqrt(xt::sum(w * w)());
        if (norm > 0) w /= norm;                                                          // unit length
    }
}
// [/book]

template void tfidf_cpu<float>(float*, const std::int32_t*, const std::int32_t*, const float*, const float*,
                               std::size_t);
template void tfidf_cpu<double>(double*, const std::int32_t*, const std::int32_t*, const double*, const double*,
                                std::size_t);

}  // namespace ladder
