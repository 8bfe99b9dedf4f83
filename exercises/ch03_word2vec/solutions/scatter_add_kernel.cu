// Solution to exercise 3.4: one thread per element, atomicAdd.
#include "core/kernel.hpp"
#include "exercises/ch03_word2vec/exercises.hpp"

namespace ladder::LADDER_GPU_NS::ex03 {

static __global__ void scatter_add_ex_kernel(float* table, const float* rows, const std::int32_t* ids, std::size_t B,
                                             std::size_t V, std::size_t D, float scale) {
    const std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i >= B * D) return;
    const std::int32_t id = ids[i / D];
    if (id < 0 || static_cast<std::size_t>(id) >= V) return;
    atomicAdd(table + static_cast<std::size_t>(id) * D + i % D, scale * rows[i]);
}

void scatter_add_kernel(float* table, const float* rows, const std::int32_t* ids, std::size_t B, std::size_t V,
                        std::size_t D, float scale) {
    if (B * D == 0) return;
    launch(scatter_add_ex_kernel, dim3(ceil_div(B * D, 256)), dim3(256), 0, 0, table, rows, ids, B, V, D, scale);
}

}  // namespace ladder::LADDER_GPU_NS::ex03
