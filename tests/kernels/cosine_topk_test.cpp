// cosine_topk_test.cpp: cosine similarity + top-k: the reference on a worked example (ties,
// exclusions, a zero row, k > V). GPU versions: the registry loop (ops_test.cpp).
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <vector>

#include "kernels/cosine_topk/cosine_topk.hpp"
#include "tests/testing.hpp"

using namespace ladder;

TEST_CASE("cosine_topk reference: order, ties, exclusions and padding", "[cosine_topk][cpu]") {
    // Rows: 0 = (1,0), 1 = (0,1), 2 = (2,0) (same direction as 0: a tie), 3 = (0,0), 4 = (-1,0).
    const std::vector<double> table{1, 0, 0, 1, 2, 0, 0, 0, -1, 0};
    const std::vector<double> inv{1, 1, 0.5, 0, 1};
    const std::vector<double> q{3, 0};
    std::vector<std::int32_t> ids(6);
    std::vector<double> sims(6);
    const std::vector<std::int32_t> none{-1};
    cosine_topk_cpu(ids.data(), sims.data(), q.data(), table.data(), inv.data(), none.data(), TopkDims{1, 5, 2, 6, 1});
    REQUIRE(ids == std::vector<std::int32_t>{0, 2, 1, 3, 4, -1});   // 1 = 1 (smaller id first), 0, 0, -1, pad
    REQUIRE(sims[0] == 1.0);
    REQUIRE(sims[1] == 1.0);
    REQUIRE(sims[4] == -1.0);
    REQUIRE(sims[5] == -std::numeric_limits<double>::infinity());
    const std::vector<std::int32_t> ex{0};
    cosine_topk_cpu(ids.data(), sims.data(), q.data(), table.data(), inv.data(), ex.data(), TopkDims{1, 5, 2, 2, 1});
    REQUIRE(ids[0] == 2);
    REQUIRE(ids[1] == 1);
}

