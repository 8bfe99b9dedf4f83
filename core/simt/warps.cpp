// warps.cpp: warp operations in the emulator: __syncwarp, shuffles and votes wait for the lanes
// in their mask, then every member's result is computed at once; __activemask. Introduced in
// ch01 (the SIMT emulator).
#include <algorithm>
#include <bit>

#include "core/simt/scheduler.hpp"

namespace ladder::simt::detail {

namespace {

// Lanes of `warp` that exist and have not exited (read from the thread states: the per-thread
// loop then has one counter less to keep).
std::uint32_t live_lanes(const BlockRun& b, unsigned warp) {
    const unsigned base = warp * 32, end = std::min(base + 32, b.core.n);
    std::uint32_t mask = 0;
    for (unsigned t = base; t < end; ++t)
        if (b.core.state[t] != ThreadState::exited) mask |= 1u << (t - base);
    return mask;
}

}  // namespace

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

// ---- the entry points the shim calls from kernel code ----

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

}  // namespace ladder::simt::detail
