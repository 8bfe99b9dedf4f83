// spmm.cu: sparse (CSR) A times dense B on the GPU, and A^T B accumulated; versions v1..v2.
// C (R,N) = alpha A B + beta C, or C (K,N) += alpha A^T B (see spmm.hpp for the shapes).
// Introduced in ch02 (the classifiers' logits and SGD steps); runs on the emulator too.
//
// v1  one thread per output C[i][j] (A^T: per B[i][j], atomicAdd    (baseline; each thread re-reads row i's
//     into C[k][j] for each entry a_ik)                              col/val from memory)
// v2  one warp per row of A: the warp loads 32 (col, val) pairs at   (one coalesced load of the row, shared
//     once and broadcasts them with __shfl_sync; lanes own columns j  by shuffles; B rows read coalesced)
#include <cstdint>

#include "core/kernel.hpp"
#include "kernels/spmm/spmm.hpp"

namespace ladder::LADDER_GPU_NS {

// ---- kernels ----

// beta == 0 must not read C: it may hold garbage or NaN, and NaN * 0 is NaN.
__device__ __forceinline__ void store_c(float* c_ij, float acc, const SpmmDims& d) {
    *c_ij = d.beta == 0.0f ? d.alpha * acc : d.alpha * acc + d.beta * *c_ij;
}

// [book:spmm-v1]
// v1: thread t owns element (i, j) = (t / N, t % N). Forward: a dot product of row i of A
// (sparse) with column j of B. Transposed: entry a_ik of row i sends alpha a_ik B[i][j] to
// C[k][j]; rows i share columns k, so the additions are atomic.
static __global__ void spmm_v1_kernel(float* c, const std::int32_t* row_ptr, const std::int32_t* col,
                                      const float* val, const float* b, SpmmDims d) {
    const std::size_t t = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (t >= d.R * d.N) return;
    const std::size_t i = t / d.N, j = t % d.N;
    if (!d.ta) {
        float acc = 0.0f;
        for (std::int32_t p = row_ptr[i]; p < row_ptr[i + 1]; ++p) acc += val[p] * b[col[p] * d.N + j];
        store_c(c + i * d.N + j, acc, d);
    } else {
        const float b_ij = d.alpha * b[i * d.N + j];
        for (std::int32_t p = row_ptr[i]; p < row_ptr[i + 1]; ++p) atomicAdd(&c[col[p] * d.N + j], val[p] * b_ij);
    }
}
// [/book]

// [book:spmm-v2]
// v2: warp w owns row w of A. The row's entries are read 32 at a time, one per lane (a
// coalesced load), then handed round the warp with __shfl_sync: at step s every lane
// holds entry s, and lane l works on columns j = l, l + 32, ... of B and C.
static __global__ void spmm_v2_kernel(float* c, const std::int32_t* row_ptr, const std::int32_t* col,
                                      const float* val, const float* b, SpmmDims d) {
    const std::size_t i = (static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x) / 32;
    const int lane = threadIdx.x % 32;
    if (i >= d.R) return;   // whole warps leave together
    const std::int32_t begin = row_ptr[i], end = row_ptr[i + 1];
    for (std::size_t j0 = 0; j0 < d.N; j0 += 32) {
        const std::size_t j = j0 + lane;
        const bool has_j = j < d.N;
        float acc = 0.0f;
        const float b_ij = d.ta && has_j ? d.alpha * b[i * d.N + j] : 0.0f;
        for (std::int32_t p0 = begin; p0 < end; p0 += 32) {
            const std::int32_t my_col = p0 + lane < end ? col[p0 + lane] : 0;
            const float my_val = p0 + lane < end ? val[p0 + lane] : 0.0f;
            const int steps = end - p0 < 32 ? end - p0 : 32;
            for (int s = 0; s < steps; ++s) {
                const std::int32_t k = __shfl_sync(0xffffffffu, my_col, s);
                const float a_ik = __shfl_sync(0xffffffffu, my_val, s);
                if (!has_j) continue;
                if (!d.ta) acc += a_ik * b[k * d.N + j];
                else atomicAdd(&c[k * d.N + j], a_ik * b_ij);
            }
        }
        if (!d.ta && has_j) store_c(c + i * d.N + j, acc, d);
    }
}
// [/book]

// ---- launchers ----

void spmm(int version, float* c, const std::int32_t* row_ptr, const std::int32_t* col, const float* val, const float* b,
          const SpmmDims& d) {
    if (d.N == 0) return;
    if (!d.ta && d.R == 0) return;
    if (d.ta && (d.R == 0 || d.K == 0)) return;   // nothing to add
    constexpr unsigned threads = 256;
    switch (version) {
        case 1:
            launch(spmm_v1_kernel, dim3(ceil_div(d.R * d.N, threads)), dim3(threads), 0, 0, c, row_ptr, col, val, b, d);
            return;
        case 2:
            launch(spmm_v2_kernel, dim3(ceil_div(d.R * 32, threads)), dim3(threads), 0, 0, c, row_ptr, col, val, b, d);
            return;
        default:
            LADDER_NO_SUCH_VERSION("spmm", version, spmm_gpu_versions);
    }
}

}  // namespace ladder::LADDER_GPU_NS
