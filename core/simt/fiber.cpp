// fiber.cpp: the emulator's fibers: small guarded stacks and the context switch between them
// (Boost.Context's fcontext, the three-function core of boost::context::fiber), annotated for
// AddressSanitizer. Introduced in ch01 (the SIMT emulator).
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>

#include <boost/context/detail/fcontext.hpp>

#include "core/simt/internal.hpp"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/common_interface_defs.h>
#define LADDER_SIMT_ASAN 1
#else
#define LADDER_SIMT_ASAN 0
#endif

namespace ladder::simt::detail {

namespace bc = boost::context::detail;

namespace {

// Kernels keep a few registers' worth of locals; 64 KiB leaves room for deep __device__ calls
// and for unwinding a C++ exception. AddressSanitizer's redzones make frames several times larger.
constexpr std::size_t kStackBytes = LADDER_SIMT_ASAN ? 512 * 1024 : 64 * 1024;

std::atomic<void (*)()> g_body{nullptr};

std::size_t page_size() {
    static const std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
    return page;
}

// What every resumed context does first: store the suspended state of the context that
// jumped here (it passed a pointer to its Context as `data`), and tell ASan which stack we are on.
void on_resume(bc::transfer_t t, [[maybe_unused]] void* fake_stack) {
    auto* previous = static_cast<Context*>(t.data);
    previous->fctx = t.fctx;
#if LADDER_SIMT_ASAN
    __sanitizer_finish_switch_fiber(fake_stack, &previous->stack_bottom, &previous->stack_size);
#endif
}

void trampoline(bc::transfer_t t) {
    on_resume(t, nullptr);
    g_body.load(std::memory_order_relaxed)();
    std::abort();  // the body never returns: fibers live as long as their worker
}

}  // namespace

std::size_t fiber_stack_bytes() { return kStackBytes; }

Fiber* create_fiber(void (*body)()) {
    g_body.store(body, std::memory_order_relaxed);
    const std::size_t page = page_size();
    const std::size_t mapping_size = kStackBytes + page;
    void* m = mmap(nullptr, mapping_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (m == MAP_FAILED) LADDER_THROW("simt: cannot map a {}-byte fiber stack", mapping_size);
    auto* f = new Fiber;
    f->mapping_size = mapping_size;
    f->mapping = static_cast<char*>(m);
    // Stacks grow down: the guard page sits below the lowest usable address, so an overflow
    // faults (and the SIGSEGV handler says "stack overflow") instead of corrupting a neighbour.
    mprotect(f->mapping, page, PROT_NONE);
    f->ctx.stack_bottom = f->mapping + page;
    f->ctx.stack_size = kStackBytes;
    f->ctx.fctx = bc::make_fcontext(f->mapping + f->mapping_size, kStackBytes, trampoline);
    return f;
}

void destroy_fiber(Fiber* f) noexcept {
    if (!f) return;
    munmap(f->mapping, f->mapping_size);
    delete f;
}

// [book:simt-switch]
void switch_context(Context& from, Context& to) {
    void* fake_stack = nullptr;
#if LADDER_SIMT_ASAN
    __sanitizer_start_switch_fiber(&fake_stack, to.stack_bottom, to.stack_size);
#endif
    // jump_fcontext saves our registers on our stack, loads `to`'s and returns there; it
    // returns here when another context jumps back to `from`.
    bc::transfer_t t = bc::jump_fcontext(to.fctx, &from);
    on_resume(t, fake_stack);
}
// [/book]

}  // namespace ladder::simt::detail
