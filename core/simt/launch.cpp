// launch.cpp: one kernel launch on the emulator: check the configuration like CUDA does, share
// the blocks out to worker OS threads, collect the first failure, check the guard zones.
// Also the options (schedule, seed, workers, race check). Introduced in ch01.
#include <pthread.h>

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <thread>

#include "core/simt/internal.hpp"

namespace ladder::simt {

// ---- options ----

namespace {

std::mutex g_options_mutex;

std::uint64_t env_number(const char* name, std::uint64_t fallback) {
    const char* v = std::getenv(name);
    if (!v || !*v) return fallback;
    char* end = nullptr;
    const unsigned long long x = std::strtoull(v, &end, 10);
    LADDER_CHECK(end && *end == '\0', "{}={} is not a number", name, v);
    return x;
}

Options& options_storage() {
    static Options o = [] {
        Options x;
        if (const char* s = std::getenv("LADDER_SIMT_SCHEDULE"); s && *s) x.schedule = parse_schedule(s);
        x.seed = env_number("LADDER_SIMT_SEED", 0);
        x.workers = static_cast<unsigned>(env_number("LADDER_SIMT_WORKERS", 0));
        x.race_check = env_number("LADDER_SIMT_RACE_CHECK", 0) != 0;
        return x;
    }();
    return o;
}

}  // namespace

unsigned detail::resolve_workers(unsigned requested) {
    if (requested) return requested;
    // Asked once: hardware_concurrency() reads /sys on every call, which cost more than an
    // empty launch (measured: 6 us).
    static const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    return cores;
}

Options options() {
    std::lock_guard lock(g_options_mutex);
    return options_storage();
}

void set_options(const Options& o) {
    std::lock_guard lock(g_options_mutex);
    options_storage() = o;
}

Schedule parse_schedule(const std::string& name) {
    if (name == "forward") return Schedule::forward;
    if (name == "reverse") return Schedule::reverse;
    if (name == "random") return Schedule::random;
    LADDER_THROW("unknown SIMT schedule '{}': choose forward, reverse or random", name);
}

const char* schedule_name(Schedule s) {
    switch (s) {
        case Schedule::forward: return "forward";
        case Schedule::reverse: return "reverse";
        case Schedule::random: return "random";
    }
    return "?";
}

std::string description() {
    const Options o = options();
    const unsigned w = detail::resolve_workers(o.workers);
    std::string s = fmt::format("SIMT emulator ({} worker{}, {} schedule", w, w == 1 ? "" : "s", schedule_name(o.schedule));
    if (o.schedule == Schedule::random) s += fmt::format(", seed {}", o.seed);
    if (o.race_check) s += ", race check";
    return s + ")";
}

namespace detail {

// ---- kernel names for reports ----

std::string kernel_name(const Launch& launch) {
    static std::mutex mutex;
    static std::map<void (*)(), std::string> cache;
    std::lock_guard lock(mutex);
    auto [it, fresh] = cache.try_emplace(launch.call.kernel);
    if (fresh) {
        char name[1024];
        if (symbol_name(reinterpret_cast<const void*>(launch.call.kernel), name, sizeof name, true)) {
            it->second = name;
        } else {
            // No symbol table (a stripped binary): the type is all we know.
            std::string_view sig(launch.call.signature ? launch.call.signature : "");
            const auto at = sig.find("F = ");
            it->second = at == std::string_view::npos
                             ? std::string("a kernel")
                             : fmt::format("a kernel of type {}", sig.substr(at + 4, sig.size() - at - 5));
        }
    }
    return it->second;
}

namespace {

std::mutex g_limits_mutex;
std::map<void (*)(), int> g_shared_limits;   // cudaFuncSetAttribute opt-ins

// ---- the worker pool ----

// Worker OS threads that run blocks; the thread that calls launch() runs blocks too, so a
// pool of N workers has N-1 helpers, and a one-block launch wakes nobody.
class Pool {
public:
    explicit Pool(unsigned workers) {
        for (unsigned i = 1; i < workers; ++i) helpers_.emplace_back([this] { helper_loop(); });
    }
    ~Pool() {
        {
            std::lock_guard lock(mutex_);
            stop_ = true;
        }
        wake_.notify_all();
        for (auto& t : helpers_) t.join();
    }
    unsigned workers() const { return static_cast<unsigned>(helpers_.size()) + 1; }

