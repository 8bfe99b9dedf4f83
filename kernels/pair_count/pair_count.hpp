// pair_count.hpp: count each adjacent pair of token ids: BPE training's inner loop.
// tokens (n), ids in [0, 65535) or -1 (a word boundary: pairs never cross it) ->
// a hash table keys (capacity), counts (capacity). Introduced in ch04.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/backend.hpp"
#include "core/tensor.hpp"

namespace ladder {

// The table: open addressing with linear probing, `capacity` a power of two, at least
// twice the number of distinct pairs. A slot holds key = left << 16 | right (as uint32
// bits in an int32) and its count; an empty slot holds key -1 (0xFFFFFFFF) and count 0.
// Slot order depends on insertion order, so results are compared in key order.
inline constexpr std::uint32_t kPairEmpty = 0xFFFFFFFFu;
#ifndef LADDER_HOST_DEVICE
#if defined(__CUDACC__)
#define LADDER_HOST_DEVICE __host__ __device__   // callable from kernels and from the CPU reference
#else
#define LADDER_HOST_DEVICE
#endif
#endif
LADDER_HOST_DEVICE inline std::uint32_t pair_count_key(std::int32_t left, std::int32_t right) {
    return (static_cast<std::uint32_t>(left) << 16) | static_cast<std::uint32_t>(right);
}
// The home slot of a key (Knuth's multiplicative hash; the same on CPU and GPU).
LADDER_HOST_DEVICE inline std::uint32_t pair_count_slot(std::uint32_t key, std::uint32_t mask) { return (key * 2654435761u >> 7) & mask; }

// ---- CPU ----
// pair_counts([1,2,3,1,2]) -> {(1,2):2, (2,3):1, (3,1):1}
void pair_count_cpu(std::int32_t* keys, std::int32_t* counts, std::size_t capacity, const std::int32_t* tokens, std::size_t n);
// Puts a table in a canonical order: used slots sorted by key, then the empty ones.
void pair_count_canonical(std::int32_t* keys, std::int32_t* counts, std::size_t capacity);

// ---- GPU (pair_count.cu) ----
// v1 one thread per position, atomicCAS into the table in global memory
// v2 block-privatised: each block counts its tile in a shared-memory table, then adds
//    each distinct pair to the global table once
inline constexpr int pair_count_gpu_versions = 2;
inline constexpr int pair_count_gpu_default = 2;
#define LADDER_PAIR_COUNT_GPU_API                                                                                      \
    void pair_count(int version, std::int32_t* keys, std::int32_t* counts, std::size_t capacity,                       \
                    const std::int32_t* tokens, std::size_t n);
namespace simt { LADDER_PAIR_COUNT_GPU_API }
namespace cuda { LADDER_PAIR_COUNT_GPU_API }
#undef LADDER_PAIR_COUNT_GPU_API

// ---- on Tensors ----
// keys, counts (capacity) int32 = the table of tokens (n) int32; capacity (the length of
// keys and counts) a power of two. Slot order varies between runs on a GPU: put a table in
// key order with pair_count_canonical before comparing.
void pair_count(const Backend& be, Tensor& keys, Tensor& counts, const Tensor& tokens);

}  // namespace ladder
