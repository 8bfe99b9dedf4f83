// tfidf.cu: TF-IDF + row L2 normalisation of a CSR matrix on the GPU, versions v1..v2.
// row_ptr (R+1), col (nnz) int32, counts (nnz), idf (V) -> out (nnz) (see tfidf.hpp).
// Introduced in ch02 (bag of words); the same file runs on the SIMT emulator.
//
// v1  one thread per row: a pass for the norm, a pass to write        (baseline; a long row is one thread's work)
// v2  one warp per row: lanes take every 32nd entry, the sum of        (32 lanes share a row; reads coalesced
//     squares is reduced with __shfl_xor_sync                          within the row)
#include <cstdint>

#include "core/kernel.hpp"
#include "kernels/tfidf/tfidf.hpp"

namespace ladder::LADDER_GPU_NS {

// ---- kernels ----

// [book:tfidf-v1]
static __global__ void tfidf_v1_kernel(float* out, const std::int32_t* row_ptr, const std::int32_t* col,
                                       const float* counts, const float* idf, std::size_t rows) {
    const std::size_t r = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (r >= rows) return;
    const std::int32_t begin = row_ptr[r], end = row_ptr[r + 1];
    float sum_sq = 0.0f;
    for (std::int32_t j = begin; j < end; ++j) {
        const float w = counts[j] * idf[col[j]];
        sum_sq += w * w;
    }
    const float norm = sqrtf(sum_sq);
    for (std::int32_t j = begin; j < end; ++j) {
        const float w = counts[j] * idf[col[j]];
        out[j] = norm > 0.0f ? w / norm : 0.0f;
    }
}
// [/book]

// [book:tfidf-v2]
// v2: warp w of the grid owns row w. Lane l handles entries begin + l, begin + l + 32, ...;
// five butterfly shuffles add up the 32 partial sums so that every lane holds the total.
static __global__ void tfidf_v2_kernel(float* out, const std::int32_t* row_ptr, const std::int32_t* col,
                                       const float* counts, const float* idf, std::size_t rows) {
    const std::size_t r = (static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x) / 32;
    const int lane = threadIdx.x % 32;
    if (r >= rows) return;   // whole warps leave together (rows are per warp)
    const std::int32_t begin = row_ptr[r], end = row_ptr[r + 1];
    float sum_sq = 0.0f;
    for (std::int32_t j = begin + lane; j < end; j += 32) {
        const float w = counts[j] * idf[col[j]];
        sum_sq += w * w;
    }
    for (int offset = 16; offset > 0; offset /= 2) sum_sq += __shfl_xor_sync(0xffffffffu, sum_sq, offset);
    const float norm = sqrtf(sum_sq);
    for (std::int32_t j = begin + lane; j < end; j += 32) {
        const float w = counts[j] * idf[col[j]];
        out[j] = norm > 0.0f ? w / norm : 0.0f;
    }
}
// [/book]

// ---- launchers ----

void tfidf(int version, float* out, const std::int32_t* row_ptr, const std::int32_t* col, const float* counts,
           const float* idf, std::size_t rows) {
    if (rows == 0) return;
    constexpr unsigned threads = 256;
    switch (version) {
        case 1:
            launch(tfidf_v1_kernel, dim3(ceil_div(rows, threads)), dim3(threads), 0, 0, out, row_ptr, col, counts, idf, rows);
            return;
        case 2:
            launch(tfidf_v2_kernel, dim3(ceil_div(rows * 32, threads)), dim3(threads), 0, 0, out, row_ptr, col, counts,
                   idf, rows);
            return;
        default:
            LADDER_NO_SUCH_VERSION("tfidf", version, tfidf_gpu_versions);
    }
}

}  // namespace ladder::LADDER_GPU_NS
