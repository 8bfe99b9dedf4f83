// tfidf_test.cpp: the tfidf reference against a worked example in double, and the Tensor
// API. GPU versions: the registry loop (ops_test.cpp).
#include <catch2/catch.hpp>

#include <cmath>

#include "core/backend.hpp"
#include "kernels/tfidf/tfidf.hpp"
#include "tests/testing.hpp"

using namespace ladder;

TEST_CASE("tfidf reference: a worked example, an empty row, unit norms", "[tfidf][cpu]") {
    // Row 0: counts 1, 2 of words 0, 2 (idf 1, 3) -> w = (1, 6), norm sqrt(37).
    // Row 1: empty. Row 2: count 4 of word 1 (idf 2) -> w = 8 -> 1.
    const std::int32_t row_ptr[] = {0, 2, 2, 3}, col[] = {0, 2, 1};
    const double counts[] = {1, 2, 4}, idf[] = {1, 2, 3};
    double out[3];
    tfidf_cpu(out, row_ptr, col, counts, idf, 3);
    REQUIRE(out[0] == Approx(1 / std::sqrt(37.0)).epsilon(1e-15));
    REQUIRE(out[1] == Approx(6 / std::sqrt(37.0)).epsilon(1e-15));
    REQUIRE(out[2] == 1.0);
}

TEST_CASE("tfidf on Tensors checks its shapes", "[tfidf][cpu]") {
    const Backend cpu(Device::cpu);
    const std::int32_t rp[] = {0, 2}, cl[] = {0, 1};
    Tensor row_ptr = cpu.upload(std::span<const std::int32_t>(rp), {2}), col = cpu.upload(std::span<const std::int32_t>(cl), {2});
    Tensor counts = cpu.zeros({2}), idf = cpu.zeros({5}), out = cpu.zeros({3});
    REQUIRE_THROWS_WITH(tfidf(cpu, out, row_ptr, col, counts, idf), Catch::Contains("must all be (nnz)"));
}
