// simt_atomics.hpp: the CUDA shim's atomics (atomicAdd, atomicCAS, atomicMax...) as real
// std::atomic_ref operations. Part of the SIMT emulator (ch01), included through simt.hpp.
#pragma once

#include <atomic>

namespace ladder::simt::detail {
// Set by float/double atomicAdd: their sums depend on the order of the additions, which the
// race check must then tolerate.
inline thread_local bool float_atomics_used = false;
inline thread_local bool double_atomics_used = false;
}  // namespace ladder::simt::detail

namespace ladder::simt::shim {

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

}  // namespace ladder::simt::shim

// ---- into the global namespace, where CUDA code expects them ----
using ladder::simt::shim::atomicAdd;
using ladder::simt::shim::atomicSub;
using ladder::simt::shim::atomicMax;
using ladder::simt::shim::atomicMin;
using ladder::simt::shim::atomicAnd;
using ladder::simt::shim::atomicOr;
using ladder::simt::shim::atomicXor;
using ladder::simt::shim::atomicCAS;
using ladder::simt::shim::atomicExch;