    void run(Launch& launch) {
        next_.store(0, std::memory_order_relaxed);
        const bool share = !helpers_.empty() && launch.blocks > 1;
        if (share) {
            {
                std::lock_guard lock(mutex_);
                job_ = &launch;
                ++generation_;
            }
            wake_.notify_all();
        }
        run_blocks(launch);
        if (share) {
            // No helper may join from now on; wait for those that did to finish their blocks.
            std::unique_lock lock(mutex_);
            job_ = nullptr;
            done_.wait(lock, [&] { return joined_ == 0; });
        }
    }

private:
    // Never throws: the caller must still wait for the helpers (the launch lives on its stack).
    void run_blocks(Launch& launch) noexcept {
        try {
            claim_and_run(launch);
        } catch (const std::exception& e) {   // the emulator itself failed (out of memory...)
            std::lock_guard lock(launch.error_mutex);
            if (!launch.failed.exchange(true)) launch.error = fmt::format("simt: {}", e.what());
        }
    }

    void claim_and_run(Launch& launch) {
        install_fault_handler();
        // Blocks are taken a few at a time: the shared counter's cache line moving between
        // cores costs more than a small block. ~8 chunks per worker still balance the load.
        const unsigned long long chunk = std::max<unsigned long long>(1, launch.blocks / (8ull * workers()));
        for (;;) {
            if (launch.failed.load(std::memory_order_relaxed)) return;   // stop at the first failure
            const unsigned long long first = next_.fetch_add(chunk, std::memory_order_relaxed);
            if (first >= launch.blocks) return;
            const unsigned long long last = std::min(first + chunk, launch.blocks);
            for (unsigned long long block = first; block < last && !launch.failed.load(std::memory_order_relaxed); ++block)
                run_block(launch, block);
        }
    }

    void helper_loop() {
        std::uint64_t seen = 0;
        for (;;) {
            Launch* job;
            {
                std::unique_lock lock(mutex_);
                wake_.wait(lock, [&] { return stop_ || generation_ != seen; });
                if (stop_) return;
                seen = generation_;
                job = job_;
                if (!job) continue;   // woke too late: the launch is already over
                ++joined_;
            }
            run_blocks(*job);
            {
                std::lock_guard lock(mutex_);
                --joined_;
            }
            done_.notify_all();
        }
    }

