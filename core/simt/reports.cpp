// reports.cpp: what the scheduler says when a block goes wrong: call sites and indices as
// text, which threads wait where, deadlocks, divergent barriers, exceptions in kernel code.
// Introduced in ch01 (the SIMT emulator).
#include <cstring>
#include <string_view>

#include "core/simt/scheduler.hpp"

namespace ladder::simt::detail {

namespace {

const char* short_file(const char* path) {
    std::string_view p(path);
    for (std::string_view top : {"/core/", "/kernels/", "/chapters/", "/exercises/", "/tests/", "/book/"}) {
        if (auto at = p.rfind(top); at != std::string_view::npos) return path + at + 1;
    }
    return path;
}


}  // namespace

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

std::string index_text(shim::uint3 i) { return fmt::format("({},{},{})", i.x, i.y, i.z); }

// Records the block's first failure; every parked thread is then unwound and launch() throws.
void fail(BlockRun& b, std::string message, const char* file, int line) {
    if (b.core.aborting) return;
    b.core.aborting = true;
    b.error = std::move(message);
    b.error_file = file;
    b.error_line = line;
}

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

void record_exception(BlockRun& b, unsigned tid, const std::string& what, const char* file, int line) {
    fail(b, fmt::format("{} threw an exception in block {} thread {}: {}", kernel_name(*b.launch), index_text(b.index),
                        index_text(b.launch->thread_index[tid]), what),
         file, line);
}

}  // namespace ladder::simt::detail
