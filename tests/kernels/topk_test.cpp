// topk_test.cpp: the topk reference against a worked example with ties, and the Tensor
// API's limits. GPU versions (exact): the registry loop (ops_test.cpp).
#include <catch2/catch.hpp>

#include "core/backend.hpp"
#include "kernels/topk/topk.hpp"
#include "tests/testing.hpp"

using namespace ladder;

TEST_CASE("topk reference: descending, ties to the smaller index", "[topk][cpu]") {
    // topk([1, 5, 3, 5, -2], k = 3) -> values [5, 5, 3], indices [1, 3, 2]
    const float x[] = {1, 5, 3, 5, -2};
    float values[3];
    std::int32_t indices[3];
    topk_cpu(values, indices, x, 1, 5, 3);
    REQUIRE(std::vector<float>(values, values + 3) == std::vector<float>{5, 5, 3});
    REQUIRE(std::vector<std::int32_t>(indices, indices + 3) == std::vector<std::int32_t>{1, 3, 2});
    REQUIRE_THROWS_WITH(topk_cpu(values, indices, x, 1, 5, 6), Catch::Contains("k = 6 is larger"));
}

TEST_CASE("topk on Tensors refuses k above the GPU limit with a clear message", "[topk][simt]") {
    const Backend simt(Device::simt);
    Tensor x = simt.zeros({2, 100}), values = simt.empty({2, 65}), indices = simt.empty({2, 65}, DType::i32);
    REQUIRE_THROWS_WITH(topk(simt, values, indices, x, 65), Catch::Contains("k <= 64"));
}
