// pair_count_test.cpp: what is specific to pair_count: the header's worked example. (GPU
// versions, integers compared exactly: the registry loop, ops_test.cpp.) Introduced in ch04.
#include <catch2/catch.hpp>

#include "kernels/pair_count/pair_count.hpp"
#include "tests/testing.hpp"

using namespace ladder;

TEST_CASE("pair_count: the worked example of the header", "[pair_count][cpu]") {
    // pair_counts([1,2,3,1,2]) -> {(1,2):2, (2,3):1, (3,1):1}
    const std::vector<std::int32_t> tokens = {1, 2, 3, 1, 2};
    std::vector<std::int32_t> keys(16), counts(16);
    pair_count_cpu(keys.data(), counts.data(), 16, tokens.data(), tokens.size());
    pair_count_canonical(keys.data(), counts.data(), 16);
    CHECK(keys[0] == static_cast<std::int32_t>(pair_count_key(1, 2)));
    CHECK(counts[0] == 2);
    CHECK(keys[1] == static_cast<std::int32_t>(pair_count_key(2, 3)));
    CHECK(keys[2] == static_cast<std::int32_t>(pair_count_key(3, 1)));
    CHECK(counts[1] == 1);
    CHECK(counts[2] == 1);
    CHECK(keys[3] == -1);
    CHECK_THROWS_WITH(pair_count_cpu(keys.data(), counts.data(), 12, tokens.data(), tokens.size()),
                      Catch::Contains("not a power of two"));
}

TEST_CASE("pair_count on Tensors: cpu and simt count the same pairs, shapes are checked", "[pair_count][simt]") {
    std::vector<std::int32_t> ids;
    for (int i = 0; i < 3000; ++i) ids.push_back(i % 11 == 0 ? -1 : (i * 7919) % 13);   // words of ids < 13
    auto run = [&](Device d) {
        const Backend be(d);
        const Tensor tokens = be.upload(ids, {ids.size()});
        Tensor keys = be.empty({512}, DType::i32), counts = be.empty({512}, DType::i32);
        pair_count(be, keys, counts, tokens);
        auto k = keys.to_vector_i32(), c = counts.to_vector_i32();
        pair_count_canonical(k.data(), c.data(), k.size());
        k.insert(k.end(), c.begin(), c.end());
        return k;
    };
    REQUIRE(run(Device::simt) == run(Device::cpu));
    const Backend cpu(Device::cpu);
    const Tensor tokens = cpu.upload(ids, {ids.size()});
    Tensor keys = cpu.empty({500}, DType::i32), counts = cpu.empty({500}, DType::i32);
    Tensor small = cpu.empty({256}, DType::i32);
    CHECK_THROWS_WITH(pair_count(cpu, keys, counts, tokens),
                      Catch::Contains("(500,)") && Catch::Contains("power of two"));
    Tensor k512 = cpu.empty({512}, DType::i32);
    CHECK_THROWS_WITH(pair_count(cpu, k512, small, tokens), Catch::Contains("(512,)") && Catch::Contains("(256,)"));
    const Tensor floats = cpu.zeros({10});
    Tensor c512 = cpu.empty({512}, DType::i32);
    CHECK_THROWS_WITH(pair_count(cpu, k512, c512, floats), Catch::Contains("tokens Tensor(f32"));
}
