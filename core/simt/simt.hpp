// simt.hpp: the CUDA shim every .cu file sees in the emulator build (via core/kernel.hpp):
// dim3 and vector types, threadIdx & co., __syncthreads, warp shuffles, atomics, device math,
// a small cudaMalloc/cudaMemcpy runtime and ladder::simt::launch. Introduced in ch01.
#pragma once

// Kept light on purpose: every emulated .cu includes this. The machinery (fibers, the
// scheduler, guarded memory) lives in core/simt/*.cpp behind a few functions declared here.
#include <atomic>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <math.h>
#include <source_location>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

#include "core/error.hpp"
#include "core/simt/simt_runtime.hpp"

// ---- qualifiers: on the CPU every function is host code ----
#define __global__
#define __device__
#define __host__
#define __constant__
#define __forceinline__ inline
#define __noinline__ __attribute__((noinline))
#define __restrict__ __restrict
#define __launch_bounds__(...)
#define __align__(n) __attribute__((aligned(n)))
// Each worker OS thread runs one block at a time, and all threads (fibers) of that block run
// on it: a thread_local static is exactly "one copy per block in flight".
#define __shared__ static thread_local

// Dynamic shared memory: a pointer to this block's buffer of `shmem` bytes (the launch
// argument), poisoned with 0xFF bytes (NaN as float, -1 as int) when the block starts.
// `__func__` makes a use outside a function body a compile error (CUDA allows file scope;
// here the pointer must be read when the block runs).
#define LADDER_DYNAMIC_SHARED(T, name)                                                      \
    T* const name = (static_cast<void>(__func__),                                          \
                     static_cast<T*>(::ladder::simt::detail::dynamic_shared_base))

