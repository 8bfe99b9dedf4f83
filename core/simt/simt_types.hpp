// simt_types.hpp: the CUDA shim's qualifiers, dim3 and vector types, and the built-in
// variables (threadIdx, blockIdx, blockDim, gridDim, warpSize, dynamic shared memory).
// Part of the SIMT emulator (ch01), included through simt.hpp (via core/kernel.hpp).
#pragma once

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

namespace ladder::simt::detail {
// The dynamic shared buffer of the block running on this worker.
inline thread_local void* dynamic_shared_base = nullptr;
}  // namespace ladder::simt::detail

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
