// tests/nn/token_file_test.cpp: token files round-trip at both id widths, the header is the
// documented 32 bytes, and every kind of bad file is refused with the file and the problem named.
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/fileio.hpp"
#include "core/nn/token_file.hpp"
#include "core/rng.hpp"
#include "tests/temp_dir.hpp"

using namespace ladder;
using ladder::testing::TempDir;

namespace {

std::vector<std::int32_t> random_ids(std::size_t n, std::uint32_t vocab, std::uint64_t seed) {
    Rng rng(seed);
    std::vector<std::int32_t> ids(n);
    for (auto& id : ids) id = static_cast<std::int32_t>(rng.below(vocab));
    ids.front() = 0;
    ids.back() = static_cast<std::int32_t>(vocab - 1);   // both ends of the range
    return ids;
}

// The little-endian bytes of v, `bytes` wide: the test builds headers by hand from the spec.
std::string le(std::uint64_t v, std::size_t bytes) {
    std::string s;
    for (std::size_t i = 0; i < bytes; ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
    return s;
}

std::string header(std::string magic, std::uint64_t version, std::uint64_t width, std::uint64_t vocab,
                   std::uint64_t count) {
    return magic + le(version, 4) + le(width, 4) + le(vocab, 4) + le(0, 4) + le(count, 8);
}

}  // namespace

TEST_CASE("token files round-trip at both widths, uint16 up to a vocabulary of 65536", "[nn][token_file]") {
    TempDir dir("token_file");
    // 65536 is the largest vocabulary whose ids (0..65535) fit uint16; 65537 needs uint32.
    for (std::uint32_t vocab : {1u, 300u, 50257u, 65536u, 65537u, 1u << 20}) {
        INFO("vocab " << vocab);
        const auto ids = random_ids(1001, vocab, vocab);
        const auto path = dir / "t.tok";
        write_token_file(path, ids, vocab);
        const std::size_t width = vocab <= 65536 ? 2 : 4;
        const std::string bytes = read_file(path);
        REQUIRE(bytes.size() == 32 + ids.size() * width);
        REQUIRE(bytes == header("LDRTOKEN", 1, width, vocab, ids.size()) + bytes.substr(32));
        const TokenFile tf = read_token_file(path);
        CHECK(tf.vocab_size == vocab);
        CHECK(tf.ids == ids);
    }
    // An empty corpus is a valid file (the loaders refuse it, not the format).
    write_token_file(dir / "e.tok", {}, 10);
    CHECK(read_token_file(dir / "e.tok").ids.empty());
}

TEST_CASE("the ids sit after the header, little-endian: a hand-made file reads back", "[nn][token_file]") {
    TempDir dir("token_file");
    // ids {1, 258, 65535} at width 2: 01 00 | 02 01 | ff ff; at width 4 the same with two zero bytes each.
    const auto p2 = dir.write("a.tok", header("LDRTOKEN", 1, 2, 65536, 3) + le(1, 2) + le(258, 2) + le(65535, 2));
    CHECK(read_token_file(p2).ids == std::vector<std::int32_t>{1, 258, 65535});
    const auto p4 = dir.write("b.tok", header("LDRTOKEN", 1, 4, 70000, 2) + le(69999, 4) + le(7, 4));
    CHECK(read_token_file(p4).ids == std::vector<std::int32_t>{69999, 7});
}

TEST_CASE("bad token files are refused, naming the file and the problem", "[nn][token_file]") {
    TempDir dir("token_file");
    const std::string body = le(1, 2) + le(2, 2) + le(3, 2);
    auto fails_with = [&](const std::string& bytes, const std::string& what) {
        const auto p = dir.write("bad.tok", bytes);
        INFO(what);
        CHECK_THROWS_WITH(read_token_file(p), Catch::Contains(p.string()) && Catch::Contains(what));
    };
    CHECK_THROWS_WITH(read_token_file(dir / "missing.tok"),
                      Catch::Contains((dir / "missing.tok").string()) && Catch::Contains("does not exist"));
    fails_with(header("LDRTOKEX", 1, 2, 10, 3) + body, "is not a token file");
    fails_with(header("LDRTOKEN", 2, 2, 10, 3) + body, "unknown version 2");
    fails_with(header("LDRTOKEN", 1, 3, 10, 3) + body, "id width 3 bytes (must be 2 or 4)");
    fails_with(header("LDRTOKEN", 1, 2, 10, 3) + body.substr(0, 5), "truncated: expected 38 bytes (3 tokens of 2 bytes), found 37");
    fails_with(header("LDRTOKEN", 1, 2, 10, 3).substr(0, 20), "truncated: expected at least 32 bytes");
    fails_with(header("LDRTOKEN", 1, 2, 10, 3) + body + "x", "longer than its header says: expected 38 bytes");
    fails_with(header("LDRTOKEN", 1, 2, 3, 3) + body, "id 3 at position 2 is >= the vocabulary size 3");
    fails_with(header("LDRTOKEN", 1, 2, 10, std::uint64_t{1} << 63) + body, "impossibly large");
}

TEST_CASE("write_token_file refuses ids outside the vocabulary and leaves no file", "[nn][token_file]") {
    TempDir dir("token_file");
    const std::vector<std::int32_t> ids{0, 5, 9, 10, 2};
    CHECK_THROWS_WITH(write_token_file(dir / "x.tok", ids, 10), Catch::Contains("id 10 at position 3"));
    CHECK_THROWS_WITH(write_token_file(dir / "x.tok", std::vector<std::int32_t>{-1}, 10),
                      Catch::Contains("id -1 at position 0"));
    CHECK_THROWS_WITH(write_token_file(dir / "x.tok", ids, 0), Catch::Contains("vocabulary size is 0"));
    CHECK_FALSE(std::filesystem::exists(dir / "x.tok"));
}
