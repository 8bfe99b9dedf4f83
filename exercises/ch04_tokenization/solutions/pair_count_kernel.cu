// Solution to exercise 4.5: pair counting with atomicCAS into a global hash table.
#include "core/kernel.hpp"
#include "exercises/ch04_tokenization/exercises.hpp"
#include "kernels/pair_count/pair_count.hpp"

namespace ladder::LADDER_GPU_NS::ex04 {

static __global__ void clear_table(std::int32_t* keys, std::int32_t* counts, std::size_t capacity) {
    const std::size_t s = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (s < capacity) {
        keys[s] = -1;
        counts[s] = 0;
    }
}

static __global__ void count_pairs_kernel(unsigned* keys, std::int32_t* counts, unsigned mask, const std::int32_t* tokens,
                                          std::size_t n) {
    const std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i + 1 >= n || tokens[i] < 0 || tokens[i + 1] < 0) return;
    const unsigned key = pair_count_key(tokens[i], tokens[i + 1]);
    for (unsigned s = pair_count_slot(key, mask);; s = (s + 1) & mask) {
        const unsigned was = atomicCAS(&keys[s], kPairEmpty, key);
        if (was == kPairEmpty || was == key) {
            atomicAdd(&counts[s], 1);
            return;
        }
    }
}

void pair_count_kernel(std::int32_t* keys, std::int32_t* counts, std::size_t capacity, const std::int32_t* tokens,
                       std::size_t n) {
    launch(clear_table, dim3(ceil_div(capacity, 256)), dim3(256), 0, 0, keys, counts, capacity);
    if (n < 2) return;
    launch(count_pairs_kernel, dim3(ceil_div(n - 1, 256)), dim3(256), 0, 0, reinterpret_cast<unsigned*>(keys), counts,
           static_cast<unsigned>(capacity - 1), tokens, n);
}

}  // namespace ladder::LADDER_GPU_NS::ex04
