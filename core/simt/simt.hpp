// simt.hpp: the CUDA shim every .cu file sees in the emulator build (via core/kernel.hpp):
// the headers below (types, barriers and warps, atomics, math, the cuda* runtime), and
// ladder::simt::launch, which runs a kernel's threads on the scheduler. Introduced in ch01.
#pragma once

// Kept light on purpose: every emulated .cu includes this. The machinery (fibers, the
// scheduler, guarded memory) lives in core/simt/*.cpp behind a few functions declared here.
#include <cstddef>
#include <cstdint>
#include <tuple>
#include <type_traits>
#include <utility>

#include "core/error.hpp"
#include "core/simt/simt_atomics.hpp"
#include "core/simt/simt_cuda_api.hpp"
#include "core/simt/simt_math.hpp"
#include "core/simt/simt_runtime.hpp"
#include "core/simt/simt_sync.hpp"
#include "core/simt/simt_types.hpp"

// ---- what the launch needs from the emulator (core/simt/*.cpp) ----
namespace ladder::simt::detail {

// What a CUDA thread is doing. A thread that never waits goes straight from unstarted to
// exited; `running` marks a thread resumed after a wait.
enum class ThreadState : std::uint8_t { unstarted, running, ready, at_barrier, at_warp, exited, unwinding };

// The part of a block's scheduler state that the per-thread loop below touches. It lives in
// this header so that the loop is compiled once per kernel signature, calling the kernel
// directly: a thread that never waits costs one indirect call and a few stores.
struct BlockCore {
    ThreadState* state = nullptr;            // per linear thread id
    const shim::uint3* thread_index = nullptr;   // threadIdx of each linear id
    const unsigned* order = nullptr;         // Schedule::random: the start order; else null
    unsigned n = 0;                          // threads in the block
    unsigned cursor = 0;                     // how many threads have been started
    unsigned live = 0;                       // threads that have not exited
    unsigned at_barrier = 0, at_warp = 0;    // threads parked at __syncthreads / a warp operation
    unsigned current = 0;                    // the thread running now
    bool reverse = false;                    // Schedule::reverse
    bool one_d = false;                      // blockDim.y == blockDim.z == 1: threadIdx = (tid, 0, 0)
    bool aborting = false;                   // a thread failed: unwind everyone, report

    // The k-th thread to start, in schedule order.
    unsigned thread_at(unsigned k) const { return order ? order[k] : reverse ? n - 1 - k : k; }
};
// A thread exited while others wait: a barrier or warp operation may now complete.
void thread_exit_slow(BlockCore& core, unsigned tid);

// One kernel launch, type-erased: `run_threads` starts the block's unstarted threads one after
// another on the calling fiber, each running the kernel from its start to its end.
struct KernelCall {
    void (*kernel)();                    // the kernel, cast to a common pointer type
    const void* params;                  // std::tuple of the converted arguments
    void (*run_threads)(void (*kernel)(), const void* params, BlockCore& core);
    const char* signature;               // e.g. "void (*)(const float*, float*, int)"
};
void launch_kernel(const KernelCall& call, shim::dim3 grid, shim::dim3 block, std::size_t shmem);

template <class F>
constexpr const char* signature_of() {
    return __PRETTY_FUNCTION__;
}

}  // namespace ladder::simt::detail

namespace ladder::simt {

// Runs kernel<<<grid, block, shmem, stream>>>(args...) on the emulator and returns when the
// whole grid has finished (launches are synchronous; the stream is ignored). Throws
// ladder::Error for a bad configuration, or when a thread misbehaves (divergent barrier,
// exception, damaged guard zone), naming the kernel, the block and the thread.
template <class... Params, class... Args>
void launch(void (*kernel)(Params...), dim3 grid, dim3 block, std::size_t shmem, cudaStream_t stream,
            Args&&... args) {
    static_assert(sizeof...(Params) == sizeof...(Args), "launch: wrong number of kernel arguments");
    (void)stream;
    // Kernel parameters are passed by value, converted once as CUDA does at the launch.
    using Tuple = std::tuple<std::decay_t<Params>...>;
    const Tuple params(static_cast<Params>(std::forward<Args>(args))...);
    const detail::KernelCall call{
        reinterpret_cast<void (*)()>(kernel), &params,
        // [book:simt-thread-loop]
        [](void (*k)(), const void* p, detail::BlockCore& core) {
            const auto fn = reinterpret_cast<void (*)(Params...)>(k);
            const Tuple& parameters = *static_cast<const Tuple*>(p);
            // Runs thread `tid` from the start of the kernel to its end. (Its state stays
            // `unstarted` while it runs: only waiting and exited matter to the scheduler.)
            const auto run = [&](unsigned tid) {
                core.current = tid;
                // Copying a 12-byte threadIdx from a table costs more than the rest of this
                // loop (measured); in 1-D blocks only x changes.
                if (core.one_d)
                    shim::threadIdx.x = tid;
                else
                    shim::threadIdx = core.thread_index[tid];
                std::apply(fn, parameters);   // may park at a barrier: other fibers run meanwhile
                core.state[tid] = detail::ThreadState::exited;
                --core.live;
                if (core.at_barrier | core.at_warp) detail::thread_exit_slow(core, tid);
            };
            // One loop per schedule, so the forward loop does no extra work per thread.
            if (core.order) {
                while (!core.aborting && core.cursor < core.n) run(core.order[core.cursor++]);
            } else if (core.reverse) {
                while (!core.aborting && core.cursor < core.n) run(core.n - 1 - core.cursor++);
            } else {
                while (!core.aborting && core.cursor < core.n) run(core.cursor++);
            }
        },
        // [/book]
        detail::signature_of<void (*)(Params...)>()};
    detail::launch_kernel(call, grid, block, shmem);
}

}  // namespace ladder::simt
