// pair_count.cu: count adjacent pairs of token ids into a hash table, versions v1..v2.
// tokens (n) -> keys, counts (capacity); -1 in tokens marks a word boundary. Introduced
// in ch04: the counting step of BPE training.
//
// v1  one thread per position; insert into the global table with atomicCAS (claim an
//     empty slot or find the key), then atomicAdd its count              (baseline)
// v2  block-privatised: a block counts its tile of 2048 positions in a table in shared
//     memory, then adds each distinct pair to the global table once: real text repeats
//     pairs ("th", "he"), so most atomics stay on-chip          (fewer global atomics)
// Which slot a pair lands in depends on which thread gets there first, so the emulator's
// race check (LADDER_SIMT_RACE_CHECK=1) rightly reports that forward and reverse thread
// orders write different tables; the contents are the same, which is why the registry
// compares tables in key order (canonicalize).
#include <cstdint>

#include "core/kernel.hpp"
#include "kernels/pair_count/pair_count.hpp"

namespace ladder::LADDER_GPU_NS {

namespace {
constexpr unsigned kThreads = 256;
constexpr unsigned kItems = 8;                   // positions per thread in v2
constexpr unsigned kSharedSlots = 1024;          // v2's table per block (8 KiB)
constexpr unsigned kMaxSharedProbes = 32;        // then give up and go to global memory
}  // namespace

// ---- kernels ----

static __global__ void clear_kernel(std::int32_t* keys, std::int32_t* counts, std::size_t capacity) {
    const std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i < capacity) {
        keys[i] = static_cast<std::int32_t>(kPairEmpty);
        counts[i] = 0;
    }
}

// [book:pair-count-insert]
// Adds `amount` to `key`'s count. atomicCAS writes `key` into the slot only if the slot
// is still empty and returns what was there: empty (we claimed it) or our key (another
// thread did) both mean "this is the slot"; anything else is a collision: try the next.
static __device__ void table_add(std::uint32_t* keys, std::int32_t* counts, std::uint32_t mask, std::uint32_t key, std::int32_t amount) {
    std::uint32_t slot = pair_count_slot(key, mask);
    for (;;) {
        const std::uint32_t was = atomicCAS(&keys[slot], kPairEmpty, key);
        if (was == kPairEmpty || was == key) {
            atomicAdd(&counts[slot], amount);
            return;
        }
        slot = (slot + 1) & mask;
    }
}
// [/book]

// [book:pair-count-v1]
static __global__ void pair_count_v1_kernel(std::uint32_t* keys, std::int32_t* counts, std::uint32_t mask,
                                            const std::int32_t* tokens, std::size_t n) {
    const std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i + 1 >= n) return;
    const std::int32_t a = tokens[i], b = tokens[i + 1];
    if (a < 0 || b < 0) return;                     // a pair never crosses a word boundary
    table_add(keys, counts, mask, pair_count_key(a, b), 1);
}
// [/book]

// [book:pair-count-v2]
static __global__ void pair_count_v2_kernel(std::uint32_t* keys, std::int32_t* counts, std::uint32_t mask,
                                            const std::int32_t* tokens, std::size_t n) {
    __shared__ std::uint32_t s_keys[kSharedSlots];
    __shared__ std::int32_t s_counts[kSharedSlots];
    for (unsigned s = threadIdx.x; s < kSharedSlots; s += blockDim.x) {
        s_keys[s] = kPairEmpty;
        s_counts[s] = 0;
    }
    __syncthreads();
    const std::size_t tile = static_cast<std::size_t>(blockIdx.x) * kThreads * kItems;
    for (unsigned k = 0; k < kItems; ++k) {
        const std::size_t i = tile + k * kThreads + threadIdx.x;   // consecutive threads, consecutive positions
        if (i + 1 >= n) break;
        const std::int32_t a = tokens[i], b = tokens[i + 1];
        if (a < 0 || b < 0) continue;
        const std::uint32_t key = pair_count_key(a, b);
        // The same probing in shared memory, but only so far: a tile with more distinct
        // pairs than the small table holds sends the rest straight to global memory.
        std::uint32_t slot = pair_count_slot(key, kSharedSlots - 1);
        bool done = false;
        for (unsigned probe = 0; probe < kMaxSharedProbes && !done; ++probe, slot = (slot + 1) & (kSharedSlots - 1)) {
            const std::uint32_t was = atomicCAS(&s_keys[slot], kPairEmpty, key);
            if (was == kPairEmpty || was == key) {
                atomicAdd(&s_counts[slot], 1);
                done = true;
            }
        }
        if (!done) table_add(keys, counts, mask, key, 1);
    }
    __syncthreads();
    for (unsigned s = threadIdx.x; s < kSharedSlots; s += blockDim.x)   // flush: one add per distinct pair
        if (s_keys[s] != kPairEmpty) table_add(keys, counts, mask, s_keys[s], s_counts[s]);
}
// [/book]

// ---- launchers ----

void pair_count(int version, std::int32_t* keys, std::int32_t* counts, std::size_t capacity, const std::int32_t* tokens,
                std::size_t n) {
    if (capacity == 0 || (capacity & (capacity - 1)) != 0)
        throw_error(__FILE__, __LINE__, "pair_count: capacity " + std::to_string(capacity) + " is not a power of two");
    launch(clear_kernel, dim3(ceil_div(capacity, kThreads)), dim3(kThreads), 0, 0, keys, counts, capacity);
    if (n < 2) return;
    auto* ukeys = reinterpret_cast<std::uint32_t*>(keys);
    const auto mask = static_cast<std::uint32_t>(capacity - 1);
    switch (version) {
        case 1:
            launch(pair_count_v1_kernel, dim3(ceil_div(n - 1, kThreads)), dim3(kThreads), 0, 0, ukeys, counts, mask, tokens, n);
            return;
        case 2:
            launch(pair_count_v2_kernel, dim3(ceil_div(n - 1, kThreads * kItems)), dim3(kThreads), 0, 0, ukeys, counts, mask,
                   tokens, n);
            return;
        default: LADDER_NO_SUCH_VERSION("pair_count", version, pair_count_gpu_versions);
    }
}

}  // namespace ladder::LADDER_GPU_NS
