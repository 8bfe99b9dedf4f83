// histogram.hpp: counts (bins) int32 = how often each id occurs in ids (n) int32; ids
// outside [0, bins) are skipped. Counting the words of a corpus is exactly this, once the
// words are numbered. Introduced in ch02 (bag of words).
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/backend.hpp"
#include "core/tensor.hpp"

namespace ladder {

// ---- CPU ----
// The reference: one pass, one increment per id. (A scatter: an xtensor expression would
// not make it any clearer, so it is a loop.) counts is overwritten.
void histogram_cpu(std::int32_t* counts, const std::int32_t* ids, std::size_t n, std::size_t bins);

// ---- GPU (histogram.cu): v1 global atomics, v2 shared-memory privatised ----
inline constexpr int histogram_gpu_versions = 2;
inline constexpr int histogram_gpu_default = 2;
#define LADDER_HISTOGRAM_GPU_API                                                                                       \
    void histogram(int version, std::int32_t* counts, const std::int32_t* ids, std::size_t n, std::size_t bins);
namespace simt { LADDER_HISTOGRAM_GPU_API }
namespace cuda { LADDER_HISTOGRAM_GPU_API }
#undef LADDER_HISTOGRAM_GPU_API

// ---- on Tensors ----
// counts (bins) int32 = histogram of ids (n) int32, on the backend's device.
void histogram(const Backend& be, Tensor& counts, const Tensor& ids);

}  // namespace ladder
