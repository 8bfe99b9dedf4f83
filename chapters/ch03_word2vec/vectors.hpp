// vectors.hpp: the word-vector table (V,D) with its words, and saving and loading it in
// word2vec's text and binary formats (they open in gensim and the original tools).
// Search is in search.hpp, analogies and odd-one-out in analogies.hpp. Introduced in ch03.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace ladder::ch03 {

struct Embeddings {
    std::vector<std::string> words;                      // by id
    std::unordered_map<std::string, std::int32_t> index;
    std::size_t D = 0;
    std::vector<float> vecs;                             // (V,D) as trained or loaded
    std::vector<float> unit;                             // (V,D) each row scaled to length 1 (zero rows stay 0)

    Embeddings() = default;
    Embeddings(std::vector<std::string> words, std::vector<float> vecs, std::size_t D);
    std::size_t size() const { return words.size(); }
    std::int32_t id(const std::string& w) const;         // -1 when unknown
    // The id of `w`, or a ladder::Error: "unknown word 'xyzzy' (in <where>): not among the
    // V words of the vocabulary".
    std::int32_t require(const std::string& w, const std::string& where) const;
    const float* unit_row(std::int32_t id) const { return unit.data() + static_cast<std::size_t>(id) * D; }
};

// ---- word2vec formats ----
// text:   "V D\n" then V lines "word x1 x2 ... xD\n"
// binary: "V D\n" then V records "word " + D little-endian float32 + "\n"
void save_text(const Embeddings& e, const std::filesystem::path& path);
void save_binary(const Embeddings& e, const std::filesystem::path& path);
// Loads either format (binary when the name ends in .bin). Errors name the file and the
// line (text) or byte offset (binary): a bad header, a row with the wrong number of values,
// a file that ends early, a value that is not a number. `expected_dim`: also an error when
// the file's dimension differs.
Embeddings load_vectors(const std::filesystem::path& path, std::optional<std::size_t> expected_dim = {});

}  // namespace ladder::ch03
