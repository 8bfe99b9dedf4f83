// random_csr.hpp: random sparse (CSR) matrices for the registry entries of the ch02 sparse
// ops (tfidf, spmm): R rows over K columns, row lengths 0..2L (about one row in ten empty),
// distinct sorted columns per row, at least one entry in all. Introduced in ch02.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "core/rng.hpp"

namespace ladder {

struct RandomCsr {
    std::vector<std::int32_t> row_ptr, col;   // (R+1), (nnz)
    std::size_t max_row = 0;                  // longest row
};

inline RandomCsr random_csr(Rng& rng, std::size_t R, std::size_t K, std::size_t L) {
    RandomCsr m;
    m.row_ptr.push_back(0);
    std::vector<char> used(K, 0);
    std::vector<std::int32_t> row;
    for (std::size_t r = 0; r < R; ++r) {
        std::size_t len = rng.below(10) == 0 ? 0 : static_cast<std::size_t>(rng.below(2 * L + 1));
        // At least one entry in all (the last row gets one if every other row came out
        // empty): the harness's buffers are never empty.
        if (r + 1 == R && m.col.empty() && len == 0) len = 1;
        len = std::min(len, K);
        row.clear();
        while (row.size() < len) {   // distinct columns: redraw a column already taken
            const auto c = static_cast<std::int32_t>(rng.below(K));
            if (!used[c]) {
                used[c] = 1;
                row.push_back(c);
            }
        }
        for (auto c : row) used[c] = 0;
        std::sort(row.begin(), row.end());
        m.col.insert(m.col.end(), row.begin(), row.end());
        m.row_ptr.push_back(static_cast<std::int32_t>(m.col.size()));
        m.max_row = std::max(m.max_row, len);
    }
    return m;
}

}  // namespace ladder
