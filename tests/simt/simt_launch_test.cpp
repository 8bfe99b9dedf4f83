// simt_launch_test.cpp: launching on the emulator: 1-D/2-D/3-D indices, grid-stride loops, bad
// configurations, exceptions thrown by device code, atomics under contention, a tiled matmul
// and the device properties. Introduced in ch01.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "core/error.hpp"
#include "tests/simt/simt_test_kernels.hpp"

using namespace ladder;
using namespace ladder::simt_test;
using Catch::Matchers::Contains;

TEST_CASE("threadIdx, blockIdx, blockDim and gridDim in 1-D, 2-D and 3-D launches", "[simt]") {
    for (auto [grid, block] : {std::pair{dim3(3), dim3(50)}, std::pair{dim3(2, 3), dim3(16, 4)},
                               std::pair{dim3(2, 2, 3), dim3(4, 3, 5)}, std::pair{dim3(1, 1, 2), dim3(1, 1, 64)}}) {
        const std::size_t threads = std::size_t{block.x} * block.y * block.z;
        const std::size_t blocks = std::size_t{grid.x} * grid.y * grid.z;
        DeviceBuffer<unsigned> out(threads * blocks * 12);
        report_indices(out.get(), grid, block);
        const auto got = out.download();
        std::size_t k = 0;
        // Blocks and threads are numbered x fastest, then y, then z (CUDA's linear order).
        for (unsigned bz = 0; bz < grid.z; ++bz)
            for (unsigned by = 0; by < grid.y; ++by)
                for (unsigned bx = 0; bx < grid.x; ++bx)
                    for (unsigned tz = 0; tz < block.z; ++tz)
                        for (unsigned ty = 0; ty < block.y; ++ty)
                            for (unsigned tx = 0; tx < block.x; ++tx, k += 12) {
                                const std::vector<unsigned> expected{tx, ty, tz, bx, by, bz, block.x, block.y, block.z,
                                                                     grid.x, grid.y, grid.z};
                                INFO("block (" << bx << "," << by << "," << bz << ") thread (" << tx << "," << ty << "," << tz << ")");
                                REQUIRE(std::vector<unsigned>(got.begin() + static_cast<long>(k),
                                                              got.begin() + static_cast<long>(k + 12)) == expected);
                            }
    }
}

TEST_CASE("grid-stride loops cover sizes that are not a multiple of the grid", "[simt]") {
    for (std::size_t n : {std::size_t{1}, std::size_t{255}, std::size_t{1000}, std::size_t{100003}}) {
        std::vector<int> in(n);
        for (std::size_t i = 0; i < n; ++i) in[i] = static_cast<int>(i % 1000) - 300;
        DeviceBuffer<int> d_in(in), d_out(n);
        grid_stride(d_out.get(), d_in.get(), n, 7, 96);
        const auto out = d_out.download();
        for (std::size_t i = 0; i < n; ++i) REQUIRE(out[i] == 3 * in[i] + 1);
    }
}

TEST_CASE("bad launch configurations are refused with a clear error", "[simt]") {
    CHECK_THROWS_WITH(empty_launch(dim3(1), dim3(2048), 0), Contains("has 2048 threads; CUDA allows at most 1024"));
    CHECK_THROWS_WITH(empty_launch(dim3(1), dim3(32, 32, 2), 0), Contains("2048 threads"));
    CHECK_THROWS_WITH(empty_launch(dim3(0), dim3(32), 0), Contains("grid (0,1,1) has a zero dimension"));
    CHECK_THROWS_WITH(empty_launch(dim3(4, 0), dim3(32), 0), Contains("zero dimension"));
    CHECK_THROWS_WITH(empty_launch(dim3(1), dim3(0), 0), Contains("block (0,1,1) has a zero dimension"));
    CHECK_THROWS_WITH(empty_launch(dim3(1), dim3(1, 1, 65), 0), Contains("1024 x 1024 x 64"));
    CHECK_THROWS_WITH(empty_launch(dim3(1, 70000), dim3(32), 0), Contains("65535"));
    CHECK_THROWS_WITH(empty_launch(dim3(1), dim3(32), 64 * 1024), Contains("65536 bytes of dynamic shared memory"));
    CHECK_THROWS_WITH(empty_launch(dim3(1), dim3(32), 64 * 1024), Contains("empty_kernel"));
    CHECK_NOTHROW(empty_launch(dim3(2, 3, 4), dim3(1024), 48 * 1024));
}

