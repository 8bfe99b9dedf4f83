// exercises.hpp: chapter 3's exercises. You write them in the files listed in
// exercises.txt; `./ladder exercise ch03` checks each against the reference.
// Tables are row-major: table (V,D) row v starts at table + v * D.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/kmeans/kmeans.hpp"
#include "kernels/sgns/sgns.hpp"

namespace ladder::ex03 {
// Exercise 3.1 (gather_loops.cpp): out (B,D) = table (V,D) [ids (B)].
void gather_loops(float* out, const float* table, const std::int32_t* ids, std::size_t B, std::size_t V, std::size_t D);
// Exercise 3.2 (subsampling.cpp): the probability that word2vec keeps one occurrence of a
// word seen `count` times in `total` words, at threshold `sample` (capped at 1).
double keep_probability(std::uint64_t count, std::uint64_t total, double sample);
// Exercise 3.3 (sgns_loops.cpp): loss (B), d_in (B,D), d_out (B,K1,D) as sgns.hpp defines them.
void sgns_loops(float* loss, float* d_in, float* d_out, const float* w_in, const float* w_out,
                const std::int32_t* in_ids, const std::int32_t* out_ids, const SgnsDims& d);
}  // namespace ladder::ex03

// Exercises 3.4-3.6 are CUDA: each .cu is compiled for the emulator (ladder::simt) and,
// with nvcc, for the GPU (ladder::cuda). Pointers are device pointers.
#define LADDER_EX03_GPU_API                                                                                      \
    void scatter_add_kernel(float* table, const float* rows, const std::int32_t* ids, std::size_t B, std::size_t V, \
                            std::size_t D, float scale);                                                         \
    void sgns_kernel(float* loss, float* d_in, float* d_out, const float* w_in, const float* w_out,                \
                     const std::int32_t* in_ids, const std::int32_t* out_ids, const SgnsDims& d);                 \
    void kmeans_assign_kernel(std::int32_t* assign, float* dist, const float* x, const float* centroids,            \
                              const KmeansDims& d);
namespace ladder::simt::ex03 { LADDER_EX03_GPU_API }
namespace ladder::cuda::ex03 { LADDER_EX03_GPU_API }
#undef LADDER_EX03_GPU_API
