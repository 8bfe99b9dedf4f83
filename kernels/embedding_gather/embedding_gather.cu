// embedding_gather.cu: out (B,D) = table (V,D) [ids (B)], and the scatter-add backward
// table[ids[b]] += scale * rows[b]. Introduced in ch03; the same file runs on the emulator.
//
// gather v1       one thread per output element; a warp reads 32 consecutive floats of a row  (coalesced)
// scatter_add v1  one thread per element of rows, atomicAdd: repeated ids add up correctly     (baseline)
#include "core/kernel.hpp"
#if defined(__CUDACC__)
#include <math_constants.h>   // CUDART_NAN_F, CUDART_INF_F (the emulator's shim defines them too)
#endif
#include "kernels/embedding_gather/embedding_gather.hpp"

namespace ladder::LADDER_GPU_NS {

// ---- kernels ----

// [book:gather-v1]
static __global__ void gather_v1_kernel(float* out, const float* table, const std::int32_t* ids, std::size_t B,
                                        std::size_t V, std::size_t D) {
    const std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;   // element of out
    if (i >= B * D) return;
    const std::size_t b = i / D, d = i % D;
    const std::int32_t id = ids[b];
    // An id outside the table gives NaN rather than a read out of bounds.
    out[i] = (id >= 0 && static_cast<std::size_t>(id) < V) ? table[static_cast<std::size_t>(id) * D + d] : CUDART_NAN_F;
}
// [/book]

// [book:scatter-add-v1]
// Two threads may add into the same table element (a word that occurs twice in the batch):
// atomicAdd makes each read-modify-write indivisible, so no addition is lost. The order of
// the additions is not fixed, so float sums may differ in the last bits from run to run.
static __global__ void scatter_add_v1_kernel(float* table, const float* rows, const std::int32_t* ids, std::size_t B,
                                             std::size_t V, std::size_t D, float scale) {
    const std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;   // element of rows
    if (i >= B * D) return;
    const std::size_t b = i / D, d = i % D;
    const std::int32_t id = ids[b];
    if (id < 0 || static_cast<std::size_t>(id) >= V) return;   // padding
    atomicAdd(table + static_cast<std::size_t>(id) * D + d, scale * rows[i]);
}
// [/book]

// ---- launchers ----

void embedding_gather(int version, float* out, const float* table, const std::int32_t* ids, std::size_t B,
                      std::size_t V, std::size_t D) {
    if (B * D == 0) return;
    if (version != 1) LADDER_NO_SUCH_VERSION("embedding_gather", version, embedding_gather_gpu_versions);
    constexpr unsigned threads = 256;
    launch(gather_v1_kernel, dim3(ceil_div(B * D, threads)), dim3(threads), 0, 0, out, table, ids, B, V, D);
}

void embedding_scatter_add(int version, float* table, const float* rows, const std::int32_t* ids, std::size_t B,
                           std::size_t V, std::size_t D, float scale) {
    if (B * D == 0) return;
    if (version != 1) LADDER_NO_SUCH_VERSION("embedding_scatter_add", version, embedding_scatter_add_gpu_versions);
    constexpr unsigned threads = 256;
    launch(scatter_add_v1_kernel, dim3(ceil_div(B * D, threads)), dim3(threads), 0, 0, table, rows, ids, B, V, D, scale);
}

}  // namespace ladder::LADDER_GPU_NS
