// simt_sync_test.cpp: the emulator's __syncthreads: block reductions under every schedule, early
// returns before barriers, divergent barriers and deadlocks reported (never a hang), missing
// barriers caught by the reverse/random schedules and by the race check. Introduced in ch01.
#include <algorithm>
#include <numeric>
#include <random>
#include <string>

#include <catch2/catch.hpp>

#include "core/error.hpp"
#include "tests/simt/simt_test_kernels.hpp"

using namespace ladder;
using namespace ladder::simt_test;
using Catch::Matchers::Contains;

namespace {

// Small signed integers from a seeded generator: sums are exact, and each block differs.
std::vector<int> random_ints(std::size_t n, int lo, int hi, unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int> d(lo, hi);
    std::vector<int> v(n);
    for (auto& x : v) x = d(rng);
    return v;
}

std::vector<int> block_sums(const std::vector<int>& in, std::size_t block) {
    std::vector<int> out(in.size() / block);
    for (std::size_t b = 0; b < out.size(); ++b)
        out[b] = std::accumulate(in.begin() + static_cast<long>(b * block), in.begin() + static_cast<long>((b + 1) * block), 0);
    return out;
}

const simt::Schedule kSchedules[] = {simt::Schedule::forward, simt::Schedule::reverse, simt::Schedule::random};

}  // namespace

TEST_CASE("block reduction with __syncthreads is exact under every schedule", "[simt]") {
    const unsigned blocks = 37;
    const auto in = random_ints(blocks * 256, -1000, 1000, 1);
    const auto expected = block_sums(in, 256);
    DeviceBuffer<int> d_in(in), d_out(blocks);
    for (auto s : kSchedules) {
        OptionsScope scope(s, 7);
        INFO("schedule " << simt::schedule_name(s));
        block_sum(d_out.get(), d_in.get(), blocks);
        CHECK(d_out.download() == expected);
    }
}

TEST_CASE("block reduction without its inner __syncthreads gives a wrong sum", "[simt]") {
    // Forward order runs thread 0 through the whole loop first, so it adds partial sums that
    // threads 1..127 have not finished: the bug shows even without changing the schedule.
    const unsigned blocks = 8;
    const auto in = random_ints(blocks * 256, 1, 1000, 2);
    const auto expected = block_sums(in, 256);
    DeviceBuffer<int> d_in(in), d_out(blocks);
    for (auto s : {simt::Schedule::forward, simt::Schedule::random}) {
        OptionsScope scope(s, 3);
        INFO("schedule " << simt::schedule_name(s));
        block_sum_no_inner_barrier(d_out.get(), d_in.get(), blocks);
        CHECK(d_out.download() != expected);
    }
}

TEST_CASE("a missing __syncthreads hides under forward order and shows under reverse and random", "[simt]") {
    const std::size_t n = 4000;   // not a multiple of the block
    const unsigned threads = 128;
    std::vector<int> in(n);
    for (std::size_t i = 0; i < n; ++i) in[i] = static_cast<int>((i * 7919) % 10007);   // distinct, position-dependent
    std::vector<int> expected(n);
    for (std::size_t i = 0; i < n; ++i) expected[i] = in[i] - (i % threads ? in[i - 1] : 0);
    DeviceBuffer<int> d_in(in), d_out(n);
    {
        OptionsScope scope(simt::Schedule::forward);
        neighbour_diff_missing_barrier(d_out.get(), d_in.get(), n, threads);
        CHECK(d_out.download() == expected);   // the bug hides: thread t-1 always ran first
    }
    for (auto s : {simt::Schedule::reverse, simt::Schedule::random}) {
        OptionsScope scope(s, 11);
        INFO("schedule " << simt::schedule_name(s));
        neighbour_diff_missing_barrier(d_out.get(), d_in.get(), n, threads);
        const auto got = d_out.download();
        const auto wrong = std::inner_product(got.begin(), got.end(), expected.begin(), 0L, std::plus<>(),
                                              [](int a, int b) { return a != b ? 1L : 0L; });
        CHECK(wrong > 0);
    }
}

TEST_CASE("the random schedule is repeatable for a given seed", "[simt]") {
    const std::size_t n = 2048;
    std::vector<int> in(n);
    for (std::size_t i = 0; i < n; ++i) in[i] = static_cast<int>(i * 31 + 5);
    DeviceBuffer<int> d_in(in), d_out(n);
    std::vector<int> first;
    for (int run = 0; run < 2; ++run) {
        // The stale shared memory a racy kernel reads depends on the previous launch: start
        // each run from the same state with a forward launch, all blocks on one worker.
        simt::Options o = simt::options();
        o.schedule = simt::Schedule::forward;
        o.workers = 1;
        OptionsScope forward(o);
        neighbour_diff_missing_barrier(d_out.get(), d_in.get(), n, 256);
        o.schedule = simt::Schedule::random;
        o.seed = 42;
        OptionsScope scope(o);
        neighbour_diff_missing_barrier(d_out.get(), d_in.get(), n, 256);
        if (run == 0)
            first = d_out.download();
        else
            CHECK(d_out.download() == first);
    }
}

