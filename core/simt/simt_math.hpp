// simt_math.hpp: the CUDA shim's device math: CUDART_* constants, the fast intrinsics
// (__expf, __fdividef...), bit tricks (__popc, __clz), min/max, __ldg. Part of the SIMT
// emulator (ch01), included through simt.hpp.
#pragma once

#include <bit>
#include <cmath>
#include <math.h>

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

namespace ladder::simt::shim {

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

}  // namespace ladder::simt::shim

// ---- into the global namespace, where CUDA code expects them ----
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

// glibc's <math.h> declares (and does not define) __expf, __logf... as extern "C" functions in
// the global namespace, so ours must be those very functions: inline definitions of them.
extern "C" inline float __expf(float x) noexcept { return __builtin_expf(x); }
extern "C" inline float __logf(float x) noexcept { return __builtin_logf(x); }
extern "C" inline float __powf(float x, float y) noexcept { return __builtin_powf(x, y); }
extern "C" inline float __sinf(float x) noexcept { return __builtin_sinf(x); }
extern "C" inline float __cosf(float x) noexcept { return __builtin_cosf(x); }
extern "C" inline float __tanhf(float x) noexcept { return __builtin_tanhf(x); }
