// simt_memory_test.cpp: the emulator's memory: out-of-bounds accesses caught by the guard page
// (in a forked child, which must die with a clear message) or by the canaries, bad frees, copies
// that overrun an allocation, and static/dynamic shared memory per block. Introduced in ch01.
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "core/error.hpp"
#include "tests/simt/simt_test_kernels.hpp"

using namespace ladder;
using namespace ladder::simt_test;
using Catch::Matchers::Contains;

namespace {

struct ChildResult {
    int status = 0;
    std::string stderr_text;
};

// Runs `body` in a forked child whose stderr we capture: the emulator's fault handler aborts
// the process, which we must observe from outside.
ChildResult run_in_child(const std::function<void()>& body) {
    int fds[2];
    REQUIRE(pipe(fds) == 0);
    std::fflush(stdout);   // or the child would print what the parent had buffered
    std::fflush(stderr);
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        dup2(fds[1], STDERR_FILENO);
        // Catch's own reporter must stay quiet in the child.
        if (FILE* null = std::freopen("/dev/null", "w", stdout); !null) _exit(4);
        try {
            body();
        } catch (const std::exception& e) {
            std::fprintf(stderr, "exception: %s\n", e.what());
            _exit(3);
        }
        _exit(0);   // the body was expected to die: exit 0 tells the parent it did not
    }
    close(fds[1]);
    ChildResult r;
    char buf[4096];
    for (ssize_t got; (got = read(fds[0], buf, sizeof buf)) > 0;) r.stderr_text.append(buf, static_cast<std::size_t>(got));
    close(fds[0]);
    waitpid(pid, &r.status, 0);
    return r;
}

bool killed_by_abort(int status) { return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT; }

}  // namespace

TEST_CASE("a write just past the end of an allocation kills the kernel with a clear message", "[simt]") {
    // 1000 floats = 4000 bytes, a multiple of 16: the byte after the last float is on the guard page.
    const ChildResult r = run_in_child([] {
        DeviceBuffer<float> out(1000);
        write_past_end(out.get(), 1000);
    });
    INFO(r.stderr_text);
    CHECK(killed_by_abort(r.status));
    CHECK_THAT(r.stderr_text, Contains("simt: out-of-bounds access in"));
    CHECK_THAT(r.stderr_text, Contains("write_past_end_kernel"));
    CHECK_THAT(r.stderr_text, Contains("block (7,0,0) thread (104,0,0)"));   // i = 1000 = 7*128 + 104
    CHECK_THAT(r.stderr_text, Contains("address is 0 bytes past the end of a 4000-byte allocation"));
}

TEST_CASE("a write into the rounding slack is caught by the canaries after the launch", "[simt]") {
    // 1001 floats = 4004 bytes, rounded up to 4016: out[1001] lands in the slack, not on the guard page.
    DeviceBuffer<float> out(1001);
    try {
        write_past_end(out.get(), 1001);
        FAIL("no error");
    } catch (const ladder::Error& e) {
        const std::string m = e.what();
        CHECK_THAT(m, Contains("out-of-bounds write by ladder::simt_test::write_past_end_kernel"));
        CHECK_THAT(m, Contains("after the end of a 4004-byte allocation"));
        CHECK_THAT(m, Contains("byte offset 4004 (float index 1001)"));
    }
    // Reported once: the canaries were repaired, so the next check is clean.
    CHECK_NOTHROW(simt::check_guards());
    // Everything inside the allocation was written.
    const auto v = out.download();
    for (float x : v) REQUIRE(x == 1.0f);
}

TEST_CASE("a write before the start of an allocation is caught by check_guards", "[simt]") {
    DeviceBuffer<int> buf(10);
    buf.get()[-1] = 0;   // as a kernel with an off-by-one index would
    try {
        simt::check_guards();
        FAIL("no error");
    } catch (const ladder::Error& e) {
        CHECK_THAT(std::string(e.what()), Contains("before the start of a 40-byte allocation"));
    }
}

TEST_CASE("new device memory is poisoned with NaN", "[simt]") {
    DeviceBuffer<float> buf(33);
    for (float x : buf.download()) REQUIRE(std::isnan(x));
}

TEST_CASE("freeing twice or freeing a foreign pointer stops with a message", "[simt]") {
    const ChildResult twice = run_in_child([] {
        void* p = simt::device_malloc(64);
        simt::device_free(p);
        simt::device_free(p);
    });
    CHECK(killed_by_abort(twice.status));
    CHECK_THAT(twice.stderr_text, Contains("double free"));
    const ChildResult foreign = run_in_child([] {
        int x = 0;
        simt::device_free(&x);
    });
    CHECK(killed_by_abort(foreign.status));
    CHECK_THAT(foreign.stderr_text, Contains("not a pointer returned by device_malloc"));
    // cudaFree answers with an error code instead.
    int y = 0;
    CHECK(cudaFree(&y) == cudaErrorInvalidDevicePointer);
}

TEST_CASE("a kernel that uses freed memory is stopped with a message", "[simt]") {
    const ChildResult r = run_in_child([] {
        float* p = static_cast<float*>(simt::device_malloc(4000));
        simt::device_free(p);
        write_past_end(p, 10);
    });
    INFO(r.stderr_text);
    CHECK(killed_by_abort(r.status));
    CHECK_THAT(r.stderr_text, Contains("use of freed device memory in"));
    CHECK_THAT(r.stderr_text, Contains("4000-byte allocation"));
}

