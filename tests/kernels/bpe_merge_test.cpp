// bpe_merge_test.cpp: every GPU version of bpe_merge against the CPU reference, integers compared
// exactly, on simt (always) and cuda (skipped without a device). Introduced in ch04.
#include <catch2/catch.hpp>

#include "kernels/bpe_merge/bpe_merge.hpp"
#include "tests/testing.hpp"

using namespace ladder;

TEST_CASE("bpe_merge: every GPU version matches the CPU reference on simt", "[bpe_merge][simt]") {
    testing::require_gpu_versions_match("bpe_merge", Device::simt);
}

TEST_CASE("bpe_merge: every GPU version matches the CPU reference on cuda", "[bpe_merge][cuda]") {
    testing::require_gpu_versions_match("bpe_merge", Device::cuda);
}

TEST_CASE("bpe_merge: the worked examples of the header", "[bpe_merge][cpu]") {
    // [a b a b b] with (a, b) -> Z gives [Z Z b]; [a a a] with (a, a) -> Z gives [Z a].
    const std::vector<std::int32_t> t1 = {0, 1, 0, 1, 1}, t2 = {0, 0, 0};
    std::vector<std::int32_t> out(5);
    std::int32_t len = 0;
    bpe_merge_cpu(out.data(), &len, t1.data(), t1.size(), MergeRule{0, 1, 9});
    CHECK(len == 3);
    CHECK(out == std::vector<std::int32_t>{9, 9, 1, -1, -1});
    bpe_merge_cpu(out.data(), &len, t2.data(), t2.size(), MergeRule{0, 0, 9});
    CHECK(len == 2);
    CHECK(std::vector<std::int32_t>(out.begin(), out.begin() + 3) == std::vector<std::int32_t>{9, 0, -1});
}
