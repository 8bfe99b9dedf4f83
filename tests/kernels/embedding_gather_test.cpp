// embedding_gather_test.cpp: embedding_gather and its scatter-add backward: the reference
// against a plain loop. GPU versions and the gradient check: the registry loop (ops_test.cpp).
#include <catch2/catch.hpp>

#include <vector>

#include "kernels/embedding_gather/embedding_gather.hpp"
#include "tests/testing.hpp"

using namespace ladder;

TEST_CASE("embedding_gather reference copies rows and scatter_add sums repeated ids", "[embedding_gather][cpu]") {
    // table (3,2) = [[0,1],[10,11],[20,21]], ids [2,0,2,-1]
    const std::vector<double> table{0, 1, 10, 11, 20, 21};
    const std::vector<std::int32_t> ids{2, 0, 2};
    std::vector<double> out(6);
    embedding_gather_cpu(out.data(), table.data(), ids.data(), 3, 3, 2);
    REQUIRE(out == std::vector<double>{20, 21, 0, 1, 20, 21});
    std::vector<double> t = table;
    const std::vector<double> rows{1, 2, 3, 4, 5, 6, 7, 8};
    const std::vector<std::int32_t> ids2{2, 0, 2, -1};
    embedding_scatter_add_cpu(t.data(), rows.data(), ids2.data(), 4, 3, 2, 2.0);
    REQUIRE(t == std::vector<double>{0 + 6, 1 + 8, 10, 11, 20 + 2 + 10, 21 + 4 + 12});
    const std::vector<std::int32_t> bad{3};
    REQUIRE_THROWS_WITH(embedding_gather_cpu(out.data(), table.data(), bad.data(), 1, 3, 2),
                        Catch::Contains("ids[0] = 3 outside [0, 3)"));
}