TEST_CASE("cudaMemcpy and cudaMemset check the device side of a copy", "[simt]") {
    std::vector<float> host(300, 1.0f);
    float* dev = nullptr;
    REQUIRE(cudaMalloc(&dev, 256 * sizeof(float)) == cudaSuccess);
    CHECK(cudaMemcpy(dev, host.data(), 256 * sizeof(float), cudaMemcpyHostToDevice) == cudaSuccess);
    try {
        (void)cudaMemcpy(dev + 16, host.data(), 256 * sizeof(float), cudaMemcpyHostToDevice);
        FAIL("no error");
    } catch (const ladder::Error& e) {
        CHECK_THAT(std::string(e.what()), Contains("1024 bytes from byte offset 64 of a 1024-byte device allocation"));
        CHECK_THAT(std::string(e.what()), Contains("run 64 bytes past its end"));
    }
    CHECK_THROWS_WITH(cudaMemset(host.data(), 0, 4), Contains("is not device memory"));
    CHECK(cudaMemset(dev, 0, 256 * sizeof(float)) == cudaSuccess);
    CHECK(cudaMemcpy(host.data(), dev, 256 * sizeof(float), cudaMemcpyDeviceToHost) == cudaSuccess);
    CHECK(host[0] == 0.0f);
    CHECK(host[255] == 0.0f);
    CHECK(host[256] == 1.0f);
    CHECK(cudaFree(dev) == cudaSuccess);
}

TEST_CASE("dynamic shared memory is per block, sized by the launch and poisoned", "[simt]") {
    const unsigned threads = 64;
    for (unsigned words : {1u, 100u, 1000u, 12288u}) {   // 12288 ints = 48 KiB, the limit
        const unsigned blocks = 9;
        DeviceBuffer<int> out(static_cast<std::size_t>(words) * blocks), poisoned(blocks);
        dynamic_shared(out.get(), poisoned.get(), words, blocks, threads);
        const auto got = out.download();
        for (unsigned b = 0; b < blocks; ++b) {
            INFO("words " << words << ", block " << b);
            for (unsigned w = 0; w < words; ++w)
                REQUIRE(got[static_cast<std::size_t>(b) * words + w] == static_cast<int>(b * 100000 + (words - 1 - w)));
            CHECK(poisoned.download()[b] == 1);
        }
    }
}

TEST_CASE("more than 48 KiB of dynamic shared memory needs an opt-in", "[simt]") {
    const unsigned words = 20000, blocks = 3;   // 80000 bytes
    DeviceBuffer<int> out(std::size_t{words} * blocks), poisoned(blocks);
    CHECK_THROWS_WITH(dynamic_shared(out.get(), poisoned.get(), words, blocks, 128),
                      Contains("80000 bytes of dynamic shared memory, more than the 49152 allowed"));
    dynamic_shared_opt_in(out.get(), poisoned.get(), words, blocks, 128);
    const auto got = out.download();
    for (unsigned b = 0; b < blocks; ++b)
        for (unsigned w = 0; w < words; ++w)
            REQUIRE(got[std::size_t{b} * words + w] == static_cast<int>(b * 100000 + (words - 1 - w)));
    CHECK(poisoned.download() == std::vector<int>(blocks, 1));
}

TEST_CASE("an access past the launch's dynamic shared memory is caught", "[simt]") {
    // 100 bytes rounds up to 112: float index 28 (byte 112) is the first past the buffer.
    const ChildResult r = run_in_child([] { write_shared_at(100, 28); });
    INFO(r.stderr_text);
    CHECK(killed_by_abort(r.status));
    CHECK_THAT(r.stderr_text, Contains("out-of-bounds access to dynamic shared memory in ladder::simt_test::write_shared_at_kernel"));
    CHECK_THAT(r.stderr_text, Contains("100-byte buffer"));
    // Inside the buffer the same kernel is fine.
    CHECK_NOTHROW(write_shared_at(100, 24));
}

TEST_CASE("a kernel thread that overflows its stack is stopped with a message", "[simt]") {
    // 100000 frames of more than 256 bytes: far past any emulated thread's stack.
    const ChildResult r = run_in_child([] {
        DeviceBuffer<int> out(1);
        deep_recursion(out.get(), 100000);
    });
    INFO(r.stderr_text);
    CHECK(killed_by_abort(r.status));
    CHECK_THAT(r.stderr_text, Contains("simt: stack overflow in ladder::simt_test::deep_recursion_kernel"));
    CHECK_THAT(r.stderr_text, Contains("thread (3,0,0)"));
    // A modest depth is fine: sum over depth..1 of (depth % 2) = 50 for depth 100.
    DeviceBuffer<int> out(1);
    deep_recursion(out.get(), 100);
    CHECK(out.download()[0] == 50);
}

TEST_CASE("a static __shared__ tile transposes matrices of any shape", "[simt]") {
    for (auto [rows, cols] : {std::pair{16u, 16u}, std::pair{1u, 1u}, std::pair{33u, 70u}, std::pair{100u, 17u}}) {
        std::vector<float> in(static_cast<std::size_t>(rows) * cols);
        for (std::size_t i = 0; i < in.size(); ++i) in[i] = static_cast<float>(i * 3 + 1);
        DeviceBuffer<float> d_in(in), d_out(in.size());
        for (auto s : {simt::Schedule::forward, simt::Schedule::reverse, simt::Schedule::random}) {
            OptionsScope scope(s, 2);
            transpose_tiled(d_out.get(), d_in.get(), rows, cols);
            const auto out = d_out.download();
            INFO(rows << " x " << cols << ", schedule " << simt::schedule_name(s));
            for (unsigned r = 0; r < rows; ++r)
                for (unsigned c = 0; c < cols; ++c)
                    REQUIRE(out[static_cast<std::size_t>(c) * rows + r] == in[static_cast<std::size_t>(r) * cols + c]);
        }
    }
}
