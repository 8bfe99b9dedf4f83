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
    const shim::uint3* thread_index = nullptr;   // threadIdx of each linear thread id
    std::atomic<bool> failed{false};
    std::mutex error_mutex;
    std::string error;                      // the first failure, already formatted
    const char* error_file = nullptr;
    int error_line = 0;
};

// The number of worker threads for Options::workers (0: one per core).
unsigned resolve_workers(unsigned requested);

// "matmul_tiled_kernel" (from the symbol table), or the kernel's signature as a fallback.
std::string kernel_name(const Launch& launch);

// ---- one block (scheduler.cpp, warps.cpp, reports.cpp, worker.cpp; their helpers: scheduler.hpp) ----

// What a thread brings to a barrier or warp operation; touched only when it waits there, so a
// barrier-free kernel never writes these.
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
    BlockCore core;                          // first: core.* is what the thread loop touches
    const Launch* launch = nullptr;
    shim::uint3 index{0, 0, 0};
    std::vector<ThreadState> state;          // storage of core.state
    std::vector<ThreadSlot> slot;            // per linear thread id
    std::vector<unsigned> order;             // storage of core.order (random schedule)
    std::vector<unsigned> ready;             // ring buffer of threads released and waiting to resume
    unsigned ready_head = 0, ready_count = 0;
    int barrier_result = 0;                  // __syncthreads_count of the last barrier
    std::vector<std::uint32_t> phase_lanes;  // per warp: lanes not exited when this barrier phase began
    // The barrier being filled: where its first thread waits, whether a later one waits
    // elsewhere, and the running __syncthreads_count.
    std::source_location barrier_site;
    bool barrier_divergent = false;
    int barrier_count = 0;
    std::uint64_t rng = 0;                   // for Schedule::random
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
