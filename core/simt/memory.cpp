// memory.cpp: the emulator's device memory: every allocation ends right before an inaccessible
// page and is wrapped in canary bytes, so out-of-bounds kernels are caught and named; plus the
// SIGSEGV handler that turns a fault into a readable report. Introduced in ch01.
#include <signal.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>

#include "core/simt/internal.hpp"

namespace ladder::simt {

namespace {

using detail::Launch;

// Allocations are rounded up to 16 bytes so float4 loads stay aligned; the bytes between the
// requested end and the rounded end ("slack"), and a zone in front, hold this pattern.
constexpr unsigned char kCanary[4] = {0xBA, 0xDC, 0x0F, 0xFE};
constexpr std::size_t kFrontZone = 64;
constexpr std::size_t kQuarantine = 64;   // freed allocations kept inaccessible, to name use-after-free

struct Allocation {
    char* data = nullptr;
    std::size_t bytes = 0;         // what the caller asked for
    std::size_t padded = 0;        // rounded up to 16
    char* mapping = nullptr;
    std::size_t mapping_size = 0;
    unsigned long long id = 0;     // 1, 2, 3... in allocation order
};

std::mutex g_mutex;
std::map<std::uintptr_t, Allocation> g_live;       // by data address
std::deque<Allocation> g_freed;                     // the quarantine, oldest first
unsigned long long g_next_id = 1;
std::string g_pending;                              // damage found by device_free, reported by check_guards

std::size_t page_size() {
    static const std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
    return page;
}
unsigned char canary(std::size_t i) { return kCanary[i % 4]; }

// Where the canaries around `a` were overwritten: "" if intact, else a description. Repairs them,
// so one overflow is reported once.
std::string check_and_repair(const Allocation& a) {
    std::size_t front_first = kFrontZone, front_count = 0, back_first = 0, back_count = 0;
    char* front = a.data - kFrontZone;
    static const auto intact = [] {
        std::array<char, kFrontZone> z{};
        for (std::size_t i = 0; i < kFrontZone; ++i) z[i] = static_cast<char>(canary(i));
        return z;
    }();
    // After every launch, for every allocation: compare whole zones first, bytes only if damaged.
    const bool front_ok = std::memcmp(front, intact.data(), kFrontZone) == 0;
    const bool back_ok = std::memcmp(a.data + a.bytes, intact.data() + a.bytes % 4, a.padded - a.bytes) == 0;
    if (front_ok && back_ok) return {};
    for (std::size_t i = 0; i < kFrontZone; ++i) {
        if (static_cast<unsigned char>(front[i]) != canary(i)) {
            front_first = std::min(front_first, i);
            ++front_count;
            front[i] = static_cast<char>(canary(i));
        }
    }
    for (std::size_t i = a.bytes; i < a.padded; ++i) {
        if (static_cast<unsigned char>(a.data[i]) != canary(i)) {
            if (back_count++ == 0) back_first = i;
            a.data[i] = static_cast<char>(canary(i));
        }
    }
    std::string out;
    if (back_count)
        out = fmt::format("{} byte(s) after the end of a {}-byte allocation (device allocation #{}) were overwritten; "
                          "the first at byte offset {} (float index {})",
                          back_count, a.bytes, a.id, back_first, back_first / 4);
    if (front_count)
        out += fmt::format("{}{} byte(s) before the start of a {}-byte allocation (device allocation #{}) were overwritten; "
                           "the first at byte offset -{}",
                           out.empty() ? "" : "; ", front_count, a.bytes, a.id, kFrontZone - front_first);
    return out;
}

const Allocation* find_containing(std::uintptr_t address) {
    auto it = g_live.upper_bound(address);
    if (it == g_live.begin()) return nullptr;
    --it;
    return &it->second;
}

// ---- the SIGSEGV handler ----

struct sigaction g_previous {};

// Appends "in <kernel> block (x,y,z) thread (x,y,z)" for the thread running on this worker.
void where_now(char* out, std::size_t n) {
    const detail::Worker* w = detail::current_worker_or_null();
    if (!w || !w->launch) {
        std::snprintf(out, n, "in host code (no kernel is running on this thread)");
        return;
    }
    char name[512];
    if (!detail::symbol_name(reinterpret_cast<const void*>(w->launch->call.kernel), name, sizeof name, true))
        std::snprintf(name, sizeof name, "a kernel");
    const auto b = shim::blockIdx, t = shim::threadIdx;
    std::snprintf(out, n, "in %s block (%u,%u,%u) thread (%u,%u,%u)", name, b.x, b.y, b.z, t.x, t.y, t.z);
}

// Fills `out` if `address` is one of ours. Runs in a signal handler after a synchronous fault
// in kernel code: it only reads, and uses snprintf (not strictly async-signal-safe, but the
// faulting thread holds no lock that snprintf needs, and we abort right after).
bool describe_fault(const void* address, const void* pc, char* out, std::size_t n) {
    const auto a = reinterpret_cast<std::uintptr_t>(address);
    const std::size_t page = page_size();
    char where[700];
    where_now(where, sizeof where);
    char code[600] = "";
    char symbol[512];
    if (pc && detail::symbol_name(pc, symbol, sizeof symbol, false))
        std::snprintf(code, sizeof code, "\n  the faulting instruction is in %s", symbol);
    if (const Allocation* al = find_containing(a)) {
        const auto end = reinterpret_cast<std::uintptr_t>(al->data) + al->padded;
        if (a >= end && a < end + page) {
            std::snprintf(out, n,
                          "simt: out-of-bounds access %s: address is %zu bytes past the end of a %zu-byte allocation "
                          "(device allocation #%llu, byte offset %zu, float index %zu)%s\n",
                          where, static_cast<std::size_t>(a - reinterpret_cast<std::uintptr_t>(al->data)) - al->bytes,
                          al->bytes, al->id, static_cast<std::size_t>(a - reinterpret_cast<std::uintptr_t>(al->data)),
                          static_cast<std::size_t>(a - reinterpret_cast<std::uintptr_t>(al->data)) / 4, code);
            return true;
        }
    }
    for (const Allocation& f : g_freed) {
        const auto begin = reinterpret_cast<std::uintptr_t>(f.mapping);
        if (a >= begin && a < begin + f.mapping_size) {
            std::snprintf(out, n,
                          "simt: use of freed device memory %s: address is byte offset %td of a %zu-byte allocation "
                          "(device allocation #%llu) that was already freed%s\n",
                          where, static_cast<std::ptrdiff_t>(a - reinterpret_cast<std::uintptr_t>(f.data)), f.bytes, f.id,
                          code);
            return true;
        }
    }
    std::size_t shared_bytes = 0;
    switch (detail::worker_guard_kind(address, &shared_bytes)) {
        case detail::guard_fiber_stack:
            std::snprintf(out, n,
                          "simt: stack overflow %s: each emulated CUDA thread has a %zu KiB stack; move large local "
                          "arrays to shared or global memory%s\n",
                          where, detail::fiber_stack_bytes() / 1024, code);
            return true;
        case detail::guard_dynamic_shared:
            std::snprintf(out, n,
                          "simt: out-of-bounds access to dynamic shared memory %s: address is past the end of the "
                          "%zu-byte buffer the launch asked for (the shmem argument)%s\n",
                          where, shared_bytes, code);
            return true;
        default: return false;
    }
}

void on_fault(int sig, siginfo_t* info, void* context) {
    const void* pc = nullptr;
#if defined(__x86_64__)
    pc = reinterpret_cast<const void*>(static_cast<ucontext_t*>(context)->uc_mcontext.gregs[REG_RIP]);
#elif defined(__aarch64__)
    pc = reinterpret_cast<const void*>(static_cast<ucontext_t*>(context)->uc_mcontext.pc);
#endif
    char message[2048];
    if (describe_fault(info->si_addr, pc, message, sizeof message)) {
        // A signal handler cannot throw: say what happened and stop, as a GPU would with
        // "an illegal memory access was encountered", only with the details.
        [[maybe_unused]] auto written = write(STDERR_FILENO, message, std::strlen(message));
        signal(SIGABRT, SIG_DFL);
        abort();
    }
    // Not ours (a plain null pointer, say): hand it to whoever handled SIGSEGV before us
    // (AddressSanitizer in an asan build, a test framework), or let the default action kill
    // the process. A previous handler that re-raises would bring us back here: then die.
    static std::atomic<bool> forwarding{false};
    if (forwarding.exchange(true)) {
        signal(sig, SIG_DFL);
        return;
    }
    if ((g_previous.sa_flags & SA_SIGINFO) && g_previous.sa_sigaction) {
        g_previous.sa_sigaction(sig, info, context);
        return;
    }
    if (g_previous.sa_handler != SIG_DFL && g_previous.sa_handler != SIG_IGN && g_previous.sa_handler) {
        g_previous.sa_handler(sig);
        return;
    }
    signal(sig, SIG_DFL);   // returning re-runs the faulting instruction, which now kills us
}

}  // namespace

namespace detail {

// Fiber stacks are small, so the handler must run on a stack of its own (per OS thread).
void ensure_alt_stack() {
    thread_local bool done = false;
    if (done) return;
    done = true;
    stack_t current{};
    if (sigaltstack(nullptr, &current) == 0 && !(current.ss_flags & SS_DISABLE) && current.ss_size >= 32 * 1024) return;
    const std::size_t bytes = 128 * 1024;
    void* m = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) return;
    stack_t s{};
    s.ss_sp = m;
    s.ss_size = bytes;
    sigaltstack(&s, nullptr);
}

// Called at every launch and allocation: other code (a test framework, a debugger helper)
// may have installed its own SIGSEGV handler since; ours goes back on top and forwards to it.
void install_fault_handler() {
    static std::mutex mutex;
    {
        std::lock_guard lock(mutex);
        struct sigaction current {};
        sigaction(SIGSEGV, nullptr, &current);
        if (!(current.sa_flags & SA_SIGINFO) || current.sa_sigaction != on_fault) {
            struct sigaction sa {};
            sa.sa_sigaction = on_fault;
            sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
            sigemptyset(&sa.sa_mask);
            sigaction(SIGSEGV, &sa, &g_previous);
        }
    }
    ensure_alt_stack();
}

void after_launch_checks(const Launch& launch) {
    std::string damage;
    {
        std::lock_guard lock(g_mutex);
        for (auto& [key, a] : g_live) {
            std::string d = check_and_repair(a);
            if (!d.empty()) damage += (damage.empty() ? "" : "; ") + d;
        }
    }
    if (!damage.empty())
        LADDER_THROW("simt: out-of-bounds write by {}: {} (each allocation is followed by guard bytes that a kernel "
                     "must not touch: check the bounds test of every store)",
                     kernel_name(launch), damage);
}

std::vector<AllocationView> live_allocations() {
    std::lock_guard lock(g_mutex);
    std::vector<AllocationView> out;
    out.reserve(g_live.size());
    for (auto& [key, a] : g_live) out.push_back({a.data, a.bytes, a.id});
    return out;
}

void check_device_range(const void* ptr, std::size_t bytes, const char* what) {
    std::lock_guard lock(g_mutex);
    const auto p = reinterpret_cast<std::uintptr_t>(ptr);
    const Allocation* a = find_containing(p);
    if (!a || p > reinterpret_cast<std::uintptr_t>(a->data) + a->bytes)
        LADDER_THROW("{}: {} is not device memory (allocate it with cudaMalloc)", what, ptr);
    const std::size_t offset = p - reinterpret_cast<std::uintptr_t>(a->data);
    if (bytes > a->bytes - offset)
        LADDER_THROW("{}: {} bytes from byte offset {} of a {}-byte device allocation (#{}) run {} bytes past its end",
                     what, bytes, offset, a->bytes, a->id, bytes - (a->bytes - offset));
}

bool is_device_pointer(const void* ptr) {
    std::lock_guard lock(g_mutex);
    const Allocation* a = find_containing(reinterpret_cast<std::uintptr_t>(ptr));
    return a && reinterpret_cast<std::uintptr_t>(ptr) <= reinterpret_cast<std::uintptr_t>(a->data) + a->bytes;
}

}  // namespace detail