    std::vector<std::thread> helpers_;
    std::mutex mutex_;
    std::condition_variable wake_, done_;
    std::uint64_t generation_ = 0;
    Launch* job_ = nullptr;
    unsigned joined_ = 0;
    bool stop_ = false;
    std::atomic<unsigned long long> next_{0};
};

std::mutex g_launch_mutex;   // one launch at a time, like a single CUDA stream
std::unique_ptr<Pool> g_pool;   // its destructor joins the helpers at exit

void forget_pool_after_fork() {
    // In a forked child only the forking thread exists; the helpers are gone, so the pool
    // cannot be joined. Leak it and start a fresh one on the next launch.
    (void)g_pool.release();
}

Pool& pool(unsigned workers) {
    static std::once_flag once;
    std::call_once(once, [] { pthread_atfork(nullptr, nullptr, forget_pool_after_fork); });
    if (!g_pool || g_pool->workers() != workers) {
        g_pool.reset();
        g_pool = std::make_unique<Pool>(workers);
    }
    return *g_pool;
}

std::string dims(shim::dim3 d) { return fmt::format("({},{},{})", d.x, d.y, d.z); }

void validate(const Launch& l) {
    const shim::dim3 b = l.block, g = l.grid;
    auto name = [&] { return kernel_name(l); };
    LADDER_CHECK(b.x > 0 && b.y > 0 && b.z > 0, "launch of {}: block {} has a zero dimension", name(), dims(b));
    LADDER_CHECK(g.x > 0 && g.y > 0 && g.z > 0, "launch of {}: grid {} has a zero dimension (no blocks to run)", name(),
                 dims(g));
    const unsigned long long threads = 1ull * b.x * b.y * b.z;
    LADDER_CHECK(threads <= 1024, "launch of {}: block {} has {} threads; CUDA allows at most 1024 per block", name(),
                 dims(b), threads);
    LADDER_CHECK(b.x <= 1024 && b.y <= 1024 && b.z <= 64,
                 "launch of {}: block {} exceeds CUDA's limits of 1024 x 1024 x 64", name(), dims(b));
    LADDER_CHECK(g.x <= 2147483647u && g.y <= 65535 && g.z <= 65535,
                 "launch of {}: grid {} exceeds CUDA's limits of 2^31-1 x 65535 x 65535", name(), dims(g));
    int limit = 48 * 1024;
    {
        std::lock_guard lock(g_limits_mutex);
        if (auto it = g_shared_limits.find(l.call.kernel); it != g_shared_limits.end()) limit = std::max(limit, it->second);
    }
    LADDER_CHECK(l.shmem <= static_cast<std::size_t>(limit),
                 "launch of {}: {} bytes of dynamic shared memory, more than the {} allowed{}", name(), l.shmem, limit,
                 limit == 48 * 1024 ? " (opt in with cudaFuncSetAttribute(kernel, "
                                      "cudaFuncAttributeMaxDynamicSharedMemorySize, bytes))"
                                    : "");
}

void run_grid(Launch& launch, unsigned workers) {
    if (workers <= 1 || launch.blocks == 1) {
        install_fault_handler();
        for (unsigned long long b = 0; b < launch.blocks && !launch.failed.load(); ++b) run_block(launch, b);
        return;
    }
    pool(workers).run(launch);
}

[[noreturn]] void throw_launch_error(const Launch& launch) {
    if (launch.error_file) ladder::throw_error(launch.error_file, launch.error_line, launch.error);
    ladder::throw_error(__FILE__, __LINE__, launch.error);
}

// Where `now` first differs from `then` (bytes), or npos. With float (double) atomics in the
// kernel, words that differ like reordered float (double) sums do are equal: two orders of
// k additions differ by about k*u*sum|x|; we allow a relative 1e-4 (1e-12), hundreds of ulps,
// while a missing barrier usually leaves a stale value, or the 0xFF poison (NaN), behind.
std::size_t first_difference(const char* then, const char* now, std::size_t bytes, bool floats, bool doubles) {
    auto close = [](double a, double b, double rel) {
        return a == b || (std::isnan(a) && std::isnan(b)) || std::fabs(a - b) <= rel * std::max(std::fabs(a), std::fabs(b));
    };
    const std::size_t word = doubles ? 8 : 4;
    for (std::size_t at = 0; at < bytes; at += word) {
        const std::size_t n = std::min(word, bytes - at);
        if (std::memcmp(then + at, now + at, n) == 0) continue;
        if (n == word && (floats || doubles)) {
            if (doubles) {
                double a, b;
                std::memcpy(&a, then + at, 8);
                std::memcpy(&b, now + at, 8);
                if (close(a, b, 1e-12)) continue;
            } else {
                float a, b;
                std::memcpy(&a, then + at, 4);
                std::memcpy(&b, now + at, 4);
                if (close(a, b, 1e-4)) continue;
            }
        }
        return at;
    }
    return std::string::npos;
}

// [book:simt-race-check]
// The race check runs the launch twice from the same starting memory, once with the threads
// of every block in forward order and once in reverse, and compares every byte of every device
// allocation. A kernel whose threads communicate only across barriers gives the same bytes;
// one that reads what another thread writes in the same phase usually does not.
void run_race_checked(Launch& launch) {
    const std::vector<AllocationView> allocations = live_allocations();
    std::vector<std::vector<char>> before(allocations.size()), forward(allocations.size());
    for (std::size_t i = 0; i < allocations.size(); ++i)
        before[i].assign(static_cast<char*>(allocations[i].data), static_cast<char*>(allocations[i].data) + allocations[i].bytes);
    // One worker (this thread) and blocks in order, so the only difference between the runs
    // is the order of the threads inside each block.
    float_atomics_used = double_atomics_used = false;
    launch.schedule = Schedule::forward;
    run_grid(launch, 1);
    if (launch.failed) return;
    for (std::size_t i = 0; i < allocations.size(); ++i) {
        char* p = static_cast<char*>(allocations[i].data);
        forward[i].assign(p, p + allocations[i].bytes);
        std::memcpy(p, before[i].data(), allocations[i].bytes);
    }
    launch.schedule = Schedule::reverse;
    run_grid(launch, 1);
    if (launch.failed) return;
    for (std::size_t i = 0; i < allocations.size(); ++i) {
        const char* p = static_cast<const char*>(allocations[i].data);
        const std::size_t at =
            first_difference(forward[i].data(), p, allocations[i].bytes, float_atomics_used, double_atomics_used);
        if (at == std::string::npos) continue;
        // We do not know the element type: show the 4-byte word as int and as float.
        float f = 0, r = 0;
        int fi = 0, ri = 0;
        if (at + 4 <= allocations[i].bytes) {
            std::memcpy(&f, forward[i].data() + at, 4);
            std::memcpy(&r, p + at, 4);
            std::memcpy(&fi, forward[i].data() + at, 4);
            std::memcpy(&ri, p + at, 4);
        }
        launch.failed = true;
        launch.error = fmt::format(
            "race check: {} writes different results when the threads of a block run in forward and in reverse "
            "order: device allocation #{} ({} bytes), byte offset {} (element {} of 4 bytes): forward wrote int {} / "
            "float {}, reverse wrote int {} / float {}. Some thread reads shared or global memory that another thread "
            "of its block writes in the same phase: look for a missing __syncthreads()",
            kernel_name(launch), allocations[i].id, allocations[i].bytes, at, at / 4, fi, f, ri, r);
        return;
    }
}
// [/book]

}  // namespace

void set_max_dynamic_shared(void (*kernel)(), int bytes) {
    LADDER_CHECK(bytes >= 0 && static_cast<std::size_t>(bytes) <= dynamic_shared_capacity(),
                 "cudaFuncSetAttribute: {} bytes of dynamic shared memory; the emulator (like sm_90) allows at most {}",
                 bytes, dynamic_shared_capacity());
    std::lock_guard lock(g_limits_mutex);
    g_shared_limits[kernel] = bytes;
}

// [book:simt-launch]
void launch_kernel(const KernelCall& call, shim::dim3 grid, shim::dim3 block, std::size_t shmem) {
    if (const Worker* w = current_worker_or_null(); w && w->launch)
        LADDER_THROW("a kernel launched another kernel (dynamic parallelism), which the emulator does not support");
    const Options opts = options();
    Launch launch;
    launch.call = call;
    launch.grid = grid;
    launch.block = block;
    launch.shmem = shmem;
    validate(launch);
    launch.threads = block.x * block.y * block.z;
    launch.blocks = 1ull * grid.x * grid.y * grid.z;
    launch.schedule = opts.schedule;
    launch.seed = opts.seed;

    std::lock_guard lock(g_launch_mutex);
    // threadIdx of every linear thread id, x fastest (CUDA's numbering), kept from one launch
    // to the next with the same block shape (building it is a good part of a small launch).
    static std::vector<shim::uint3> index_table;
    static shim::dim3 index_shape{0, 0, 0};
    if (index_shape.x != block.x || index_shape.y != block.y || index_shape.z != block.z) {
        index_table.clear();
        for (unsigned z = 0; z < block.z; ++z)
            for (unsigned y = 0; y < block.y; ++y)
                for (unsigned x = 0; x < block.x; ++x) index_table.push_back({x, y, z});
        index_shape = block;
    }
    launch.thread_index = index_table.data();
    if (opts.race_check)
        run_race_checked(launch);
    else
        run_grid(launch, resolve_workers(opts.workers));
    if (launch.failed) throw_launch_error(launch);
    after_launch_checks(launch);
}
// [/book]

}  // namespace detail
}  // namespace ladder::simt
