// core/nn/token_file.hpp: a corpus as token ids on disk, written by ch04's tokenizer, read by ch05-ch07.
// 32-byte little-endian header, then `token count` ids of `id width` bytes each. Introduced in ch05.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <vector>

namespace ladder {

// [book:token-file-format]
// The format (every field little-endian):
//   offset  size  field
//        0     8  magic "LDRTOKEN"
//        8     4  version (1)
//       12     4  id width in bytes: 2 (uint16) or 4 (uint32)
//       16     4  vocab size V (every id is < V)
//       20     4  reserved (0)
//       24     8  token count N
//       32  N*w   the ids
// Why uint16 whenever V <= 65536: the ids of such a vocabulary fit in 16 bits, so the file is
// half the bytes of uint32 and a loader reads half the memory per window; GPT-2's 50257 ids fit,
// and so do ch05's few thousand. Only a vocabulary above 65536 ids is written as uint32.
// [/book]
struct TokenFile {
    std::uint32_t vocab_size = 0;
    std::vector<std::int32_t> ids;
};

// Writes ids (N) with the narrowest width that holds vocab_size, to a temp file renamed onto
// `path` (a crash leaves the old file whole). Throws if an id is < 0 or >= vocab_size (naming its
// position) or vocab_size is 0.
void write_token_file(const std::filesystem::path& path, std::span<const std::int32_t> ids,
                      std::uint32_t vocab_size);

// Reads a token file back. Throws a ladder::Error naming the file and the problem: missing, bad
// magic, unknown version, a width other than 2 or 4, a size that disagrees with the header
// (expected N bytes, found M), an id >= vocab size (its position).
TokenFile read_token_file(const std::filesystem::path& path);

}  // namespace ladder
