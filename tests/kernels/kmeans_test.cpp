// kmeans_test.cpp: the k-means steps: the reference on a worked example (ties, an empty
// cluster). GPU versions: the registry loop (ops_test.cpp).
#include <catch2/catch.hpp>

#include <vector>

#include "kernels/kmeans/kmeans.hpp"
#include "tests/testing.hpp"

using namespace ladder;

TEST_CASE("kmeans reference: nearest centroid, ties to the smaller index, means", "[kmeans][cpu]") {
    // Points on a line: 0, 1, 4, 5, 2 (2 is equally far from centroids 1 and 3); centroids 1, 3, 100.
    const std::vector<double> x{0, 1, 4, 5, 2};
    std::vector<double> c{1, 3, 100};
    std::vector<std::int32_t> assign(5), counts(3);
    std::vector<double> dist(5);
    const KmeansDims d{5, 3, 1};
    kmeans_assign_cpu(assign.data(), dist.data(), x.data(), c.data(), d);
    REQUIRE(assign == std::vector<std::int32_t>{0, 0, 1, 1, 0});
    REQUIRE(dist == std::vector<double>{1, 0, 1, 4, 1});
    kmeans_update_cpu(c.data(), counts.data(), x.data(), assign.data(), d);
    REQUIRE(c == std::vector<double>{1, 4.5, 100});   // (0+1+2)/3, (4+5)/2, empty: kept
    REQUIRE(counts == std::vector<std::int32_t>{3, 2, 0});
}