// [book:simt-malloc]
void* device_malloc(std::size_t bytes) {
    detail::install_fault_handler();
    const std::size_t page = page_size();
    const std::size_t padded = (std::max<std::size_t>(bytes, 1) + 15) / 16 * 16;
    // [front canary zone | data | slack canaries] end exactly at a PROT_NONE page: the first
    // access past the rounded end faults; a write into the slack is found by the canaries.
    const std::size_t accessible = (kFrontZone + padded + page - 1) / page * page;
    void* m = mmap(nullptr, accessible + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    LADDER_CHECK(m != MAP_FAILED, "simt: out of memory allocating {} bytes of device memory", bytes);
    auto* mapping = static_cast<char*>(m);
    mprotect(mapping + accessible, page, PROT_NONE);
    Allocation a{mapping + accessible - padded, bytes, padded, mapping, accessible + page, 0};
    for (std::size_t i = 0; i < kFrontZone; ++i) a.data[static_cast<std::ptrdiff_t>(i) - static_cast<std::ptrdiff_t>(kFrontZone)] = static_cast<char>(canary(i));
    for (std::size_t i = bytes; i < padded; ++i) a.data[i] = static_cast<char>(canary(i));
    // Like cudaMalloc, the contents are undefined: 0xFF bytes (NaN floats) make a kernel that
    // reads memory nobody wrote produce NaN instead of a plausible zero.
    std::memset(a.data, 0xFF, bytes);
    std::lock_guard lock(g_mutex);
    a.id = g_next_id++;
    g_live.emplace(reinterpret_cast<std::uintptr_t>(a.data), a);
    return a.data;
}
// [/book]

void device_free(void* ptr) noexcept {
    if (!ptr) return;
    std::lock_guard lock(g_mutex);
    auto it = g_live.find(reinterpret_cast<std::uintptr_t>(ptr));
    if (it == g_live.end()) {
        bool freed = false;
        for (const Allocation& f : g_freed) freed |= f.data == ptr;
        // Freeing twice or freeing a foreign pointer corrupts state on a GPU too; we cannot
        // throw from a noexcept free, so stop here with the reason.
        std::fprintf(stderr, "simt: device_free(%p): %s\n", ptr,
                     freed ? "double free: this device allocation was already freed"
                           : "not a pointer returned by device_malloc/cudaMalloc (or not its start)");
        std::abort();
    }
    Allocation a = it->second;
    g_live.erase(it);
    if (std::string damage = check_and_repair(a); !damage.empty()) {
        std::fprintf(stderr, "simt: out-of-bounds write found when freeing: %s\n", damage.c_str());
        g_pending += (g_pending.empty() ? "" : "; ") + damage;
    }
    // Keep the pages but make them inaccessible for a while: a kernel that still uses the
    // pointer faults with "use of freed device memory" instead of reading someone else's data.
    mprotect(a.mapping, a.mapping_size, PROT_NONE);
    g_freed.push_back(a);
    if (g_freed.size() > kQuarantine) {
        munmap(g_freed.front().mapping, g_freed.front().mapping_size);
        g_freed.pop_front();
    }
}

void check_guards() {
    std::string damage;
    {
        std::lock_guard lock(g_mutex);
        damage = std::exchange(g_pending, std::string());
        for (auto& [key, a] : g_live) {
            std::string d = check_and_repair(a);
            if (!d.empty()) damage += (damage.empty() ? "" : "; ") + d;
        }
    }
    LADDER_CHECK(damage.empty(), "simt: out-of-bounds write: {}", damage);
}

}  // namespace ladder::simt
