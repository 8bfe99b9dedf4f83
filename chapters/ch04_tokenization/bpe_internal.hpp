// bpe_internal.hpp: the inside of BpeTokenizer, shared by bpe_encode.cpp, gpt2_files.cpp
// and the tests (the merge loops, the split points). Not for other chapters: include
// tokenizer.hpp. Introduced in ch04.
#pragma once

#include <array>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "chapters/ch04_tokenization/flat_map.hpp"
#include "chapters/ch04_tokenization/pretokenize.hpp"
#include "chapters/ch04_tokenization/tokenizer.hpp"

namespace ladder::tok {

inline std::uint64_t pair_key(TokenId a, TokenId b) {
    return (static_cast<std::uint64_t>(static_cast<std::uint32_t>(a)) << 32) | static_cast<std::uint32_t>(b);
}

enum class MergeLoop { automatic, short_only, long_only };

// Pieces up to this many bytes use the simple merge loop; longer ones the heap.
inline constexpr std::size_t kShortPiece = 48;

struct BpeTokenizer::Impl {
    std::uint64_t uid = 0;                                   // names this tokenizer to the thread caches
    std::vector<std::string> tokens;                         // id -> bytes
    std::vector<Merge> merges;                               // rank -> merge
    std::unordered_map<std::string, TokenId> lookup;         // bytes -> id
    std::array<TokenId, 256> byte_ids{};                     // byte -> id
    U64Map ranks;                                            // (left, right) -> rank << 32 | result
    std::vector<std::pair<std::string, TokenId>> specials;   // longest first

    void merge_short(std::vector<TokenId>& syms) const;
    void merge_long(std::vector<TokenId>& syms) const;
    void bpe(std::string_view piece, std::vector<TokenId>& syms, MergeLoop loop) const;
    void encode_ordinary(std::string_view text, std::vector<TokenId>& out, bool fresh_cache = false) const;
    void encode_segment(std::string_view text, const EncodeOptions& opts, unsigned threads, std::vector<TokenId>& out) const;
};
using Impl = BpeTokenizer::Impl;

// The BPE of one piece with a chosen merge loop (the tests check that both agree).
std::vector<TokenId> encode_piece_with(const BpeTokenizer& t, std::string_view piece, MergeLoop loop);
// The first safe cut at or after `from` (see bpe_encode.cpp), or text.size().
std::size_t next_split_point(std::string_view text, std::size_t from);
// `text` cut at safe points into about `parts` parts.
std::vector<std::string_view> split_for_threads(std::string_view text, std::size_t parts);

}  // namespace ladder::tok
