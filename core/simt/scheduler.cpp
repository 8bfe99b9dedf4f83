// scheduler.cpp: runs one block of CUDA threads as fibers on one worker OS thread: what runs
// next, parking, __syncthreads, early exits. Warp operations are in warps.cpp, error reports in
// reports.cpp, starting a block in worker.cpp. Introduced in ch01; the book's appendix walks through it.
#include <algorithm>

#include "core/simt/scheduler.hpp"

namespace ladder::simt::detail {

namespace {

// ---- choosing what runs next ----

void set_running(Worker& w, BlockRun& b, unsigned tid) {
    b.core.current = tid;
    b.core.state[tid] = ThreadState::running;
    shim::threadIdx = b.core.thread_index[tid];
    w.running = b.slot[tid].fiber;
}

[[noreturn]] void fiber_body();

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

}  // namespace

Context* next_context(Worker& w) { return next_target(w); }

// Parks the running thread (its state says why) until it is released.
void park(Worker& w, BlockRun& b, unsigned tid) {
    switch_away(w);
    if (b.core.state[tid] == ThreadState::unwinding) throw Unwind{};
}

namespace {

// ---- barriers ----

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

void thread_exit_slow(BlockCore& core, unsigned tid) {
    // core is the first member of the worker's BlockRun.
    on_exit_while_others_wait(worker().block, tid);
    (void)core;
}

// ---- each worker's state (the rest is in worker.cpp; this part is on every barrier's path) ----

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

}  // namespace ladder::simt::detail
