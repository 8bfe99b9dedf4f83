// bpe_merge_test.cpp: what is specific to bpe_merge: the header's worked examples. (Every
// GPU version against the reference: the registry loop, tests/kernels/ops_test.cpp.) ch04.
#include <catch2/catch.hpp>

#include "kernels/bpe_merge/bpe_merge.hpp"
#include "kernels/scan/scan.hpp"
#include "tests/testing.hpp"

using namespace ladder;

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

TEST_CASE("bpe_merge on Tensors: cpu and simt merge alike, shapes are checked", "[bpe_merge][simt]") {
    std::vector<std::int32_t> ids;
    for (int i = 0; i < 2000; ++i) ids.push_back((i * 7919) % 3);   // 0, 1, 2: the pair (1, 2) is frequent
    auto run = [&](Device d) {
        const Backend be(d);
        const Tensor tokens = be.upload(ids, {ids.size()});
        Tensor out = be.empty({ids.size()}, DType::i32), out_len = be.empty({1}, DType::i32);
        bpe_merge(be, out, out_len, tokens, MergeRule{1, 2, 3});
        auto v = out.to_vector_i32();
        v.push_back(out_len.to_vector_i32()[0]);
        return v;
    };
    REQUIRE(run(Device::simt) == run(Device::cpu));
    const Backend cpu(Device::cpu);
    const Tensor tokens = cpu.upload(ids, {ids.size()});
    Tensor short_out = cpu.empty({10}, DType::i32), len = cpu.empty({1}, DType::i32);
    CHECK_THROWS_WITH(bpe_merge(cpu, short_out, len, tokens, MergeRule{1, 2, 3}),
                      Catch::Contains("tokens (2000,), out (10,)"));
}

// scan's Tensor API (bpe_merge compacts with scan's GPU entry points).
TEST_CASE("scan_exclusive on Tensors: cpu and simt agree, shapes and aliasing are checked", "[scan][simt]") {
    std::vector<std::int32_t> in;
    for (int i = 0; i < 5000; ++i) in.push_back((i * 31) % 10);
    auto run = [&](Device d) {
        const Backend be(d);
        const Tensor t_in = be.upload(in, {in.size()});
        Tensor out = be.empty({in.size()}, DType::i32);
        scan_exclusive(be, out, t_in);
        return out.to_vector_i32();
    };
    const auto got = run(Device::cpu);
    CHECK(got[0] == 0);
    CHECK(got[3] == in[0] + in[1] + in[2]);
    REQUIRE(run(Device::simt) == got);
    const Backend cpu(Device::cpu);
    Tensor t_in = cpu.upload(in, {in.size()}), out = cpu.empty({4999}, DType::i32);
    CHECK_THROWS_WITH(scan_exclusive(cpu, out, t_in), Catch::Contains("in (5000,) and out (4999,)"));
    CHECK_THROWS_WITH(scan_exclusive(cpu, t_in, t_in), Catch::Contains("other than in"));
}
