// grad_average_test.cpp: what is specific to the ranks' gradient average: a worked example by
// hand on cpu and every simt version (float4 and scalar paths), the same bits as the reference on
// random gradients (the versions add in its order), in place over rank 0's row and through an
// unaligned view, and the Tensor API's errors. (Every version on the registry's cases, the race
// check and the derived bound: ops_test.cpp.) ch08.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "core/backend.hpp"
#include "core/rng.hpp"
#include "kernels/grad_average/grad_average.hpp"
#include "kernels/registry.hpp"
#include "tests/kernels/versions.hpp"

using namespace ladder;

namespace {

using Where = testing::Run;
const std::vector<Where> everywhere = testing::cpu_and_simt(grad_average_gpu_versions);

Backend backend_for(const Where& w) { return w.backend({"grad_average"}); }

std::vector<float> average(const Where& w, const std::vector<float>& in, std::size_t N, std::size_t n) {
    const Backend be = backend_for(w);
    const Tensor x = be.upload(in, {N, n});
    Tensor out = be.empty({n});
    grad_average(be, out, x);
    return out.to_vector();
}

}  // namespace

TEST_CASE("grad_average: a worked example by hand, on cpu and every simt version", "[grad_average][simt]") {
    // Three ranks' gradients of 8 parameters (n = 8: v2 reads them as two float4s):
    //   rank 0   1   2  -3   4   0   6   1  100
    //   rank 1   2   2   3  -4   0   6   1  -50
    //   rank 2   3   2   0   3   1   6   2   10
    //   sum      6   6   0   3   1  18   4   60
    //   / 3      2   2   0   1  1/3  6  4/3  20
    // Every sum is exact (small integers); the division is exact but for 1/3 and 4/3, which round
    // once to the nearest float (0.333333343 and 1.33333337).
    const std::vector<float> in = {1, 2, -3, 4,  0, 6, 1, 100,  //
                                   2, 2, 3,  -4, 0, 6, 1, -50,  //
                                   3, 2, 0,  3,  1, 6, 2, 10};
    const std::vector<float> want = {2, 2, 0, 1, 1.0f / 3.0f, 6, 4.0f / 3.0f, 20};
    REQUIRE(1.0f / 3.0f == 0.333333343f);
    // The first five columns alone (n = 5, not a multiple of 4: v2's scalar path), and the first
    // two ranks (N = 2: halves, exact).
    std::vector<float> in5, in2(in.begin(), in.begin() + 16);
    for (std::size_t r = 0; r < 3; ++r) in5.insert(in5.end(), in.begin() + r * 8, in.begin() + r * 8 + 5);
    const std::vector<float> want5(want.begin(), want.begin() + 5);
    const std::vector<float> want2 = {1.5f, 2, 0, 0, 0, 6, 1, 25};
    for (const Where& w : everywhere) {
        INFO(w.str());
        CHECK(average(w, in, 3, 8) == want);
        CHECK(average(w, in5, 3, 5) == want5);
        CHECK(average(w, in2, 2, 8) == want2);
        CHECK(average(w, {1.5f, -2.0f, 7.0f}, 1, 3) == std::vector<float>{1.5f, -2.0f, 7.0f});  // one rank: itself
    }
}

TEST_CASE("grad_average: the GPU versions give the reference's bits", "[grad_average][simt]") {
    // The same additions in the same order (rank 0, + rank 1, ...) and one division by N: equal
    // bits, not only within the bound. N = 5 and 7 make the divisions round; n = 1000 takes v2's
    // float4 path, 1003 its scalar one.
    Rng rng(8);
    for (const auto& [N, n] : {std::pair<std::size_t, std::size_t>{5, 1000}, {7, 1003}, {2, 4096}}) {
        std::vector<float> in(N * n);
        fill_test_values(rng, in);
        const std::vector<float> ref = average(everywhere[0], in, N, n);
        for (const Where& w : everywhere) {
            INFO(w.str() << ", N = " << N << ", n = " << n);
            CHECK(average(w, in, N, n) == ref);
        }
    }
}

TEST_CASE("grad_average: in place over rank 0's row, and through an unaligned view", "[grad_average][simt]") {
    // An all-reduce leaves the average in each rank's own buffer: out may be row 0 of in. And a
    // gradient cut from a bigger buffer at an odd offset is not 16-byte aligned: v2 then takes
    // the scalar path (same bits).
    const std::size_t N = 3, n = 12;
    Rng rng(3);
    std::vector<float> in(N * n);
    fill_test_values(rng, in);
    const std::vector<float> ref = average(everywhere[0], in, N, n);
    for (const Where& w : everywhere) {
        INFO(w.str());
        const Backend be = backend_for(w);
        Tensor x = be.upload(in, {N, n});
        Tensor row0 = x.view({n}, 0);
        grad_average(be, row0, x);
        CHECK(row0.to_vector() == ref);
        std::vector<float> shifted(1 + N * n + 1, 0.0f);
        std::copy(in.begin(), in.end(), shifted.begin() + 1);
        const Tensor big = be.upload(shifted, {shifted.size()});
        const Tensor odd = big.view({N, n}, 1);
        Tensor out_big = be.zeros({n + 1});
        Tensor out_odd = out_big.view({n}, 1);
        grad_average(be, out_odd, odd);
        CHECK(out_odd.to_vector() == ref);
    }
}

TEST_CASE("grad_average on Tensors: shapes, dtypes and devices are checked", "[grad_average]") {
    const Backend cpu(Device::cpu);
    Tensor in = cpu.zeros({4, 2, 3}), out = cpu.empty({2, 3});
    grad_average(cpu, out, in);  // (N, ...) -> (...): any gradient shape
    Tensor flat = cpu.empty({6});
    CHECK_THROWS_WITH(grad_average(cpu, flat, in),
                      Catch::Contains("grad_average: out has shape (6,); expected (2, 3) (from in (N, ...) without "
                                      "its rank dimension)"));
    Tensor one = cpu.zeros({6});
    CHECK_THROWS_WITH(grad_average(cpu, out, one),
                      Catch::Contains("grad_average: in has shape (6,); it must be (N, ...) with N >= 1 ranks"));
    Tensor none = cpu.zeros({0, 6});
    CHECK_THROWS_WITH(grad_average(cpu, flat, none), Catch::Contains("in has shape (0, 6)"));
    Tensor ints = cpu.zeros({4, 2, 3}, DType::i32);
    CHECK_THROWS_WITH(grad_average(cpu, out, ints),
                      Catch::Contains("grad_average: in is") && Catch::Contains("it must be float32"));
    const Backend simt(Device::simt);
    CHECK_THROWS_WITH(grad_average(simt, out, in), Catch::Contains("grad_average: in is on cpu but the backend is"));
}
