// exercises.hpp: chapter 4's exercises. You write them in the files listed in
// exercises.txt; `./ladder exercise ch04` checks each against the chapter's library and
// reference kernels. Introduced in ch04 (book/ch04_tokenization.md).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string_view>
#include <utility>
#include <vector>

namespace ladder::ex04 {
// Exercise 4.1 (byte_table.cpp): table[b] is the code point GPT-2 shows byte b as.
std::array<char32_t, 256> byte_table();
// Exercise 4.2 (pretokenize_rules.cpp): the end of the GPT-2 pre-token starting at `begin`.
std::size_t pretoken_end(std::string_view text, std::size_t begin);
// Exercise 4.3 (count_pairs.cpp): how often each adjacent pair occurs; -1 is a word
// boundary that no pair crosses. count_pairs({1,2,3,1,2}) -> {(1,2):2, (2,3):1, (3,1):1}
std::map<std::pair<std::int32_t, std::int32_t>, std::int32_t> count_pairs(const std::vector<std::int32_t>& tokens);
// Exercise 4.4 (merge_pair.cpp): tokens (n) with (left, right) -> result applied left to
// right; out (n) holds the merged tokens, then -1; *out_len their number.
void merge_pair(std::int32_t* out, std::int32_t* out_len, const std::int32_t* tokens, std::size_t n, std::int32_t left,
                std::int32_t right, std::int32_t result);
}  // namespace ladder::ex04

// Exercises 4.5-4.6 are CUDA: each .cu is compiled for the emulator (ladder::simt) and,
// with nvcc, for the GPU (ladder::cuda). Pointers are device pointers.
#define LADDER_EX04_GPU_API                                                                                        \
    void pair_count_kernel(std::int32_t* keys, std::int32_t* counts, std::size_t capacity, const std::int32_t* tokens, \
                           std::size_t n);                                                                         \
    void scan_kernel(std::int32_t* out, const std::int32_t* in, std::size_t n);
namespace ladder::simt::ex04 { LADDER_EX04_GPU_API }
namespace ladder::cuda::ex04 { LADDER_EX04_GPU_API }
#undef LADDER_EX04_GPU_API
