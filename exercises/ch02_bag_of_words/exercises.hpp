// exercises.hpp: chapter 2's exercises. You write them in the files listed in
// exercises.txt; `./ladder exercise ch02` checks each against the reference.
// CSR matrices: row r's entries are col[j], counts[j] for j in [row_ptr[r], row_ptr[r+1]).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ladder::ex02 {
// Exercise 2.1 (split_words.cpp)
std::vector<std::string> split_words(std::string_view text);
// Exercise 2.2 (tfidf_rows.cpp)
void tfidf_rows(float* out, const std::int32_t* row_ptr, const std::int32_t* col, const float* counts, const float* idf,
                std::size_t rows);
// Exercise 2.3 (topk_rows.cpp)
void topk_rows(float* values, std::int32_t* indices, const float* x, std::size_t rows, std::size_t cols, std::size_t k);
}  // namespace ladder::ex02

// Exercises 2.4-2.5 are CUDA: each .cu is compiled for the emulator (ladder::simt) and,
// with nvcc, for the GPU (ladder::cuda). Pointers are device pointers.
#define LADDER_EX02_GPU_API                                                                                 \
    void histogram_atomic(std::int32_t* counts, const std::int32_t* ids, std::size_t n, std::size_t bins); \
    void histogram_shared(std::int32_t* counts, const std::int32_t* ids, std::size_t n, std::size_t bins);
namespace ladder::simt::ex02 { LADDER_EX02_GPU_API }
namespace ladder::cuda::ex02 { LADDER_EX02_GPU_API }
#undef LADDER_EX02_GPU_API

// histogram_shared keeps the whole histogram of a block in shared memory: bins <= this.
inline constexpr std::size_t ex02_shared_max_bins = 4096;
