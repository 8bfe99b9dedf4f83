// simt_bench.cpp: what the SIMT emulator costs: an empty launch, one __syncthreads round of a
// 256-thread block, vector add (1M floats) against a plain C++ loop, a 256^3 tiled matmul.
// Introduced in ch01. Run: build/<dir>/bin/simt_bench [repeats]; every result is checked.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <vector>

#include "tests/simt/simt_test_kernels.hpp"

using namespace ladder;
using namespace ladder::simt_test;

namespace {

struct Timing {
    double min_ms, median_ms;
};

// Runs `f` `repeats` times (after one warm-up run) and returns the min and median wall time.
Timing time_it(int repeats, const std::function<void()>& f) {
    f();
    std::vector<double> ms;
    for (int r = 0; r < repeats; ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        f();
        ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
    std::sort(ms.begin(), ms.end());
    return {ms.front(), ms[ms.size() / 2]};
}

void check(bool ok, const char* what) {
    if (!ok) {
        std::fprintf(stderr, "simt_bench: wrong result in %s\n", what);
        std::exit(1);
    }
}

// The peer of the emulated vector add: the loop a C++ programmer would write.
__attribute__((noinline)) void vector_add_loop(float* out, const float* a, const float* b, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) out[i] = a[i] + b[i];
}

void bench(int repeats) {
    std::printf("%s\n", simt::description().c_str());
    std::printf("%-44s %12s %12s\n", "what", "min", "median");

    // (1) an empty launch: 1 block of 256 threads
    {
        const int launches = 200;
        const Timing t = time_it(repeats, [&] {
            for (int i = 0; i < launches; ++i) empty_launch(dim3(1), dim3(256), 0);
        });
        std::printf("%-44s %9.2f us %9.2f us\n", "empty launch, 1 block x 256 threads", 1e3 * t.min_ms / launches,
                    1e3 * t.median_ms / launches);
    }

    // (2) one __syncthreads round of a 256-thread block: (1000 rounds - 0 rounds) / 1000
    {
        const unsigned rounds = 1000;
        DeviceBuffer<int> out(256);
        const Timing with = time_it(repeats, [&] { barrier_rounds(out.get(), rounds, 1); });
        const Timing without = time_it(repeats, [&] { barrier_rounds(out.get(), 0, 1); });
        barrier_rounds(out.get(), rounds, 1);
        const auto v = out.download();
        for (unsigned t = 0; t < 256; ++t) check(v[t] == static_cast<int>((t + rounds) & 255), "barrier rounds");
        std::printf("%-44s %9.2f us %9.2f us\n", "__syncthreads round, 256 threads", 1e3 * (with.min_ms - without.min_ms) / rounds,
                    1e3 * (with.median_ms - without.median_ms) / rounds);
    }

    // (3) vector add of 1M floats: emulator vs a plain loop
    {
        const std::size_t n = 1 << 20;
        std::vector<float> a(n), b(n), ref(n);
        for (std::size_t i = 0; i < n; ++i) {
            a[i] = static_cast<float>(i % 1000) * 0.25f;
            b[i] = static_cast<float>(i % 77) - 3.0f;
        }
        DeviceBuffer<float> d_a(a), d_b(b), d_out(n);
        std::vector<float> out(n);
        const Timing loop = time_it(repeats, [&] { vector_add_loop(out.data(), a.data(), b.data(), n); });
        const Timing emu = time_it(repeats, [&] { vector_add(d_out.get(), d_a.get(), d_b.get(), n); });
        check(d_out.download() == out, "vector add");
        simt::Options one = simt::options();
        one.workers = 1;
        const simt::Options saved = simt::options();
        simt::set_options(one);
        const Timing emu1 = time_it(repeats, [&] { vector_add(d_out.get(), d_a.get(), d_b.get(), n); });
        simt::set_options(saved);
        std::printf("%-44s %9.3f ms %9.3f ms\n", "vector add 1M, plain C++ loop (1 thread)", loop.min_ms, loop.median_ms);
        std::printf("%-44s %9.3f ms %9.3f ms   (%.1fx / %.1fx the loop)\n", "vector add 1M, emulator (all workers)", emu.min_ms,
                    emu.median_ms, emu.min_ms / loop.min_ms, emu.median_ms / loop.median_ms);
        std::printf("%-44s %9.3f ms %9.3f ms   (%.1fx / %.1fx the loop)\n", "vector add 1M, emulator (1 worker)", emu1.min_ms,
                    emu1.median_ms, emu1.min_ms / loop.min_ms, emu1.median_ms / loop.median_ms);
    }

    // (4) 256 x 256 x 256 matmul with 16x16 shared-memory tiles
    {
        const unsigned m = 256, n = 256, k = 256;
        std::vector<float> a(std::size_t{m} * k), b(std::size_t{k} * n), ref(std::size_t{m} * n, 0.0f);
        for (std::size_t i = 0; i < a.size(); ++i) a[i] = static_cast<float>(static_cast<int>(i * 7 % 11) - 5);
        for (std::size_t i = 0; i < b.size(); ++i) b[i] = static_cast<float>(static_cast<int>(i * 5 % 13) - 6);
        for (unsigned r = 0; r < m; ++r)
            for (unsigned j = 0; j < k; ++j)
                for (unsigned c = 0; c < n; ++c) ref[r * n + c] += a[r * k + j] * b[j * n + c];
        DeviceBuffer<float> d_a(a), d_b(b), d_c(ref.size());
        const Timing t = time_it(repeats, [&] { matmul_tiled(d_c.get(), d_a.get(), d_b.get(), m, n, k); });
        check(d_c.download() == ref, "matmul");   // small integers: exact in any order
        std::printf("%-44s %9.2f ms %9.2f ms\n", "matmul 256^3, 16x16 tiles (256 blocks)", t.min_ms, t.median_ms);
    }
}

}  // namespace

int main(int argc, char** argv) {
    const int repeats = argc > 1 ? std::max(1, std::atoi(argv[1])) : 10;
    try {
        bench(repeats);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "simt_bench: %s\n", e.what());
        return 1;
    }
    return 0;
}
