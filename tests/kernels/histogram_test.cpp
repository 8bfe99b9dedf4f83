// histogram_test.cpp: the histogram reference against a worked example, and the Tensor API.
// GPU versions (exact integers): the registry loop (ops_test.cpp).
#include <catch2/catch.hpp>

#include "core/backend.hpp"
#include "kernels/histogram/histogram.hpp"
#include "tests/testing.hpp"

using namespace ladder;

TEST_CASE("histogram reference counts a worked example and skips ids out of range", "[histogram][cpu]") {
    // ids [2, 0, 2, -1, 5, 2, 1] over 4 bins -> counts [1, 1, 3, 0]; -1 and 5 are skipped.
    const std::int32_t ids[] = {2, 0, 2, -1, 5, 2, 1};
    std::int32_t counts[4] = {7, 7, 7, 7};
    histogram_cpu(counts, ids, 7, 4);
    REQUIRE(std::vector<std::int32_t>(counts, counts + 4) == std::vector<std::int32_t>{1, 1, 3, 0});
}

TEST_CASE("histogram: no ids still zeroes the counts, in every GPU version", "[histogram][simt]") {
    const std::vector<std::int32_t> poison(9, -12345);
    for (int v = 1; v <= histogram_gpu_versions; ++v) {
        void* ids = device_malloc(Device::simt, sizeof(std::int32_t));
        void* counts = device_malloc(Device::simt, poison.size() * sizeof(std::int32_t));
        copy_to_device(Device::simt, counts, poison.data(), poison.size() * sizeof(std::int32_t));
        simt::histogram(v, static_cast<std::int32_t*>(counts), static_cast<const std::int32_t*>(ids), 0, poison.size());
        std::vector<std::int32_t> got(poison.size());
        copy_to_host(Device::simt, got.data(), counts, got.size() * sizeof(std::int32_t));
        device_free(Device::simt, ids);
        device_free(Device::simt, counts);
        INFO("version " << v);
        REQUIRE(got == std::vector<std::int32_t>(poison.size(), 0));
    }
}

TEST_CASE("histogram on Tensors gives the same counts on cpu and simt, and checks dtypes", "[histogram][simt]") {
    std::vector<std::int32_t> ids;
    for (int i = 0; i < 3000; ++i) ids.push_back((i * 7919) % 257 - 3);   // some negative ids
    auto run = [&](Device d) {
        const Backend be(d);
        Tensor t_ids = be.upload(ids, {ids.size()});
        Tensor counts = be.empty({250}, DType::i32);
        histogram(be, counts, t_ids);
        return counts.to_vector_i32();
    };
    REQUIRE(run(Device::simt) == run(Device::cpu));
    const Backend cpu(Device::cpu);
    Tensor f = cpu.zeros({4}), c = cpu.zeros({4}, DType::i32);
    REQUIRE_THROWS_WITH(histogram(cpu, c, f), Catch::Contains("must be int32"));
}
