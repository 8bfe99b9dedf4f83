// worker.cpp: what each worker OS thread keeps between blocks: running one block on it (reset
// the block's state, draw its schedule, hand over to the first fiber), its dynamic shared
// buffer ending at a guard page, and its guard pages for the SIGSEGV handler. Introduced in ch01.
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>

#include "core/simt/scheduler.hpp"

namespace ladder::simt::detail {

namespace {

// Big enough for CUDA's largest opt-in dynamic shared memory (227 KiB on sm_90).
constexpr std::size_t kMaxDynamicShared = 227 * 1024;

std::uint64_t mix_seed(std::uint64_t seed, std::uint64_t block) {
    std::uint64_t z = seed + 0x9e3779b97f4a7c15ull * (block + 1);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    return z ? z : 1;
}

}  // namespace

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
    Context* first = next_context(w);
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