TEST_CASE("threads that return early are dropped from later barriers", "[simt]") {
    const unsigned threads = 96;
    for (std::size_t n : {std::size_t{1}, std::size_t{95}, std::size_t{96}, std::size_t{250}, std::size_t{1000}}) {
        const auto in = random_ints(n, -50, 50, static_cast<unsigned>(n));
        std::vector<int> expected(n);
        for (std::size_t i = 0; i < n; ++i) {
            const std::size_t first = i / threads * threads;
            const std::size_t live = std::min<std::size_t>(threads, n - first);
            const std::size_t t = i - first, j = live - 1 - t;   // out[i] takes the value thread j computed
            expected[i] = 2 * (in[first + j] + in[first + (j + 1) % live]);
        }
        DeviceBuffer<int> d_in(in), d_out(n);
        for (auto s : kSchedules) {
            OptionsScope scope(s, 5);
            INFO("n " << n << ", schedule " << simt::schedule_name(s));
            early_return_rotate(d_out.get(), d_in.get(), n, threads);
            CHECK(d_out.download() == expected);
        }
    }
}

TEST_CASE("__syncthreads_count, _and and _or", "[simt]") {
    const unsigned threads = 200, blocks = 6;
    auto in = random_ints(threads * blocks, -3, 3, 9);
    std::fill(in.begin() + threads, in.begin() + 2 * threads, 1);        // block 1: all positive
    std::fill(in.begin() + 2 * threads, in.begin() + 3 * threads, -1);   // block 2: none positive
    DeviceBuffer<int> d_in(in), d_out(3 * blocks);
    barrier_reductions(d_out.get(), d_in.get(), threads, blocks);
    const auto out = d_out.download();
    for (unsigned b = 0; b < blocks; ++b) {
        const auto first = in.begin() + static_cast<long>(b * threads), last = first + threads;
        const int count = static_cast<int>(std::count_if(first, last, [](int x) { return x > 0; }));
        INFO("block " << b);
        CHECK(out[3 * b] == count);
        CHECK(out[3 * b + 1] == (count == static_cast<int>(threads)));
        CHECK(out[3 * b + 2] == (count > 0));
    }
}

TEST_CASE("a divergent __syncthreads is reported, not a hang", "[simt]") {
    DeviceBuffer<int> d_out(32);
    REQUIRE_THROWS_AS(divergent_barrier(d_out.get()), ladder::Error);
    try {
        divergent_barrier(d_out.get());
    } catch (const ladder::Error& e) {
        const std::string m = e.what();
        CHECK_THAT(m, Contains("divergent __syncthreads"));
        CHECK_THAT(m, Contains("divergent_barrier_kernel"));
        CHECK_THAT(m, Contains("threads 0..15"));
        CHECK_THAT(m, Contains("threads 16..31"));
        CHECK_THAT(m, Contains("simt_test_kernels.cu:"));
    }
    // The emulator is usable after the failed launch.
    const auto in = random_ints(256, 0, 9, 4);
    DeviceBuffer<int> d_in(in), d_sum(1);
    block_sum(d_sum.get(), d_in.get(), 1);
    CHECK(d_sum.download()[0] == std::accumulate(in.begin(), in.end(), 0));
}

TEST_CASE("a barrier that waits for a __syncwarp is reported as a deadlock", "[simt]") {
    DeviceBuffer<int> d_out(32);
    try {
        barrier_vs_syncwarp(d_out.get());
        FAIL("no error");
    } catch (const ladder::Error& e) {
        const std::string m = e.what();
        CHECK_THAT(m, Contains("divergent"));
        CHECK_THAT(m, Contains("threads 0..15 wait at __syncthreads()"));
        CHECK_THAT(m, Contains("threads 16..31 wait at __syncwarp()"));
    }
}

TEST_CASE("the race check names a kernel whose result depends on thread order", "[simt]") {
    const std::size_t n = 1000;
    std::vector<int> in(n);
    for (std::size_t i = 0; i < n; ++i) in[i] = static_cast<int>(i * i % 997);
    DeviceBuffer<int> d_in(in), d_out(n);
    simt::Options o = simt::options();
    o.race_check = true;
    OptionsScope scope(o);
    try {
        neighbour_diff_missing_barrier(d_out.get(), d_in.get(), n, 128);
        FAIL("no error");
    } catch (const ladder::Error& e) {
        const std::string m = e.what();
        CHECK_THAT(m, Contains("race check"));
        CHECK_THAT(m, Contains("neighbour_diff_kernel"));
        CHECK_THAT(m, Contains("__syncthreads"));
    }
    // A correct kernel passes the race check and still computes the right answer.
    const auto ints = random_ints(256 * 4, -9, 9, 8);
    DeviceBuffer<int> d_ints(ints), d_sums(4);
    block_sum(d_sums.get(), d_ints.get(), 4);
    CHECK(d_sums.download() == block_sums(ints, 256));
    // Atomics are not races: integer ones are exact in any order, and the sums of float and
    // double atomicAdd may differ in their last bits between the two runs, which is tolerated.
    DeviceBuffer<float> sum(std::vector<float>{0.0f});
    DeviceBuffer<double> dsum(std::vector<double>{0.0});
    DeviceBuffer<int> mx(std::vector<int>{0}), mn(std::vector<int>{0}), sub(std::vector<int>{0});
    DeviceBuffer<unsigned long long> ull(std::vector<unsigned long long>{0});
    CHECK_NOTHROW(atomic_mix(sum.get(), dsum.get(), mx.get(), mn.get(), ull.get(), sub.get(), d_ints.get(), ints.size()));
}
