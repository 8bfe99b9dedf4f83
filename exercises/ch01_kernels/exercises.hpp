// exercises.hpp: chapter 1's exercises. You write them in the files listed in
// exercises.txt; `./ladder exercise ch01` checks each against the reference.
// Matrices are row-major: A (M,K), B (K,N), C (M,N).
#pragma once

#include <cstddef>

namespace ladder::ex01 {
// Exercise 1.1 (matmul_loops.cpp)
void matmul_loops(float* c, const float* a, const float* b, std::size_t M, std::size_t N, std::size_t K);
}  // namespace ladder::ex01

// Exercises 1.2-1.4 are CUDA: each .cu is compiled for the emulator (ladder::simt) and,
// with nvcc, for the GPU (ladder::cuda). Pointers are device pointers.
#define LADDER_EX01_GPU_API                                                                              \
    void vector_add_kernel(float* out, const float* a, const float* b, std::size_t n);                   \
    void matmul_naive(float* c, const float* a, const float* b, std::size_t M, std::size_t N, std::size_t K); \
    void matmul_tiled(float* c, const float* a, const float* b, std::size_t M, std::size_t N, std::size_t K);
namespace ladder::simt::ex01 { LADDER_EX01_GPU_API }
namespace ladder::cuda::ex01 { LADDER_EX01_GPU_API }
#undef LADDER_EX01_GPU_API
