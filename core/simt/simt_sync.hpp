// simt_sync.hpp: the CUDA shim's __syncthreads (and _count/_and/_or), memory fences and
// warp intrinsics (__syncwarp, __activemask, shuffles, votes), over the scheduler's two
// entry points. Part of the SIMT emulator (ch01), included through simt.hpp.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstring>
#include <source_location>
#include <type_traits>

// ---- what these need from the emulator (core/simt/scheduler.cpp, warps.cpp) ----
namespace ladder::simt::detail {

// __syncthreads: parks the calling CUDA thread until every live thread of its block has
// arrived; returns how many of them passed a non-zero `predicate` (__syncthreads_count).
int sync_threads(int predicate, const std::source_location& where);

enum class WarpOp : std::uint8_t { sync, shfl, shfl_up, shfl_down, shfl_xor, ballot, any, all };
// A warp-level rendezvous: waits for the lanes named in `mask` (that have not exited), then
// returns this lane's result: the 64-bit payload of the source lane for shuffles, the
// ballot mask (in the low 32 bits) for ballot/any/all.
std::uint64_t warp_op(WarpOp op, unsigned mask, std::uint64_t bits, int arg, int width,
                      const std::source_location& where);
unsigned active_mask();

template <class T>
std::uint64_t to_bits(T v) {
    static_assert(sizeof(T) <= 8 && std::is_trivially_copyable_v<T>, "shuffles move values of up to 8 bytes");
    std::uint64_t bits = 0;
    std::memcpy(&bits, &v, sizeof(T));
    return bits;
}
template <class T>
T from_bits(std::uint64_t bits) {
    T v;
    std::memcpy(&v, &bits, sizeof(T));
    return v;
}

}  // namespace ladder::simt::detail

namespace ladder::simt::shim {

// ---- synchronisation ----
inline void __syncthreads(const std::source_location where = std::source_location::current()) {
    detail::sync_threads(0, where);
}
inline int __syncthreads_count(int predicate, const std::source_location where = std::source_location::current()) {
    return detail::sync_threads(predicate != 0, where);
}
inline int __syncthreads_and(int predicate, const std::source_location where = std::source_location::current()) {
    // All live threads pass the predicate if none fails it (the barrier counts the failures).
    return detail::sync_threads(predicate == 0, where) == 0;
}
inline int __syncthreads_or(int predicate, const std::source_location where = std::source_location::current()) {
    return detail::sync_threads(predicate != 0, where) != 0;
}
// Global-memory fences order this thread's writes for other threads; on the CPU the
// atomics below are sequentially consistent and blocks share caches, so a full fence is enough.
inline void __threadfence() { std::atomic_thread_fence(std::memory_order_seq_cst); }
inline void __threadfence_block() { std::atomic_signal_fence(std::memory_order_seq_cst); }

// ---- warp-level primitives (warps are 32 consecutive linear thread ids) ----
inline void __syncwarp(unsigned mask = 0xffffffffu, const std::source_location where = std::source_location::current()) {
    detail::warp_op(detail::WarpOp::sync, mask, 0, 0, 32, where);
}
inline unsigned __activemask() { return detail::active_mask(); }

template <class T>
T __shfl_sync(unsigned mask, T value, int src_lane, int width = 32,
              const std::source_location where = std::source_location::current()) {
    return detail::from_bits<T>(detail::warp_op(detail::WarpOp::shfl, mask, detail::to_bits(value), src_lane, width, where));
}
template <class T>
T __shfl_up_sync(unsigned mask, T value, unsigned delta, int width = 32,
                 const std::source_location where = std::source_location::current()) {
    return detail::from_bits<T>(detail::warp_op(detail::WarpOp::shfl_up, mask, detail::to_bits(value),
                                                static_cast<int>(delta), width, where));
}
template <class T>
T __shfl_down_sync(unsigned mask, T value, unsigned delta, int width = 32,
                   const std::source_location where = std::source_location::current()) {
    return detail::from_bits<T>(detail::warp_op(detail::WarpOp::shfl_down, mask, detail::to_bits(value),
                                                static_cast<int>(delta), width, where));
}
template <class T>
T __shfl_xor_sync(unsigned mask, T value, int lane_mask, int width = 32,
                  const std::source_location where = std::source_location::current()) {
    return detail::from_bits<T>(detail::warp_op(detail::WarpOp::shfl_xor, mask, detail::to_bits(value), lane_mask, width, where));
}
inline unsigned __ballot_sync(unsigned mask, int predicate, const std::source_location where = std::source_location::current()) {
    return static_cast<unsigned>(detail::warp_op(detail::WarpOp::ballot, mask, predicate != 0, 0, 32, where));
}
inline int __any_sync(unsigned mask, int predicate, const std::source_location where = std::source_location::current()) {
    return static_cast<int>(detail::warp_op(detail::WarpOp::any, mask, predicate != 0, 0, 32, where));
}
inline int __all_sync(unsigned mask, int predicate, const std::source_location where = std::source_location::current()) {
    return static_cast<int>(detail::warp_op(detail::WarpOp::all, mask, predicate != 0, 0, 32, where));
}

}  // namespace ladder::simt::shim

// ---- into the global namespace, where CUDA code expects them ----
using ladder::simt::shim::__syncthreads;
using ladder::simt::shim::__syncthreads_count;
using ladder::simt::shim::__syncthreads_and;
using ladder::simt::shim::__syncthreads_or;
using ladder::simt::shim::__threadfence;
using ladder::simt::shim::__threadfence_block;
using ladder::simt::shim::__syncwarp;
using ladder::simt::shim::__activemask;
using ladder::simt::shim::__shfl_sync;
using ladder::simt::shim::__shfl_up_sync;
using ladder::simt::shim::__shfl_down_sync;
using ladder::simt::shim::__shfl_xor_sync;
using ladder::simt::shim::__ballot_sync;
using ladder::simt::shim::__any_sync;
using ladder::simt::shim::__all_sync;
