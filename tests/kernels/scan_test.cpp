// scan_test.cpp: every GPU version of scan against the CPU reference, integers compared
// exactly, on simt (always) and cuda (skipped without a device). Introduced in ch04.
#include <catch2/catch.hpp>

#include "kernels/scan/scan.hpp"
#include "core/simt/simt_runtime.hpp"
#include "tests/testing.hpp"

using namespace ladder;

TEST_CASE("scan: every GPU version matches the CPU reference on simt", "[scan][simt]") {
    testing::require_gpu_versions_match("scan", Device::simt);
}

TEST_CASE("scan: every GPU version matches the CPU reference on cuda", "[scan][cuda]") {
    testing::require_gpu_versions_match("scan", Device::cuda);
}

TEST_CASE("scan: the reverse thread order gives the same sums", "[scan][simt]") {
    // A missing __syncthreads usually shows up when the fibers run in another order.
    auto o = simt::options();
    const auto saved = o;
    o.schedule = simt::Schedule::reverse;
    simt::set_options(o);
    testing::require_gpu_versions_match("scan", Device::simt);
    simt::set_options(saved);
}
