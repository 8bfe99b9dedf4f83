// Exercise 4.5: count adjacent pairs on the GPU into a hash table in global memory
// (book: "Counting pairs on a GPU"). keys, counts (capacity); tokens (n), -1 = boundary.
// Runs on the SIMT emulator (and a GPU if you have one). Introduced in ch04.
#include "core/kernel.hpp"
#include "exercises/ch04_tokenization/exercises.hpp"
#include "kernels/pair_count/pair_count.hpp"

namespace ladder::LADDER_GPU_NS::ex04 {

// The table (kernels/pair_count/pair_count.hpp): slot s holds keys[s] = left << 16 |
// right (pair_count_key) and counts[s]; an empty slot holds kPairEmpty (-1) and 0. A key
// starts at slot pair_count_slot(key, capacity - 1) and moves to the next slot
// ((s + 1) & mask) while the slot holds another key.
// Hint: many threads insert at once. atomicCAS(&keys[s], kPairEmpty, key) claims an
// empty slot and returns what was there before: kPairEmpty (you claimed it) or key
// (someone else did) both mean "count here" -- with atomicAdd. Cast keys to unsigned*.
static __global__ void clear_table(std::int32_t* keys, std::int32_t* counts, std::size_t capacity) {
    // TODO(ex4.5): one thread per slot: keys = -1, counts = 0.
}

static __global__ void count_pairs_kernel(unsigned* keys, std::int32_t* counts, unsigned mask, const std::int32_t* tokens,
                                          std::size_t n) {
    // TODO(ex4.5): thread i looks at (tokens[i], tokens[i + 1]): skip the last position and
    // pairs with a -1, then insert as described above.
}

void pair_count_kernel(std::int32_t* keys, std::int32_t* counts, std::size_t capacity, const std::int32_t* tokens,
                       std::size_t n) {
    // TODO(ex4.5): launch clear_table over the capacity, then (if n >= 2) count_pairs_kernel
    // over the n - 1 positions, e.g.
    //   launch(count_pairs_kernel, dim3(ceil_div(n - 1, 256)), dim3(256), 0, 0,
    //          reinterpret_cast<unsigned*>(keys), counts, unsigned(capacity - 1), tokens, n);
    // and delete the throw below.
    throw NotImplemented("exercise 4.5: pair_count_kernel (exercises/ch04_tokenization/pair_count_kernel.cu)");
}

}  // namespace ladder::LADDER_GPU_NS::ex04
