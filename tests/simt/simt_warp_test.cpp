// simt_warp_test.cpp: the emulator's warp primitives: every shuffle kind for every value type
// and width, a butterfly reduction, ballot/any/all, and a shuffle from an exited lane.
// Expected values follow CUDA's documented rules, computed from the inputs. Introduced in ch01.
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "core/error.hpp"
#include "tests/simt/simt_test_kernels.hpp"

using namespace ladder;
using namespace ladder::simt_test;
using Catch::Matchers::Contains;

namespace {

template <class T>
std::vector<T> inputs(std::size_t n, unsigned seed) {
    std::mt19937_64 rng(seed);
    std::vector<T> v(n);
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint64_t r = rng();
        if constexpr (std::is_floating_point_v<T>)
            v[i] = static_cast<T>(static_cast<double>(r % 100000) / 7.0 - 5000.0);
        else if constexpr (sizeof(T) == 8)
            v[i] = static_cast<T>(r);   // all 64 bits matter: the payload must not be truncated
        else
            v[i] = static_cast<T>(r % 2000000) - static_cast<T>(1000000);
    }
    return v;
}

// CUDA's rules (Programming Guide, "Warp Shuffle Functions"), lane by lane; each warp is split
// into groups of `width` lanes.
template <class T>
std::vector<T> expected_shuffle(ShuffleKind kind, const std::vector<T>& in, int arg, int width) {
    std::vector<T> out(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
        const int base = static_cast<int>(i / 32 * 32), lane = static_cast<int>(i % 32);
        const int group = lane / width * width;   // first lane of this lane's group
        int src = lane;
        switch (kind) {
            case ShuffleKind::idx: src = group + (lane * 7 + arg) % width; break;   // the kernel asks for lane*7+arg
            case ShuffleKind::up: src = lane - group >= arg ? lane - arg : lane; break;
            case ShuffleKind::down: src = lane - group + arg < width ? lane + arg : lane; break;
            case ShuffleKind::xor_: src = (lane ^ arg) < group + width ? lane ^ arg : lane; break;
        }
        out[i] = in[static_cast<std::size_t>(base + src)];
    }
    return out;
}

const char* kind_name(ShuffleKind k) {
    switch (k) {
        case ShuffleKind::idx: return "__shfl_sync";
        case ShuffleKind::up: return "__shfl_up_sync";
        case ShuffleKind::down: return "__shfl_down_sync";
        case ShuffleKind::xor_: return "__shfl_xor_sync";
    }
    return "?";
}

template <class T>
void check_shuffles(ShuffleKind kind, std::initializer_list<int> args) {
    const unsigned threads = 64, blocks = 3;
    const auto in = inputs<T>(threads * blocks, 17);
    DeviceBuffer<T> d_in(in), d_out(in.size());
    for (int width : {32, 16, 8, 2}) {
        for (int arg : args) {
            INFO(kind_name(kind) << " of " << sizeof(T) << "-byte values, arg " << arg << ", width " << width);
            shuffle<T>(kind, d_out.get(), d_in.get(), arg, width, threads, blocks);
            const auto got = d_out.download();
            CHECK(got == expected_shuffle(kind, in, arg, width));
        }
    }
}

template <class T>
void check_all_kinds() {
    check_shuffles<T>(ShuffleKind::idx, {0, 5, 31});
    check_shuffles<T>(ShuffleKind::up, {1, 3, 16});
    check_shuffles<T>(ShuffleKind::down, {1, 4, 16});
    check_shuffles<T>(ShuffleKind::xor_, {1, 6, 16, 20});
}

}  // namespace

TEST_CASE("__shfl_sync, _up, _down and _xor move the right lane's value", "[simt]") {
    SECTION("float") { check_all_kinds<float>(); }
    SECTION("double") { check_all_kinds<double>(); }
    SECTION("int") { check_all_kinds<int>(); }
    SECTION("unsigned") { check_all_kinds<unsigned>(); }
    SECTION("long long") { check_all_kinds<long long>(); }
    SECTION("unsigned long long") { check_all_kinds<unsigned long long>(); }
}

TEST_CASE("a __shfl_xor_sync butterfly gives every lane its warp's sum", "[simt]") {
    const unsigned blocks = 5;
    for (unsigned threads : {32u, 96u, 1024u}) {
        const auto in = inputs<int>(threads * blocks, threads);
        std::vector<int> expected(in.size());
        for (std::size_t i = 0; i < in.size(); ++i) {
            long long s = 0;
            for (std::size_t j = i / 32 * 32; j < i / 32 * 32 + 32; ++j) s += in[j];
            expected[i] = static_cast<int>(s);
        }
        DeviceBuffer<int> d_in(in), d_out(in.size());
        for (auto s : {simt::Schedule::forward, simt::Schedule::reverse, simt::Schedule::random}) {
            OptionsScope scope(s, 1);
            INFO(threads << " threads, schedule " << simt::schedule_name(s));
            warp_sum_xor(d_out.get(), d_in.get(), threads, blocks);
            CHECK(d_out.download() == expected);
        }
    }
    // 80 threads: the third warp has 16 lanes only, and the xor partners of its lanes 0..15 for
    // offset 16 do not exist: CUDA leaves that undefined, the emulator reports it.
    DeviceBuffer<int> d_in(inputs<int>(80, 3)), d_out(80);
    try {
        warp_sum_xor(d_out.get(), d_in.get(), 80, 1);
        FAIL("no error");
    } catch (const ladder::Error& e) {
        CHECK_THAT(std::string(e.what()), Contains("does not exist in this block"));
    }
}

