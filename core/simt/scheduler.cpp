// scheduler.cpp: runs one block of CUDA threads as fibers on one worker OS thread:
// __syncthreads, warp shuffles/ballots/__syncwarp, early exits, deadlock and divergence reports.
// Introduced in ch01 (the SIMT emulator); the book's appendix walks through it.
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cstring>

#include "core/simt/internal.hpp"

namespace ladder::simt::detail {

namespace {

// Thrown into a parked thread to unwind its fiber's stack when its block is abandoned.
// Not a std::exception, so kernel code cannot mistake it for an error of its own.
struct Unwind {};

// Big enough for CUDA's largest opt-in dynamic shared memory (227 KiB on sm_90).
constexpr std::size_t kMaxDynamicShared = 227 * 1024;

const char* short_file(const char* path) {
    std::string_view p(path);
    for (std::string_view top : {"/core/", "/kernels/", "/chapters/", "/exercises/", "/tests/", "/book/"}) {
        if (auto at = p.rfind(top); at != std::string_view::npos) return path + at + 1;
    }
    return path;
}

std::string where_text(const std::source_location& s) { return fmt::format("{}:{}", short_file(s.file_name()), s.line()); }

[[gnu::noinline]] bool same_site_slow(const std::source_location& a, const std::source_location& b) {
    return a.line() == b.line() && a.column() == b.column() &&
           (a.file_name() == b.file_name() || std::strcmp(a.file_name(), b.file_name()) == 0);
}

const char* op_name(WarpOp op) {
    switch (op) {
        case WarpOp::sync: return "__syncwarp";
        case WarpOp::shfl: return "__shfl_sync";
        case WarpOp::shfl_up: return "__shfl_up_sync";
        case WarpOp::shfl_down: return "__shfl_down_sync";
        case WarpOp::shfl_xor: return "__shfl_xor_sync";
        case WarpOp::ballot: return "__ballot_sync";
        case WarpOp::any: return "__any_sync";
        case WarpOp::all: return "__all_sync";
    }
    return "?";
}

// Fast path: one call site is one source_location object (GCC stores a single pointer); the
// same line reached through different objects (a header included twice) compares by value.
inline bool same_site(const std::source_location& a, const std::source_location& b) {
    return std::memcmp(&a, &b, sizeof a) == 0 || same_site_slow(a, b);
}

std::string index_text(shim::uint3 i) { return fmt::format("({},{},{})", i.x, i.y, i.z); }

// xorshift64*: a tiny generator for the random schedule, seeded per block so the order a
// block sees does not depend on which worker happens to run it.
std::uint64_t next_random(std::uint64_t& s) {
    s ^= s >> 12;
    s ^= s << 25;
    s ^= s >> 27;
    return s * 2685821657736338717ull;
}
std::uint64_t mix_seed(std::uint64_t seed, std::uint64_t block) {
    std::uint64_t z = seed + 0x9e3779b97f4a7c15ull * (block + 1);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    return z ? z : 1;
}
template <class It>
void shuffle(It first, It last, std::uint64_t& rng) {
    for (auto n = last - first; n > 1; --n) std::iter_swap(first + (n - 1), first + static_cast<long>(next_random(rng) % n));
}

// Records the block's first failure; every parked thread is then unwound and launch() throws.
void fail(BlockRun& b, std::string message, const char* file = nullptr, int line = 0) {
    if (b.core.aborting) return;
    b.core.aborting = true;
    b.error = std::move(message);
    b.error_file = file;
    b.error_line = line;
}

void push_ready(BlockRun& b, unsigned tid) {
    b.core.state[tid] = ThreadState::ready;
    unsigned at = b.ready_head + b.ready_count;   // a ring of n slots; no division on this path
    if (at >= b.core.n) at -= b.core.n;
    b.ready[at] = tid;
    ++b.ready_count;
}

// ---- choosing what runs next ----

void set_running(Worker& w, BlockRun& b, unsigned tid) {
    b.core.current = tid;
    b.core.state[tid] = ThreadState::running;
    shim::threadIdx = b.core.thread_index[tid];
    w.running = b.slot[tid].fiber;
}

std::string describe_waits(const BlockRun& b, bool barrier_only);
std::uint32_t live_lanes(const BlockRun& b, unsigned warp);
[[noreturn]] void fiber_body();

// Every live thread waits and none can be released: report where each one waits. Kept out of
// next_target (cold, not inlined) so the hot path stays small.
[[gnu::noinline, gnu::cold]] void report_deadlock(BlockRun& b) {
    const bool barrier_only = b.core.at_warp == 0;
    unsigned waiting = 0;
    while (waiting + 1 < b.core.n && b.core.state[waiting] == ThreadState::exited) ++waiting;
    const ThreadSlot* first = &b.slot[waiting];
    fail(b, fmt::format("{} in {} (block {}): no thread can continue: {}",
                        barrier_only ? "divergent __syncthreads" : "divergent barrier or warp operation (deadlock)",
                        kernel_name(*b.launch), index_text(b.index), describe_waits(b, barrier_only)),
         first->site.file_name(), static_cast<int>(first->site.line()));
}

// The heart of the scheduler, called whenever the running thread parks or its fiber runs out
// of work: returns the context to continue. In order of preference: a released thread, a fiber
// to start the next unstarted thread, or the worker's own stack when the block is done.
// If nothing can run but threads are still waiting, the block is deadlocked.
Context* next_target(Worker& w);

// The rare cases, kept out of line so that the common ones stay a few instructions.
[[gnu::noinline]] Context* next_target_slow(Worker& w) {
    BlockRun& b = w.block;
    if (b.core.aborting) {
        // Resume each parked thread once so that it unwinds its stack (park() throws Unwind).
        for (unsigned tid = 0; tid < b.core.n; ++tid) {
            ThreadState& st = b.core.state[tid];
            if (st == ThreadState::ready || st == ThreadState::at_barrier || st == ThreadState::at_warp) {
                st = ThreadState::unwinding;
                b.core.current = tid;
                w.running = b.slot[tid].fiber;
                return &w.running->ctx;
            }
        }
        w.running = nullptr;
        return &w.main;
    }
    if (b.core.cursor < b.core.n) {   // a fiber for the next unstarted thread
        Fiber* f;
        if (!w.idle.empty()) {
            f = w.idle.back();
            w.idle.pop_back();
        } else {
            f = create_fiber(fiber_body);
            w.fibers.push_back(f);
        }
        w.running = f;
        return &f->ctx;
    }
    if (b.core.live == 0) {   // the block is done
        w.running = nullptr;
        return &w.main;
    }
    report_deadlock(b);
    return next_target(w);
}

inline Context* next_target(Worker& w) {
    BlockRun& b = w.block;
    if (b.ready_count > 0 && !b.core.aborting) [[likely]] {   // resume a released thread
        const unsigned tid = b.ready[b.ready_head];
        if (++b.ready_head == b.core.n) b.ready_head = 0;
        --b.ready_count;
        set_running(w, b, tid);
        return &b.slot[tid].fiber->ctx;
    }
    return next_target_slow(w);
}

// Gives the worker to whatever runs next; returns when this fiber is continued.
void switch_away(Worker& w) {
    Fiber* self = w.running;
    Context* target = next_target(w);
    if (target == &self->ctx) return;  // the next thread to run lives on this very fiber
    switch_context(self->ctx, *target);
}

// Parks the running thread (its state says why) until it is released.
void park(Worker& w, BlockRun& b, unsigned tid) {
    switch_away(w);
    if (b.core.state[tid] == ThreadState::unwinding) throw Unwind{};
}

// ---- barriers ----

// "threads 0..15 wait at f.cu:12, threads 16..31 at f.cu:20" (consecutive ids grouped).
std::string describe_waits(const BlockRun& b, bool barrier_only) {
    std::string out;
    unsigned first = 0;
    auto key_equal = [&](unsigned i, unsigned j) {
        const ThreadSlot &a = b.slot[i], &c = b.slot[j];
        const ThreadState sa = b.core.state[i];
        if (sa != b.core.state[j]) return false;
        if (sa != ThreadState::at_barrier && sa != ThreadState::at_warp) return true;
        return same_site(a.site, c.site) && (sa == ThreadState::at_barrier || a.op == c.op);
    };
    for (unsigned i = 1; i <= b.core.n; ++i) {
        if (i < b.core.n && key_equal(first, i)) continue;
        const ThreadSlot& s = b.slot[first];
        const ThreadState state = b.core.state[first];
        if (state != ThreadState::exited) {
            if (!out.empty()) out += ", ";
            out += first + 1 == i ? fmt::format("thread {}", first) : fmt::format("threads {}..{}", first, i - 1);
            if (state == ThreadState::at_barrier)
                out += barrier_only ? fmt::format(" wait at {}", where_text(s.site))
                                    : fmt::format(" wait at __syncthreads() {}", where_text(s.site));
            else if (state == ThreadState::at_warp)
                out += fmt::format(" wait at {}() {}", op_name(s.op), where_text(s.site));
            else
                out += " are not parked";
        }
        first = i;
    }
    return out;
}

[[gnu::noinline, gnu::cold]] void report_divergent_barrier(BlockRun& b) {
    fail(b, fmt::format("divergent __syncthreads in {} (block {}): {}", kernel_name(*b.launch), index_text(b.index),
                        describe_waits(b, true)),
         b.barrier_site.file_name(), static_cast<int>(b.barrier_site.line()));
}

// [book:simt-barrier]
// Called when the last live thread has arrived (or the last one that had not arrived
// exited). All waiting threads must be at the same __syncthreads (each arrival compared its
// call site with the first one's): otherwise the kernel calls the barrier in divergent code,
// which CUDA leaves undefined (a hang or garbage on a GPU). Released threads resume in
// schedule order.
void release_barrier(BlockRun& b) {
    BlockCore& c = b.core;
    if (b.barrier_divergent) {
        report_divergent_barrier(b);
        return;
    }
    b.barrier_result = b.barrier_count;
    c.at_barrier = 0;
    // Every thread has started by now, so the schedule may be drawn afresh for the next phase.
    if (c.order) shuffle(b.order.begin(), b.order.begin() + c.n, b.rng);
    // Every thread that has not exited waits here: they are the lanes __activemask() reports
    // in the next phase.
    std::fill(b.phase_lanes.begin(), b.phase_lanes.end(), 0u);
    for (unsigned k = 0; k < c.n; ++k) {
        const unsigned tid = c.thread_at(k);
        if (c.state[tid] != ThreadState::at_barrier) continue;
        push_ready(b, tid);
        b.phase_lanes[tid / 32] |= 1u << (tid % 32);
    }
}
// [/book]

// ---- warps ----

// Lanes of `warp` that exist and have not exited (read from the thread states: the per-thread
// loop then has one counter less to keep).
std::uint32_t live_lanes(const BlockRun& b, unsigned warp) {
    const unsigned base = warp * 32, end = std::min(base + 32, b.core.n);
    std::uint32_t mask = 0;
    for (unsigned t = base; t < end; ++t)
        if (b.core.state[t] != ThreadState::exited) mask |= 1u << (t - base);
    return mask;
}

// Completes the warp operation that lane `tid` waits in, if every lane it names has arrived:
// computes every member's result and releases them. Returns true if it completed.
bool try_complete_warp(BlockRun& b, unsigned tid, bool self_continues) {
    const unsigned warp = tid / 32, base = warp * 32, lane = tid % 32;
    ThreadSlot& me = b.slot[tid];
    const std::uint32_t live = live_lanes(b, warp);
    const std::uint32_t members = (me.mask | (1u << lane)) & live;
    for (std::uint32_t m = members; m; m &= m - 1) {
        if (b.core.state[base + std::countr_zero(m)] != ThreadState::at_warp) return false;
    }
    auto fail_here = [&](const std::string& what) {
        fail(b, fmt::format("{} in {} (block {}, warp {}): {}", op_name(me.op), kernel_name(*b.launch),
                            index_text(b.index), warp, what),
             me.site.file_name(), static_cast<int>(me.site.line()));
    };
    for (std::uint32_t m = members; m; m &= m - 1) {
        const ThreadSlot& s = b.slot[base + std::countr_zero(m)];
        if (!same_site(s.site, me.site) || s.mask != me.mask) {
            fail(b, fmt::format("divergent warp operation in {} (block {}, warp {}): no lane can continue: {}",
                                kernel_name(*b.launch), index_text(b.index), warp, describe_waits(b, false)),
                 me.site.file_name(), static_cast<int>(me.site.line()));
            return true;
        }
    }
    const int width = me.width;
    if (width < 1 || width > 32 || !std::has_single_bit(static_cast<unsigned>(width))) {
        fail_here(fmt::format("width {} at {} must be a power of two from 1 to 32", width, where_text(me.site)));
        return true;
    }
    std::uint32_t ballot = 0;
    for (std::uint32_t m = members; m; m &= m - 1) {
        const unsigned l = static_cast<unsigned>(std::countr_zero(m));
        if (b.slot[base + l].value) ballot |= 1u << l;
    }
    for (std::uint32_t m = members; m; m &= m - 1) {
        const unsigned l = static_cast<unsigned>(std::countr_zero(m));
        ThreadSlot& s = b.slot[base + l];
        const unsigned segment = l & ~static_cast<unsigned>(width - 1);   // first lane of l's width-group
        int src = static_cast<int>(l);
        switch (s.op) {
            case WarpOp::sync: break;
            case WarpOp::ballot: s.result = ballot; continue;
            case WarpOp::any: s.result = ballot != 0; continue;
            case WarpOp::all: s.result = ballot == members; continue;
            case WarpOp::shfl: src = static_cast<int>(segment) + (s.arg & (width - 1)); break;
            case WarpOp::shfl_up:
                if (static_cast<int>(l - segment) - s.arg >= 0) src = static_cast<int>(l) - s.arg;
                break;
            case WarpOp::shfl_down:
                if (static_cast<int>(l - segment) + s.arg < width) src = static_cast<int>(l) + s.arg;
                break;
            case WarpOp::shfl_xor: {
                const int x = static_cast<int>(l) ^ s.arg;
                // Lanes may read earlier width-groups but not later ones (CUDA's rule).
                if (x >= 0 && x < static_cast<int>(segment) + width) src = x;
                break;
            }
        }
        if (s.op == WarpOp::sync) continue;
        if (src < 0 || src >= 32 || !(members >> src & 1u)) {
            const bool exists = src >= 0 && src < 32 && base + static_cast<unsigned>(src) < b.core.n;
            const bool exited = exists && b.core.state[base + static_cast<unsigned>(src)] == ThreadState::exited;
            fail_here(fmt::format("at {}: lane {} (thread {}) reads lane {}, which {}", where_text(s.site), l, base + l, src,
                                  !exists   ? "does not exist in this block"
                                  : exited  ? "has already exited (an early return before a warp shuffle?)"
                                            : "is not in the mask"));
            return true;
        }
        s.result = b.slot[base + static_cast<unsigned>(src)].value;
    }
    // Release the members in schedule order; the arriving lane may simply go on.
    unsigned released[32];
    unsigned count = 0;
    for (std::uint32_t m = members; m; m &= m - 1) released[count++] = base + static_cast<unsigned>(std::countr_zero(m));
    if (b.launch->schedule == Schedule::reverse) std::reverse(released, released + count);
    if (b.launch->schedule == Schedule::random) shuffle(released, released + count, b.rng);
    b.core.at_warp -= count;
    for (unsigned i = 0; i < count; ++i) {
        if (self_continues && released[i] == tid)
            b.core.state[tid] = ThreadState::running;
        else
            push_ready(b, released[i]);
    }
    return true;
}

// ---- thread lifetime ----

// A thread returned from the kernel while other threads wait: it no longer counts for barriers
// (the common `if (i >= n) return;` before a __syncthreads), which may complete one that waits
// for it; a warp operation that waits for it may complete (or read from it: an error).
void on_exit_while_others_wait(BlockRun& b, unsigned tid) {
    if (b.core.aborting) return;
    if (b.core.at_barrier != 0 && b.core.at_barrier == b.core.live) release_barrier(b);
    if (b.core.at_warp != 0) {
        const unsigned base = tid / 32 * 32, end = std::min(base + 32, b.core.n);
        for (unsigned t = base; t < end && !b.core.aborting; ++t)
            if (b.core.state[t] == ThreadState::at_warp) try_complete_warp(b, t, false);
    }
}

void record_exception(BlockRun& b, unsigned tid, const std::string& what, const char* file = nullptr, int line = 0) {
    fail(b, fmt::format("{} threw an exception in block {} thread {}: {}", kernel_name(*b.launch), index_text(b.index),
                        index_text(b.launch->thread_index[tid]), what),
         file, line);
}

// [book:simt-fiber-body]
// Every fiber runs this loop: start the block's unstarted threads one after another (the loop
// in simt.hpp's launch), each from the start of the kernel to its end. A thread that waits at a
// barrier keeps this fiber; the next unstarted thread then gets another fiber. When no thread
// is left to start, the fiber goes back to the pool and hands the worker on.
[[noreturn]] void fiber_body() {
    Worker& w = worker();
    Fiber* self = w.running;
    for (;;) {
        BlockRun& b = w.block;
        const KernelCall call = b.launch->call;
        while (!b.core.aborting && b.core.cursor < b.core.n) {
            try {
                call.run_threads(call.kernel, call.params, b.core);
                continue;
            } catch (const Unwind&) {
                // the block is being abandoned after another thread failed
            } catch (const ladder::Error& e) {
                record_exception(b, b.core.current, e.message(), e.file(), e.line());
            } catch (const std::exception& e) {
                record_exception(b, b.core.current, e.what());
            } catch (...) {
                record_exception(b, b.core.current, "an exception that is not a std::exception");
            }
            // The thread that threw (or was unwound) ends here.
            b.core.state[b.core.current] = ThreadState::exited;
            --b.core.live;
        }
        w.idle.push_back(self);
        switch_away(w);
    }
}
// [/book]

}  // namespace

// ---- the entry points the shim calls from kernel code ----

// [book:simt-syncthreads]
int sync_threads(int predicate, const std::source_location& where) {
    Worker& w = worker();
    BlockRun& b = w.block;
    if (!b.launch || !w.running) LADDER_THROW("__syncthreads() called outside a kernel launch at {}", where_text(where));
    // Record where this thread waits (for the divergence check) and on which fiber its stack is.
    const unsigned tid = b.core.current;
    ThreadSlot& s = b.slot[tid];
    b.core.state[tid] = ThreadState::at_barrier;
    s.fiber = w.running;
    s.site = where;
    // All threads must wait at the same __syncthreads; compare with the first to arrive.
    if (b.core.at_barrier == 0) {
        b.barrier_site = where;
        b.barrier_divergent = false;
        b.barrier_count = 0;
    } else if (!same_site(where, b.barrier_site)) {
        b.barrier_divergent = true;
    }
    b.barrier_count += predicate;
    // The last live thread to arrive releases everyone (itself included) into the ready queue.
    if (++b.core.at_barrier == b.core.live) release_barrier(b);
    if (b.core.aborting) {   // the release found threads at another __syncthreads
        b.core.state[tid] = ThreadState::unwinding;
        throw Unwind{};
    }
    // Let something else run: the next unstarted thread, a released one, or (if every
    // thread waits and none can go on) the deadlock report.
    park(w, b, tid);
    return b.barrier_result;
}
// [/book]

std::uint64_t warp_op(WarpOp op, unsigned mask, std::uint64_t bits, int arg, int width, const std::source_location& where) {
    Worker& w = worker();
    BlockRun& b = w.block;
    if (!b.launch || !w.running) LADDER_THROW("{}() called outside a kernel launch at {}", op_name(op), where_text(where));
    const unsigned tid = b.core.current;
    ThreadSlot& s = b.slot[tid];
    b.core.state[tid] = ThreadState::at_warp;
    s.fiber = w.running;
    s.op = op;
    s.mask = mask;
    s.arg = arg;
    s.width = static_cast<std::int8_t>(width > 0 && width <= 32 ? width : 0);
    s.site = where;
    s.value = bits;
    ++b.core.at_warp;
    const bool done = try_complete_warp(b, tid, true);
    if (b.core.aborting) {
        b.core.state[tid] = ThreadState::unwinding;
        throw Unwind{};
    }
    if (!done) park(w, b, tid);
    return s.result;
}

// The emulator has no notion of threads reconverging after a branch, so "active" means: not
// exited when the current barrier phase began (all lanes before the first __syncthreads). That
// is what a GPU reports after `if (lane >= n) return; __syncthreads();`, and does not depend on
// the order in which the emulator happens to run the lanes. Shuffles ignore lanes that have
// exited in any case.
unsigned active_mask() {
    Worker& w = worker();
    if (!w.block.launch || !w.running) return 0;
    return w.block.phase_lanes[w.block.core.current / 32];
}

void thread_exit_slow(BlockCore& core, unsigned tid) {
    // core is the first member of the worker's BlockRun.
    on_exit_while_others_wait(worker().block, tid);
    (void)core;
}

// ---- running one block ----

namespace {
thread_local Worker* tls_worker = nullptr;   // plain pointer: safe to read in a signal handler
}
Worker& worker() {
    if (tls_worker) [[likely]]
        return *tls_worker;
    static thread_local Worker w;
    tls_worker = &w;
    return w;
}
const Worker* current_worker_or_null() { return tls_worker; }

Worker::~Worker() {
    // Idle fibers hold no live objects (they wait in fiber_body's loop): dropping their
    // stacks is safe. This runs when the worker thread exits.
    for (Fiber* f : fibers) destroy_fiber(f);
    if (shared_mapping) {
        munmap(shared_mapping, shared_capacity + static_cast<std::size_t>(sysconf(_SC_PAGESIZE)));
    }
}

namespace {
// The dynamic shared buffer ends right before an inaccessible page, so reading or writing
// past the `shmem` bytes the launch asked for faults like a global out-of-bounds access.
void* prepare_dynamic_shared(Worker& w, std::size_t shmem) {
    const std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
    if (!w.shared_mapping) {
        w.shared_capacity = (kMaxDynamicShared + 256 + page - 1) / page * page;
        void* m = mmap(nullptr, w.shared_capacity + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED) LADDER_THROW("simt: cannot map dynamic shared memory");
        w.shared_mapping = static_cast<char*>(m);
        mprotect(w.shared_mapping + w.shared_capacity, page, PROT_NONE);
    }
    const std::size_t padded = (shmem + 15) / 16 * 16;
    char* base = w.shared_mapping + w.shared_capacity - padded;
    if (padded) std::memset(base, 0xFF, padded);   // NaN as float, -1 as int: unwritten reads stand out
    return base;
}
}  // namespace

std::size_t dynamic_shared_capacity() { return kMaxDynamicShared; }

bool run_block(Launch& launch, unsigned long long linear) {
    Worker& w = worker();
    BlockRun& b = w.block;
    const unsigned n = launch.threads;
    if (b.slot.size() < n) {
        b.slot.resize(n);
        b.state.resize(n);
        b.ready.resize(n);
        b.order.resize(n);
    }
    b.phase_lanes.assign((n + 31) / 32, 0xffffffffu);
    if (n % 32) b.phase_lanes.back() = (1u << (n % 32)) - 1;
    static_assert(static_cast<int>(ThreadState::unstarted) == 0);
    std::memset(b.state.data(), 0, n);
    b.core.state = b.state.data();
    b.core.thread_index = launch.thread_index;
    b.launch = &launch;
    b.core.n = n;
    b.core.cursor = 0;
    b.ready_head = b.ready_count = 0;
    b.core.live = n;
    b.core.at_barrier = b.core.at_warp = 0;
    b.core.aborting = false;
    b.error.clear();
    b.error_file = nullptr;
    b.error_line = 0;
    const unsigned gx = launch.grid.x, gy = launch.grid.y;
    b.index = {static_cast<unsigned>(linear % gx), static_cast<unsigned>(linear / gx % gy),
               static_cast<unsigned>(linear / (static_cast<unsigned long long>(gx) * gy))};
    b.core.reverse = launch.schedule == Schedule::reverse;
    b.core.one_d = launch.block.y == 1 && launch.block.z == 1;
    shim::threadIdx = {0, 0, 0};
    b.core.order = nullptr;
    if (launch.schedule == Schedule::random) {
        for (unsigned i = 0; i < n; ++i) b.order[i] = i;
        b.rng = mix_seed(launch.seed, linear);
        shuffle(b.order.begin(), b.order.begin() + n, b.rng);
        b.core.order = b.order.data();
    }
    shim::blockIdx = b.index;
    shim::blockDim = launch.block;
    shim::gridDim = launch.grid;
    dynamic_shared_base = prepare_dynamic_shared(w, launch.shmem);
    w.launch = &launch;

    // Hand the worker to the first fiber; control comes back here when the block is done.
    Context* first = next_target(w);
    switch_context(w.main, *first);
    w.running = nullptr;
    w.launch = nullptr;
    b.launch = nullptr;
    if (!b.core.aborting) return true;
    std::lock_guard lock(launch.error_mutex);
    if (!launch.failed.exchange(true)) {
        launch.error = b.error;
        launch.error_file = b.error_file;
        launch.error_line = b.error_line;
    }
    return false;
}

// For the SIGSEGV handler: is `address` in a guard page of this worker's fiber stacks or of its
// dynamic shared buffer? Only the faulting thread's own worker can be involved, and only that
// thread changes it, so no lock is needed.
int worker_guard_kind(const void* address, std::size_t* shared_bytes) {
    const Worker* w = current_worker_or_null();
    if (!w) return 0;
    const char* a = static_cast<const char*>(address);
    const std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
    for (const Fiber* f : w->fibers)
        if (a >= f->mapping && a < f->mapping + page) return guard_fiber_stack;
    if (w->shared_mapping && a >= w->shared_mapping + w->shared_capacity &&
        a < w->shared_mapping + w->shared_capacity + page) {
        if (shared_bytes) *shared_bytes = w->launch ? w->launch->shmem : 0;
        return guard_dynamic_shared;
    }
    return 0;
}

}  // namespace ladder::simt::detail
