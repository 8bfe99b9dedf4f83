// grad_average.hpp: the average of N ranks' gradient buffers, the arithmetic step of a
// data-parallel all-reduce. Each of N ranks computes the gradient of its shard of the batch; the
// mean of the N gradients is the gradient of the whole batch (the shards are equal-sized), and
// every rank steps with it, so the replicas stay identical.
//   in (N, n): row r is rank r's gradient,   out (n) = (1/N) sum_r in[r]
// The order is fixed: the sum in rank order (row 0, then + row 1, + row 2, ...), then one division
// by N. Dividing instead of multiplying by a rounded 1/N costs one rounding instead of two, and
// keeps N = 2, 4, 8 exact (as core/nn's Communicator::allreduce_mean does). Introduced in ch08.
#pragma once

#include <cstddef>

#include "core/backend.hpp"
#include "core/tensor.hpp"

namespace ladder {

// ---- CPU (grad_average_cpu.cpp) ----
// The reference, T = float or double: out = row 0, += each later row in order, then / N. out may
// be in's row 0 (in place). N >= 1.
template <class T>
void grad_average_cpu(T* out, const T* in, std::size_t N, std::size_t n);

// ---- GPU (grad_average.cu) ----
// v1 one thread per element, looping over the ranks
// v2 a fixed grid striding over the elements, four at a time (float4) when n is a multiple of 4
//    and the pointers are 16-byte aligned; otherwise one at a time
// Both add the ranks in the reference's order and divide once, so they give its bits exactly.
// out may be in's row 0: each thread reads its element of every row before it writes it.
inline constexpr int grad_average_gpu_versions = 2;
inline constexpr int grad_average_gpu_default = 2;
#define LADDER_GRAD_AVERAGE_GPU_API \
    void grad_average(int version, float* out, const float* in, std::size_t N, std::size_t n);
namespace simt { LADDER_GRAD_AVERAGE_GPU_API }
namespace cuda { LADDER_GRAD_AVERAGE_GPU_API }
#undef LADDER_GRAD_AVERAGE_GPU_API

// ---- on Tensors ----
// in (N, ...) with N >= 1 ranks; out (...), in's shape without its first dimension.
void grad_average(const Backend& be, Tensor& out, const Tensor& in);

}  // namespace ladder