TEST_CASE("__ballot_sync, __any_sync and __all_sync", "[simt]") {
    const unsigned threads = 128, blocks = 4;
    auto in = inputs<int>(threads * blocks, 23);
    for (std::size_t i = 32; i < 64; ++i) in[i] = static_cast<int>(i);        // warp 1: all positive
    for (std::size_t i = 64; i < 96; ++i) in[i] = -static_cast<int>(i);       // warp 2: none positive
    in[100] = 5;                                                              // warp 3: exactly lanes 4 and 5
    in[101] = 7;
    for (std::size_t i = 96; i < 128; ++i) if (i != 100 && i != 101) in[i] = 0;
    DeviceBuffer<int> d_in(in), d_any(in.size()), d_all(in.size());
    DeviceBuffer<unsigned> d_ballot(in.size());
    vote(d_ballot.get(), d_any.get(), d_all.get(), d_in.get(), threads, blocks);
    const auto ballot = d_ballot.download();
    const auto any = d_any.download(), all = d_all.download();
    for (std::size_t i = 0; i < in.size(); ++i) {
        unsigned expected = 0;
        for (unsigned l = 0; l < 32; ++l)
            if (in[i / 32 * 32 + l] > 0) expected |= 1u << l;
        INFO("thread " << i);
        REQUIRE(ballot[i] == expected);
        REQUIRE(any[i] == (expected != 0));
        REQUIRE(all[i] == (expected == 0xffffffffu));
    }
    CHECK(ballot[32] == 0xffffffffu);
    CHECK(ballot[64] == 0u);
    CHECK(ballot[96] == 0x30u);
}

TEST_CASE("the two halves of a warp shuffle with their own masks", "[simt]") {
    const unsigned threads = 96;
    const auto in = inputs<int>(threads, 31);
    std::vector<int> expected(threads);
    for (unsigned i = 0; i < threads; ++i) {
        const unsigned lane = i % 32;
        expected[i] = lane < 16 ? in[i] + (lane < 15 ? in[i + 1] : in[i]) : in[i] - in[i ^ 1];
    }
    DeviceBuffer<int> d_in(in), d_out(threads);
    for (auto s : {simt::Schedule::forward, simt::Schedule::reverse, simt::Schedule::random}) {
        OptionsScope scope(s, 6);
        INFO("schedule " << simt::schedule_name(s));
        half_warp_shuffles(d_out.get(), d_in.get(), threads);
        CHECK(d_out.download() == expected);
    }
}

TEST_CASE("__activemask names the lanes that have not exited", "[simt]") {
    // The emulator has no notion of reconvergence: "active" means "had not returned when the
    // current barrier phase began", so the answer does not depend on the schedule.
    for (unsigned live : {1u, 20u, 32u}) {
        DeviceBuffer<unsigned> out(std::vector<unsigned>(64, 0u));
        active_mask_after_exit(out.get(), live);
        const auto got = out.download();
        const unsigned expected = live == 32 ? 0xffffffffu : (1u << live) - 1;
        for (unsigned t = 0; t < 64; ++t) CHECK(got[t] == (t % 32 < live ? expected : 0u));
    }
}

TEST_CASE("a shuffle that reads an exited lane is reported", "[simt]") {
    DeviceBuffer<int> d_in(inputs<int>(32, 5)), d_out(32);
    try {
        shuffle_from_exited_lane(d_out.get(), d_in.get(), 20);
        FAIL("no error");
    } catch (const ladder::Error& e) {
        const std::string m = e.what();
        CHECK_THAT(m, Contains("__shfl_down_sync"));
        CHECK_THAT(m, Contains("shuffle_from_exited_lane_kernel"));
        CHECK_THAT(m, Contains("reads lane 20, which has already exited"));
    }
    // With every lane present the same kernel works: out[i] = in[i + 4] within the warp.
    const auto in = inputs<int>(32, 6);
    DeviceBuffer<int> d_full(in);
    shuffle_from_exited_lane(d_out.get(), d_full.get(), 32);
    const auto out = d_out.download();
    for (std::size_t i = 0; i < 32; ++i) CHECK(out[i] == in[i + 4 < 32 ? i + 4 : i]);
}