TEST_CASE("an exception thrown by device code comes out of launch as ladder::Error", "[simt]") {
    for (auto s : {simt::Schedule::forward, simt::Schedule::reverse, simt::Schedule::random}) {
        OptionsScope scope(s, 4);
        try {
            throw_in_kernel(2, 5, 6);
            FAIL("no error");
        } catch (const ladder::Error& e) {
            const std::string m = e.what();
            INFO(m);
            CHECK_THAT(m, Contains("throw_kernel threw an exception in block (2,0,0) thread (5,0,0)"));
            CHECK_THAT(m, Contains("boom at 2/5"));
        }
    }
    // The other threads of the block were parked at a barrier and have been unwound: the
    // emulator keeps working.
    const std::vector<int> in(256 * 3, 2);
    DeviceBuffer<int> d_in(in), d_out(3);
    block_sum(d_out.get(), d_in.get(), 3);
    CHECK(d_out.download() == std::vector<int>{512, 512, 512});
}

TEST_CASE("integer atomics from many blocks count exactly", "[simt]") {
    const std::size_t n = 200003;
    const unsigned bins = 37;
    std::mt19937 rng(12);
    std::vector<int> in(n);
    for (auto& x : in) x = static_cast<int>(rng() % 100000);
    std::vector<unsigned> expected(bins, 0);
    for (int x : in) ++expected[static_cast<unsigned>(x) % bins];
    DeviceBuffer<int> d_in(in);
    DeviceBuffer<unsigned> d_counts(std::vector<unsigned>(bins, 0));
    histogram(d_counts.get(), d_in.get(), n, bins);
    CHECK(d_counts.download() == expected);
}

TEST_CASE("float, double, min, max, sub and 64-bit atomics", "[simt]") {
    const std::size_t n = 16000;
    std::mt19937 rng(13);
    std::vector<int> in(n);
    for (auto& x : in) x = static_cast<int>(rng() % 2001) - 1000;
    DeviceBuffer<int> d_in(in);
    DeviceBuffer<float> sum(std::vector<float>{0.0f});
    DeviceBuffer<double> dsum(std::vector<double>{0.0});
    DeviceBuffer<int> mx(std::vector<int>{-1 << 30}), mn(std::vector<int>{1 << 30}), sub(std::vector<int>{7});
    DeviceBuffer<unsigned long long> ull(std::vector<unsigned long long>{0});
    atomic_mix(sum.get(), dsum.get(), mx.get(), mn.get(), ull.get(), sub.get(), d_in.get(), n);
    long long total = 0;
    unsigned long long total_ull = 0;
    for (int x : in) {
        total += x;
        total_ull += static_cast<unsigned long long>(x + 1000) << 20;
    }
    // Float sums depend on the order of the additions, which differs from run to run when
    // blocks race on two workers (as on a GPU). Here the order cannot matter: every term is
    // in[i]/8, a multiple of 2^-3, and every partial sum in any order is at most
    // n*125 = 2e6 < 2^21 in magnitude, where floats hold every multiple of 2^-3 exactly. So the
    // result must be exact; a lost update (a non-atomic add) would show as a difference.
    CHECK(static_cast<double>(sum.download()[0]) == static_cast<double>(total) / 8.0);
    // Doubles: the terms x/3 are inexact; each addition errs by at most 2^-53 times a partial
    // sum of at most n*1000/3 = 5.3e6, i.e. 6e-10, and n of them by 1e-5.
    CHECK(std::fabs(dsum.download()[0] - static_cast<double>(total) / 3.0) <= 1e-5);
    CHECK(mx.download()[0] == *std::max_element(in.begin(), in.end()));
    CHECK(mn.download()[0] == *std::min_element(in.begin(), in.end()));
    CHECK(sub.download()[0] == 7 - static_cast<int>(total));
    CHECK(ull.download()[0] == total_ull);
}

