// core/nn/token_file.cpp: write_token_file and read_token_file (the format: token_file.hpp).
// Bytes are assembled and parsed explicitly, so the file reads the same on any host byte order.
#include "core/nn/token_file.hpp"

#include <cstring>
#include <limits>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/fileio.hpp"

namespace ladder {

namespace {

constexpr std::string_view kMagic = "LDRTOKEN";
constexpr std::uint32_t kVersion = 1;
constexpr std::size_t kHeaderBytes = 32;

void put_le(std::string& out, std::uint64_t v, std::size_t bytes) {
    for (std::size_t i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

std::uint64_t get_le(std::string_view in, std::size_t offset, std::size_t bytes) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < bytes; ++i)
        v |= static_cast<std::uint64_t>(static_cast<unsigned char>(in[offset + i])) << (8 * i);
    return v;
}

}  // namespace

void write_token_file(const std::filesystem::path& path, std::span<const std::int32_t> ids,
                      std::uint32_t vocab_size) {
    LADDER_CHECK(vocab_size > 0, "token file {}: the vocabulary size is 0", path.string());
    for (std::size_t i = 0; i < ids.size(); ++i)
        LADDER_CHECK(ids[i] >= 0 && static_cast<std::uint64_t>(ids[i]) < vocab_size,
                     "token file {}: id {} at position {} is outside the vocabulary [0, {})", path.string(), ids[i], i,
                     vocab_size);
    const std::size_t width = vocab_size <= 65536 ? 2 : 4;
    std::string bytes;
    bytes.reserve(kHeaderBytes + ids.size() * width);
    bytes.append(kMagic);
    put_le(bytes, kVersion, 4);
    put_le(bytes, width, 4);
    put_le(bytes, vocab_size, 4);
    put_le(bytes, 0, 4);   // reserved
    put_le(bytes, ids.size(), 8);
    for (std::int32_t id : ids) put_le(bytes, static_cast<std::uint32_t>(id), width);
    write_file_atomic(path, bytes);
}

TokenFile read_token_file(const std::filesystem::path& path) {
    const std::string name = path.string();
    LADDER_CHECK(std::filesystem::exists(path), "token file {} does not exist", name);
    const std::string bytes = read_file(path);
    const std::string_view in = bytes;
    LADDER_CHECK(in.size() >= kHeaderBytes, "token file {} is truncated: expected at least {} bytes (the header), found {}",
                 name, kHeaderBytes, in.size());
    LADDER_CHECK(in.substr(0, kMagic.size()) == kMagic, "{} is not a token file: its first 8 bytes are not \"{}\"", name,
                 kMagic);
    const auto version = get_le(in, 8, 4);
    LADDER_CHECK(version == kVersion, "token file {}: unknown version {} (this program reads version {})", name, version,
                 kVersion);
    const auto width = get_le(in, 12, 4);
    LADDER_CHECK(width == 2 || width == 4, "token file {}: id width {} bytes (must be 2 or 4)", name, width);
    TokenFile tf;
    tf.vocab_size = static_cast<std::uint32_t>(get_le(in, 16, 4));
    LADDER_CHECK(tf.vocab_size > 0, "token file {}: the vocabulary size is 0", name);
    LADDER_CHECK(tf.vocab_size <= 0x80000000u, "token file {}: vocabulary size {} does not fit int32 ids", name,
                 tf.vocab_size);
    const auto count = get_le(in, 24, 8);
    LADDER_CHECK(count <= (std::numeric_limits<std::uint64_t>::max() - kHeaderBytes) / width,
                 "token file {}: token count {} is impossibly large (corrupt header)", name, count);
    const std::uint64_t expected = kHeaderBytes + count * width;
    LADDER_CHECK(in.size() == expected, "token file {} is {}: expected {} bytes ({} tokens of {} bytes), found {}", name,
                 in.size() < expected ? "truncated" : "longer than its header says", expected, count, width, in.size());
    tf.ids.resize(count);
    for (std::size_t i = 0; i < count; ++i) {
        const auto id = get_le(in, kHeaderBytes + i * width, width);
        LADDER_CHECK(id < tf.vocab_size, "token file {}: id {} at position {} is >= the vocabulary size {}", name, id, i,
                     tf.vocab_size);
        tf.ids[i] = static_cast<std::int32_t>(id);
    }
    return tf;
}

}  // namespace ladder