// Same meaning as the nvcc branch of core/kernel.hpp: throw ladder::Error naming the call.
#define LADDER_CUDA_CHECK(call)                                                            \
    do {                                                                                   \
        ::cudaError_t ladder_err_ = (call);                                                \
        if (ladder_err_ != ::cudaSuccess)                                                  \
            ::ladder::throw_error(__FILE__, __LINE__,                                      \
                                  std::string(#call) + " failed: " + ::cudaGetErrorName(ladder_err_) + \
                                      " (" + ::cudaGetErrorString(ladder_err_) + ")");     \
    } while (0)

#ifndef CUDART_INF_F
#define CUDART_INF_F (__builtin_huge_valf())
#define CUDART_NAN_F (__builtin_nanf(""))
#define CUDART_INF (__builtin_huge_val())
#define CUDART_NAN (__builtin_nan(""))
#define CUDART_PI_F 3.141592654f
#define CUDART_SQRT_2PI_F 2.506628275f
#define CUDART_MAX_NORMAL_F 3.402823466e38f
#define CUDART_MIN_DENORM_F 1.4012984643e-45f
#endif

// The shim's types and functions live in a namespace and are brought into the global one
// with using-declarations: a program may link emulated and nvcc-built objects, and real
// CUDA's dim3/float4 must not collide with ours at link time.
namespace ladder::simt::shim {

// ---- index and vector types (layout and alignment as in CUDA's vector_types.h) ----
struct uint3 {
    unsigned x, y, z;
};
struct dim3 {
    unsigned x = 1, y = 1, z = 1;
    constexpr dim3(unsigned vx = 1, unsigned vy = 1, unsigned vz = 1) : x(vx), y(vy), z(vz) {}
    constexpr dim3(uint3 v) : x(v.x), y(v.y), z(v.z) {}
    constexpr operator uint3() const { return {x, y, z}; }
};
struct alignas(8) float2 { float x, y; };
struct float3 { float x, y, z; };
struct alignas(16) float4 { float x, y, z, w; };
struct alignas(8) int2 { int x, y; };
struct int3 { int x, y, z; };
struct alignas(16) int4 { int x, y, z, w; };
struct alignas(8) uint2 { unsigned x, y; };
struct alignas(16) uint4 { unsigned x, y, z, w; };
struct alignas(16) double2 { double x, y; };

constexpr float2 make_float2(float x, float y) { return {x, y}; }
constexpr float3 make_float3(float x, float y, float z) { return {x, y, z}; }
constexpr float4 make_float4(float x, float y, float z, float w) { return {x, y, z, w}; }
constexpr int2 make_int2(int x, int y) { return {x, y}; }
constexpr int3 make_int3(int x, int y, int z) { return {x, y, z}; }
constexpr int4 make_int4(int x, int y, int z, int w) { return {x, y, z, w}; }
constexpr uint2 make_uint2(unsigned x, unsigned y) { return {x, y}; }
constexpr uint3 make_uint3(unsigned x, unsigned y, unsigned z) { return {x, y, z}; }
constexpr uint4 make_uint4(unsigned x, unsigned y, unsigned z, unsigned w) { return {x, y, z, w}; }
constexpr double2 make_double2(double x, double y) { return {x, y}; }

// ---- built-in variables: per worker OS thread; the scheduler sets threadIdx at every
// switch between CUDA threads, and the others when a block starts ----
inline thread_local uint3 threadIdx{0, 0, 0};
inline thread_local uint3 blockIdx{0, 0, 0};
inline thread_local dim3 blockDim{1, 1, 1};
inline thread_local dim3 gridDim{1, 1, 1};
constexpr int warpSize = 32;

}  // namespace ladder::simt::shim

// ---- what the shim needs from the emulator (core/simt/*.cpp) ----
namespace ladder::simt::detail {

// The dynamic shared buffer of the block running on this worker.
inline thread_local void* dynamic_shared_base = nullptr;
// Set by float/double atomicAdd: their sums depend on the order of the additions, which the
// race check must then tolerate.
inline thread_local bool float_atomics_used = false;
inline thread_local bool double_atomics_used = false;

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

// cudaFuncSetAttribute(k, cudaFuncAttributeMaxDynamicSharedMemorySize, bytes) opts a kernel in to
// more than 48 KiB of dynamic shared memory.
void set_max_dynamic_shared(void (*kernel)(), int bytes);

// Range checks for cudaMemcpy/cudaMemset: throws ladder::Error if [ptr, ptr + bytes) is not
// inside one live device allocation.
void check_device_range(const void* ptr, std::size_t bytes, const char* what);
bool is_device_pointer(const void* ptr);

template <class F>
constexpr const char* signature_of() {
    return __PRETTY_FUNCTION__;
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

// ---- atomics: real atomics, since blocks run at the same time on several worker threads ----
template <class T>
T atomic_fetch_add(T* address, T value) {
    return std::atomic_ref<T>(*address).fetch_add(value);
}
inline float atomicAdd(float* a, float v) {
    detail::float_atomics_used = true;
    return atomic_fetch_add(a, v);
}
inline double atomicAdd(double* a, double v) {
    detail::double_atomics_used = true;
    return atomic_fetch_add(a, v);
}
inline int atomicAdd(int* a, int v) { return atomic_fetch_add(a, v); }
inline unsigned atomicAdd(unsigned* a, unsigned v) { return atomic_fetch_add(a, v); }
inline unsigned long long atomicAdd(unsigned long long* a, unsigned long long v) { return atomic_fetch_add(a, v); }
inline int atomicSub(int* a, int v) { return std::atomic_ref<int>(*a).fetch_sub(v); }
inline unsigned atomicSub(unsigned* a, unsigned v) { return std::atomic_ref<unsigned>(*a).fetch_sub(v); }

template <class T, class Pick>
T atomic_update(T* address, T value, Pick pick) {
    std::atomic_ref<T> ref(*address);
    T old = ref.load();
    while (!ref.compare_exchange_weak(old, pick(old, value))) {
    }
    return old;
}
inline int atomicMax(int* a, int v) { return atomic_update(a, v, [](int x, int y) { return x > y ? x : y; }); }
inline unsigned atomicMax(unsigned* a, unsigned v) { return atomic_update(a, v, [](unsigned x, unsigned y) { return x > y ? x : y; }); }
inline int atomicMin(int* a, int v) { return atomic_update(a, v, [](int x, int y) { return x < y ? x : y; }); }
inline unsigned atomicMin(unsigned* a, unsigned v) { return atomic_update(a, v, [](unsigned x, unsigned y) { return x < y ? x : y; }); }
inline int atomicAnd(int* a, int v) { return std::atomic_ref<int>(*a).fetch_and(v); }
inline unsigned atomicAnd(unsigned* a, unsigned v) { return std::atomic_ref<unsigned>(*a).fetch_and(v); }
inline int atomicOr(int* a, int v) { return std::atomic_ref<int>(*a).fetch_or(v); }
inline unsigned atomicOr(unsigned* a, unsigned v) { return std::atomic_ref<unsigned>(*a).fetch_or(v); }
inline int atomicXor(int* a, int v) { return std::atomic_ref<int>(*a).fetch_xor(v); }
inline unsigned atomicXor(unsigned* a, unsigned v) { return std::atomic_ref<unsigned>(*a).fetch_xor(v); }

template <class T>
T atomic_cas(T* address, T compare, T value) {
    std::atomic_ref<T>(*address).compare_exchange_strong(compare, value);
    return compare;  // the old value, whether or not the swap happened (as in CUDA)
}
inline int atomicCAS(int* a, int c, int v) { return atomic_cas(a, c, v); }
inline unsigned atomicCAS(unsigned* a, unsigned c, unsigned v) { return atomic_cas(a, c, v); }
inline unsigned long long atomicCAS(unsigned long long* a, unsigned long long c, unsigned long long v) {
    return atomic_cas(a, c, v);
}
inline int atomicExch(int* a, int v) { return std::atomic_ref<int>(*a).exchange(v); }
inline unsigned atomicExch(unsigned* a, unsigned v) { return std::atomic_ref<unsigned>(*a).exchange(v); }
inline float atomicExch(float* a, float v) { return std::atomic_ref<float>(*a).exchange(v); }
inline unsigned long long atomicExch(unsigned long long* a, unsigned long long v) {
    return std::atomic_ref<unsigned long long>(*a).exchange(v);
}

// ---- device math. The fast intrinsics (__expf...) are approximate on a GPU; here they are
// the precise <cmath> functions, so a tolerance must cover the GPU's error, not ours. ----
inline float __fdividef(float x, float y) { return x / y; }
inline float __frcp_rn(float x) { return 1.0f / x; }
inline float __fsqrt_rn(float x) { return std::sqrt(x); }
inline float rsqrtf(float x) { return 1.0f / std::sqrt(x); }
inline double rsqrt(double x) { return 1.0 / std::sqrt(x); }
inline float __frsqrt_rn(float x) { return 1.0f / std::sqrt(x); }
inline float __fmaf_rn(float x, float y, float z) { return std::fma(x, y, z); }
inline float __fadd_rn(float x, float y) { return x + y; }
inline float __fmul_rn(float x, float y) { return x * y; }
inline float __saturatef(float x) { return x > 0.0f ? (x < 1.0f ? x : 1.0f) : 0.0f; }  // NaN -> 0
inline int __float_as_int(float x) { return std::bit_cast<int>(x); }
inline unsigned __float_as_uint(float x) { return std::bit_cast<unsigned>(x); }
inline float __int_as_float(int x) { return std::bit_cast<float>(x); }
inline float __uint_as_float(unsigned x) { return std::bit_cast<float>(x); }
inline int __popc(unsigned x) { return std::popcount(x); }
inline int __popcll(unsigned long long x) { return std::popcount(x); }
inline int __clz(int x) { return std::countl_zero(static_cast<unsigned>(x)); }
inline int __ffs(int x) { return x == 0 ? 0 : std::countr_zero(static_cast<unsigned>(x)) + 1; }
inline int min(int a, int b) { return a < b ? a : b; }
inline int max(int a, int b) { return a > b ? a : b; }
inline unsigned min(unsigned a, unsigned b) { return a < b ? a : b; }
inline unsigned max(unsigned a, unsigned b) { return a > b ? a : b; }
inline long long min(long long a, long long b) { return a < b ? a : b; }
inline long long max(long long a, long long b) { return a > b ? a : b; }
inline unsigned long long min(unsigned long long a, unsigned long long b) { return a < b ? a : b; }
inline unsigned long long max(unsigned long long a, unsigned long long b) { return a > b ? a : b; }
inline long min(long a, long b) { return a < b ? a : b; }
inline long max(long a, long b) { return a > b ? a : b; }
inline unsigned long min(unsigned long a, unsigned long b) { return a < b ? a : b; }   // std::size_t
inline unsigned long max(unsigned long a, unsigned long b) { return a > b ? a : b; }
// Mixed signedness compares as unsigned, as CUDA's overloads do.
inline unsigned min(int a, unsigned b) { return min(static_cast<unsigned>(a), b); }
inline unsigned min(unsigned a, int b) { return min(a, static_cast<unsigned>(b)); }
inline unsigned max(int a, unsigned b) { return max(static_cast<unsigned>(a), b); }
inline unsigned max(unsigned a, int b) { return max(a, static_cast<unsigned>(b)); }
inline float min(float a, float b) { return std::fmin(a, b); }
inline float max(float a, float b) { return std::fmax(a, b); }
inline double min(double a, double b) { return std::fmin(a, b); }
inline double max(double a, double b) { return std::fmax(a, b); }
inline double min(float a, double b) { return std::fmin(a, b); }
inline double min(double a, float b) { return std::fmin(a, b); }
inline double max(float a, double b) { return std::fmax(a, b); }
inline double max(double a, float b) { return std::fmax(a, b); }
template <class T>
T __ldg(const T* p) { return *p; }

// ---- the runtime API subset our host code uses ----
enum cudaError_t : int {
    cudaSuccess = 0,
    cudaErrorInvalidValue = 1,
    cudaErrorMemoryAllocation = 2,
    cudaErrorInvalidConfiguration = 9,
    cudaErrorInvalidDevicePointer = 17,
    cudaErrorInvalidMemcpyDirection = 21,
    cudaErrorNoDevice = 100,
    cudaErrorLaunchFailure = 719,
};
enum cudaMemcpyKind : int {
    cudaMemcpyHostToHost = 0,
    cudaMemcpyHostToDevice = 1,
    cudaMemcpyDeviceToHost = 2,
    cudaMemcpyDeviceToDevice = 3,
    cudaMemcpyDefault = 4,
};
enum cudaFuncAttribute : int { cudaFuncAttributeMaxDynamicSharedMemorySize = 8 };
struct SimtStream;                  // streams are accepted and ignored: every launch is synchronous
using cudaStream_t = SimtStream*;

struct cudaDeviceProp {
    char name[256];
    std::size_t totalGlobalMem;
    std::size_t sharedMemPerBlock;
    std::size_t sharedMemPerBlockOptin;
    int regsPerBlock;
    int warpSize;
    int maxThreadsPerBlock;
    int maxThreadsDim[3];
    int maxGridSize[3];
    int multiProcessorCount;
    int maxThreadsPerMultiProcessor;
    int major;
    int minor;
};

const char* cudaGetErrorString(cudaError_t error);
const char* cudaGetErrorName(cudaError_t error);
cudaError_t cudaGetLastError();
cudaError_t cudaPeekAtLastError();
cudaError_t cudaGetDeviceCount(int* count);
cudaError_t cudaSetDevice(int device);
cudaError_t cudaGetDevice(int* device);
cudaError_t cudaGetDeviceProperties(cudaDeviceProp* prop, int device);
cudaError_t cudaMalloc(void** ptr, std::size_t bytes);
cudaError_t cudaFree(void* ptr);
cudaError_t cudaMemcpy(void* dst, const void* src, std::size_t bytes, cudaMemcpyKind kind);
cudaError_t cudaMemset(void* ptr, int value, std::size_t bytes);
cudaError_t cudaDeviceSynchronize();
inline cudaError_t cudaMemcpyAsync(void* dst, const void* src, std::size_t bytes, cudaMemcpyKind kind,
                                   cudaStream_t = nullptr) {
    return cudaMemcpy(dst, src, bytes, kind);
}
inline cudaError_t cudaMemsetAsync(void* ptr, int value, std::size_t bytes, cudaStream_t = nullptr) {
    return cudaMemset(ptr, value, bytes);
}
inline cudaError_t cudaStreamSynchronize(cudaStream_t) { return cudaDeviceSynchronize(); }
inline cudaError_t cudaStreamCreate(cudaStream_t* stream) {
    *stream = nullptr;
    return cudaSuccess;
}
inline cudaError_t cudaStreamDestroy(cudaStream_t) { return cudaSuccess; }
template <class T>
cudaError_t cudaMalloc(T** ptr, std::size_t bytes) {
    return cudaMalloc(reinterpret_cast<void**>(ptr), bytes);
}
template <class... Params>
cudaError_t cudaFuncSetAttribute(void (*kernel)(Params...), cudaFuncAttribute attr, int value) {
    if (attr != cudaFuncAttributeMaxDynamicSharedMemorySize) return cudaErrorInvalidValue;
    detail::set_max_dynamic_shared(reinterpret_cast<void (*)()>(kernel), value);
    return cudaSuccess;
}

}  // namespace ladder::simt::shim

// ---- into the global namespace, where CUDA code expects them ----
using ladder::simt::shim::uint3;
using ladder::simt::shim::dim3;
using ladder::simt::shim::float2;
using ladder::simt::shim::float3;
using ladder::simt::shim::float4;
using ladder::simt::shim::int2;
using ladder::simt::shim::int3;
using ladder::simt::shim::int4;
using ladder::simt::shim::uint2;
using ladder::simt::shim::uint4;
using ladder::simt::shim::double2;
using ladder::simt::shim::make_float2;
using ladder::simt::shim::make_float3;
using ladder::simt::shim::make_float4;
using ladder::simt::shim::make_int2;
using ladder::simt::shim::make_int3;
using ladder::simt::shim::make_int4;
using ladder::simt::shim::make_uint2;
using ladder::simt::shim::make_uint3;
using ladder::simt::shim::make_uint4;
using ladder::simt::shim::make_double2;
using ladder::simt::shim::threadIdx;
using ladder::simt::shim::blockIdx;
using ladder::simt::shim::blockDim;
using ladder::simt::shim::gridDim;
using ladder::simt::shim::warpSize;
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
using ladder::simt::shim::atomicAdd;
using ladder::simt::shim::atomicSub;
using ladder::simt::shim::atomicMax;
using ladder::simt::shim::atomicMin;
using ladder::simt::shim::atomicAnd;
using ladder::simt::shim::atomicOr;
using ladder::simt::shim::atomicXor;
using ladder::simt::shim::atomicCAS;
using ladder::simt::shim::atomicExch;
using ladder::simt::shim::__fdividef;
using ladder::simt::shim::__frcp_rn;
using ladder::simt::shim::__fsqrt_rn;
using ladder::simt::shim::rsqrtf;
using ladder::simt::shim::rsqrt;
using ladder::simt::shim::__frsqrt_rn;
using ladder::simt::shim::__fmaf_rn;
using ladder::simt::shim::__fadd_rn;
using ladder::simt::shim::__fmul_rn;
using ladder::simt::shim::__saturatef;
using ladder::simt::shim::__float_as_int;
using ladder::simt::shim::__float_as_uint;
using ladder::simt::shim::__int_as_float;
using ladder::simt::shim::__uint_as_float;
using ladder::simt::shim::__popc;
using ladder::simt::shim::__popcll;
using ladder::simt::shim::__clz;
using ladder::simt::shim::__ffs;
using ladder::simt::shim::min;
using ladder::simt::shim::max;
using ladder::simt::shim::__ldg;
using ladder::simt::shim::cudaError_t;
using ladder::simt::shim::cudaSuccess;
using ladder::simt::shim::cudaErrorInvalidValue;
using ladder::simt::shim::cudaErrorMemoryAllocation;
using ladder::simt::shim::cudaErrorInvalidConfiguration;
using ladder::simt::shim::cudaErrorInvalidDevicePointer;
using ladder::simt::shim::cudaErrorInvalidMemcpyDirection;
using ladder::simt::shim::cudaErrorNoDevice;
using ladder::simt::shim::cudaErrorLaunchFailure;
using ladder::simt::shim::cudaMemcpyKind;
using ladder::simt::shim::cudaMemcpyHostToHost;
using ladder::simt::shim::cudaMemcpyHostToDevice;
using ladder::simt::shim::cudaMemcpyDeviceToHost;
using ladder::simt::shim::cudaMemcpyDeviceToDevice;
using ladder::simt::shim::cudaMemcpyDefault;
using ladder::simt::shim::cudaFuncAttribute;
using ladder::simt::shim::cudaFuncAttributeMaxDynamicSharedMemorySize;
using ladder::simt::shim::cudaStream_t;
using ladder::simt::shim::cudaDeviceProp;
using ladder::simt::shim::cudaGetErrorString;
using ladder::simt::shim::cudaGetErrorName;
using ladder::simt::shim::cudaGetLastError;
using ladder::simt::shim::cudaPeekAtLastError;
using ladder::simt::shim::cudaGetDeviceCount;
using ladder::simt::shim::cudaSetDevice;
using ladder::simt::shim::cudaGetDevice;
using ladder::simt::shim::cudaGetDeviceProperties;
using ladder::simt::shim::cudaMalloc;
using ladder::simt::shim::cudaFree;
using ladder::simt::shim::cudaMemcpy;
using ladder::simt::shim::cudaMemcpyAsync;
using ladder::simt::shim::cudaMemset;
using ladder::simt::shim::cudaMemsetAsync;
using ladder::simt::shim::cudaDeviceSynchronize;
using ladder::simt::shim::cudaStreamSynchronize;
using ladder::simt::shim::cudaStreamCreate;
using ladder::simt::shim::cudaStreamDestroy;
using ladder::simt::shim::cudaFuncSetAttribute;

// glibc's <math.h> declares (and does not define) __expf, __logf... as extern "C" functions in
// the global namespace, so ours must be those very functions: inline definitions of them.
extern "C" inline float __expf(float x) noexcept { return __builtin_expf(x); }
extern "C" inline float __logf(float x) noexcept { return __builtin_logf(x); }
extern "C" inline float __powf(float x, float y) noexcept { return __builtin_powf(x, y); }
extern "C" inline float __sinf(float x) noexcept { return __builtin_sinf(x); }
extern "C" inline float __cosf(float x) noexcept { return __builtin_cosf(x); }
extern "C" inline float __tanhf(float x) noexcept { return __builtin_tanhf(x); }

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