TEST_CASE("a spin lock built from atomicCAS and atomicExch serialises increments", "[simt]") {
    DeviceBuffer<int> counter(std::vector<int>{0}), lock(std::vector<int>{0});
    cas_lock_counter(counter.get(), lock.get(), 50);
    CHECK(counter.download()[0] == 50 * 64);
    CHECK(lock.download()[0] == 0);
}

TEST_CASE("a shared-memory tiled matmul matches the CPU exactly on small integers", "[simt]") {
    // Products and sums of integers below 2^24 are exact in float, in any order.
    for (auto [m, n, k] : {std::tuple{16u, 16u, 16u}, std::tuple{33u, 47u, 20u}, std::tuple{1u, 70u, 5u}}) {
        std::vector<float> a(static_cast<std::size_t>(m) * k), b(static_cast<std::size_t>(k) * n);
        for (std::size_t i = 0; i < a.size(); ++i) a[i] = static_cast<float>(static_cast<int>(i * 7 % 11) - 5);
        for (std::size_t i = 0; i < b.size(); ++i) b[i] = static_cast<float>(static_cast<int>(i * 5 % 13) - 6);
        std::vector<float> expected(static_cast<std::size_t>(m) * n, 0.0f);
        for (unsigned r = 0; r < m; ++r)
            for (unsigned c = 0; c < n; ++c)
                for (unsigned j = 0; j < k; ++j) expected[r * n + c] += a[r * k + j] * b[j * n + c];
        DeviceBuffer<float> d_a(a), d_b(b), d_c(expected.size());
        matmul_tiled(d_c.get(), d_a.get(), d_b.get(), m, n, k);
        INFO(m << " x " << n << " x " << k);
        CHECK(d_c.download() == expected);
    }
}

TEST_CASE("many 256-thread blocks pass many barriers", "[simt]") {
    const unsigned rounds = 37, blocks = 11;
    DeviceBuffer<int> out(256 * blocks);
    barrier_rounds(out.get(), rounds, blocks);
    const auto got = out.download();
    for (unsigned b = 0; b < blocks; ++b)
        for (unsigned t = 0; t < 256; ++t) REQUIRE(got[b * 256 + t] == static_cast<int>((t + rounds) & 255));
}

TEST_CASE("vector add over many blocks and worker counts", "[simt]") {
    const std::size_t n = 100000 + 3;
    std::vector<float> a(n), b(n);
    for (std::size_t i = 0; i < n; ++i) {
        a[i] = static_cast<float>(i) * 0.5f;
        b[i] = 1.0f / static_cast<float>(i + 1);
    }
    DeviceBuffer<float> d_a(a), d_b(b), d_out(n);
    for (unsigned workers : {1u, 2u, 3u}) {
        simt::Options o = simt::options();
        o.workers = workers;
        OptionsScope scope(o);
        vector_add(d_out.get(), d_a.get(), d_b.get(), n);
        const auto out = d_out.download();
        for (std::size_t i = 0; i < n; ++i) REQUIRE(out[i] == a[i] + b[i]);   // one rounding, same on both sides
    }
}

TEST_CASE("device properties and description", "[simt]") {
    cudaDeviceProp prop{};
    REQUIRE(cudaGetDeviceProperties(&prop, 0) == cudaSuccess);
    CHECK(std::string(prop.name) == "SIMT emulator");
    CHECK(prop.warpSize == 32);
    CHECK(prop.maxThreadsPerBlock == 1024);
    CHECK(prop.sharedMemPerBlock == 48 * 1024);
    CHECK(prop.multiProcessorCount >= 1);
    CHECK(cudaGetDeviceProperties(&prop, 1) == cudaErrorInvalidValue);
    CHECK(cudaGetLastError() == cudaErrorInvalidValue);
    CHECK(cudaGetLastError() == cudaSuccess);
    CHECK_THAT(simt::description(), Contains("SIMT emulator ("));
    CHECK(simt::parse_schedule("reverse") == simt::Schedule::reverse);
    CHECK_THROWS_WITH(simt::parse_schedule("backwards"), Contains("forward, reverse or random"));
}
