// scheduler.hpp: one block's scheduler internals shared by scheduler.cpp (fibers, barriers),
// warps.cpp (warp operations), reports.cpp (what went wrong, where) and worker.cpp (starting a
// block). Not seen by kernels. Introduced in ch01 (the SIMT emulator); see core/simt/README.md.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <source_location>
#include <string>

#include "core/simt/internal.hpp"

namespace ladder::simt::detail {

// Thrown into a parked thread to unwind its fiber's stack when its block is abandoned.
// Not a std::exception, so kernel code cannot mistake it for an error of its own.
struct Unwind {};

// ---- reports (reports.cpp) ----

// "kernels/matmul/matmul.cu:12" for a call site.
std::string where_text(const std::source_location& s);
// "(1,0,0)" for a block or thread index.
std::string index_text(shim::uint3 i);
const char* op_name(WarpOp op);   // "__shfl_sync"
[[gnu::noinline]] bool same_site_slow(const std::source_location& a, const std::source_location& b);
// Fast path: one call site is one source_location object (GCC stores a single pointer); the
// same line reached through different objects (a header included twice) compares by value.
inline bool same_site(const std::source_location& a, const std::source_location& b) {
    return std::memcmp(&a, &b, sizeof a) == 0 || same_site_slow(a, b);
}

// Records the block's first failure; every parked thread is then unwound and launch() throws.
void fail(BlockRun& b, std::string message, const char* file = nullptr, int line = 0);
// "threads 0..15 wait at f.cu:12, threads 16..31 at f.cu:20" (consecutive ids grouped).
std::string describe_waits(const BlockRun& b, bool barrier_only);
// Every live thread waits and none can be released: report where each one waits.
[[gnu::noinline, gnu::cold]] void report_deadlock(BlockRun& b);
[[gnu::noinline, gnu::cold]] void report_divergent_barrier(BlockRun& b);
void record_exception(BlockRun& b, unsigned tid, const std::string& what, const char* file = nullptr, int line = 0);

// ---- the random schedule ----

// xorshift64*: a tiny generator for the random schedule, seeded per block so the order a
// block sees does not depend on which worker happens to run it.
inline std::uint64_t next_random(std::uint64_t& s) {
    s ^= s >> 12;
    s ^= s << 25;
    s ^= s >> 27;
    return s * 2685821657736338717ull;
}
template <class It>
void shuffle(It first, It last, std::uint64_t& rng) {
    for (auto n = last - first; n > 1; --n) std::iter_swap(first + (n - 1), first + static_cast<long>(next_random(rng) % n));
}

// ---- scheduling (scheduler.cpp) ----

// Puts a released thread at the end of the ready queue.
inline void push_ready(BlockRun& b, unsigned tid) {
    b.core.state[tid] = ThreadState::ready;
    unsigned at = b.ready_head + b.ready_count;   // a ring of n slots; no division on this path
    if (at >= b.core.n) at -= b.core.n;
    b.ready[at] = tid;
    ++b.ready_count;
}

// The context to continue when the running thread parks, its fiber runs out of work, or a
// block starts: a released thread, a fiber for the next unstarted thread, or the worker's own
// stack when the block is done.
Context* next_context(Worker& w);
// Parks the running thread (its state says why) until it is released; throws Unwind when its
// block is abandoned instead.
void park(Worker& w, BlockRun& b, unsigned tid);

// ---- warps (warps.cpp) ----

// Completes the warp operation that lane `tid` waits in, if every lane it names has arrived:
// computes every member's result and releases them. Returns true if it completed.
bool try_complete_warp(BlockRun& b, unsigned tid, bool self_continues);

}  // namespace ladder::simt::detail
