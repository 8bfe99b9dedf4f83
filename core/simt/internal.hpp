// internal.hpp: the emulator's machinery shared by core/simt/*.cpp (not seen by kernels):
// fiber contexts, one launch, one block's scheduler state, and each worker's thread-local state.
// Introduced in ch01 (the SIMT emulator); see core/simt/README.md.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <source_location>
#include <string>
#include <vector>

#include "core/simt/simt.hpp"

namespace ladder::simt::detail {

// ---- fibers (fiber.cpp) ----

// A suspended execution context: where to jump back to, and (for AddressSanitizer) the
// bounds of the stack it runs on.
struct Context {
    void* fctx = nullptr;
    const void* stack_bottom = nullptr;
    std::size_t stack_size = 0;
};

// One fiber: a small stack with an inaccessible guard page below it, reused across blocks
// and launches (allocating stacks per launch would cost more than running most kernels).
struct Fiber {
    Context ctx;
    char* mapping = nullptr;       // [guard page | stack]
    std::size_t mapping_size = 0;
};

// `body` runs on the new fiber when it is first switched to, and never returns.
Fiber* create_fiber(void (*body)());
void destroy_fiber(Fiber* f) noexcept;
// Saves the running context into `from` and continues `to`; returns when someone switches back.
void switch_context(Context& from, Context& to);
std::size_t fiber_stack_bytes();

// ---- one launch, shared by all workers (launch.cpp) ----

struct Launch {
    KernelCall call{};
    shim::dim3 grid, block;
    std::size_t shmem = 0;
    unsigned threads = 0;                   // per block
    unsigned long long blocks = 0;
    Schedule schedule = Schedule::forward;
    std::uint64_t seed = 0;
    std::vector<shim::uint3> thread_index;  // threadIdx of each linear thread id
    std::atomic<bool> failed{false};
    std::mutex error_mutex;
    std::string error;                      // the first failure, already formatted
    const char* error_file = nullptr;
    int error_line = 0;
};

// "matmul_tiled_kernel" (from the symbol table), or the kernel's signature as a fallback.
std::string kernel_name(const Launch& launch);

// ---- one block (scheduler.cpp) ----

enum class ThreadState : std::uint8_t { unstarted, running, ready, at_barrier, at_warp, exited, unwinding };

// What a thread brings to a barrier or warp operation; touched only when it waits there, so a
// barrier-free kernel never writes these (its per-thread cost is one byte of state).
struct ThreadSlot {
    WarpOp op = WarpOp::sync;
    std::int8_t width = 32;
    unsigned mask = 0;
    int arg = 0;
    Fiber* fiber = nullptr;                 // the fiber holding this thread while it is parked
    std::source_location site;              // where it waits
    std::uint64_t value = 0;                // what it brings to a barrier or warp operation
    std::uint64_t result = 0;               // what the warp operation gives back
};

struct BlockRun {
    const Launch* launch = nullptr;
    unsigned n = 0;                          // threads in the block
    shim::uint3 index{0, 0, 0};
    std::vector<ThreadState> state;          // per linear thread id
    std::vector<ThreadSlot> slot;            // per linear thread id
    const shim::uint3* thread_index = nullptr;   // threadIdx of each linear id
    Schedule schedule = Schedule::forward;
    std::vector<unsigned> order;             // Schedule::random: the order threads start / resume in
    unsigned cursor = 0;                     // next position in `order` to start
    std::vector<unsigned> ready;             // ring buffer of threads released and waiting to resume
    unsigned ready_head = 0, ready_count = 0;
    std::vector<std::uint32_t> warp_live;    // per warp: lanes that exist and have not exited
    unsigned live = 0, at_barrier = 0, at_warp = 0;
    int barrier_result = 0;                  // __syncthreads_count of the last barrier
    unsigned current = 0;                    // the thread running now
    std::uint64_t rng = 0;                   // for Schedule::random
    bool aborting = false;                   // a thread failed: unwind everyone, report
    std::string error;
    const char* error_file = nullptr;
    int error_line = 0;
};

// Per worker OS thread (thread_local): the scheduler's own context, the fiber pool, the
// block in flight and its dynamic shared memory.
struct Worker {
    Context main;
    Fiber* running = nullptr;                // nullptr: the worker's own stack
    std::vector<Fiber*> fibers;              // all fibers this worker owns
    std::vector<Fiber*> idle;                // fibers holding no CUDA thread
    BlockRun block;
    const Launch* launch = nullptr;          // the launch in flight (for the SIGSEGV handler)
    char* shared_mapping = nullptr;          // [dynamic shared capacity | guard page]
    std::size_t shared_capacity = 0;
    ~Worker();
};
Worker& worker();

const Worker* current_worker_or_null();   // without constructing one (signal handler)

// Runs block `linear` of `launch` on this worker; returns false if it failed (launch.error set).
bool run_block(Launch& launch, unsigned long long linear);
std::size_t dynamic_shared_capacity();

// For the SIGSEGV handler: 0, or which of this worker's guard pages holds `address`.
enum GuardKind { guard_fiber_stack = 1, guard_dynamic_shared = 2 };
int worker_guard_kind(const void* address, std::size_t* shared_bytes);

// ---- guarded memory and the SIGSEGV handler (memory.cpp) ----
void install_fault_handler();
void ensure_alt_stack();
void after_launch_checks(const Launch& launch);   // check_guards with the kernel's name

// Every live allocation's user bytes, for the race check's snapshots.
struct AllocationView {
    void* data;
    std::size_t bytes;
    unsigned long long id;
};
std::vector<AllocationView> live_allocations();

// ---- symbols (symbols.cpp): names for addresses, without debug info, also in a signal handler ----
// Writes "name" (demangled, without parameters when `short_name`) of the function containing
// `address` into out; returns false if none was found.
bool symbol_name(const void* address, char* out, std::size_t capacity, bool short_name);

}  // namespace ladder::simt::detail
