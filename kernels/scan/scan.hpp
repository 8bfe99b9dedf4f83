// scan.hpp: exclusive prefix sum of int32: out[i] = in[0] + ... + in[i-1], out[0] = 0.
// in (n) -> out (n). The primitive behind stream compaction (bpe_merge), radix sort and
// histograms on a GPU. Introduced in ch04 (tokenization), in three versions.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/backend.hpp"
#include "core/tensor.hpp"

namespace ladder {

// ---- CPU ----
template <class T>
void scan_exclusive_cpu(T* out, const T* in, std::size_t n);

// ---- GPU (scan.cu) ----
// v1 Hillis-Steele block scan (log n steps, n log n adds), blocks combined in levels
// v2 work-efficient block scan (Blelloch: up-sweep, down-sweep, 2n adds), in levels
// v3 single pass: each block looks back at its predecessors' sums (decoupled look-back)
inline constexpr int scan_gpu_versions = 3;
inline constexpr int scan_gpu_default = 3;
// out and in may not overlap. Temporary device memory is allocated inside.
#define LADDER_SCAN_GPU_API                                                                                            \
    void scan_exclusive(int version, std::int32_t* out, const std::int32_t* in, std::size_t n);
namespace simt { LADDER_SCAN_GPU_API }
namespace cuda { LADDER_SCAN_GPU_API }
#undef LADDER_SCAN_GPU_API

// ---- on Tensors ----
// out (n) int32 = exclusive prefix sum of in (n) int32 (two different tensors).
void scan_exclusive(const Backend& be, Tensor& out, const Tensor& in);

}  // namespace ladder
