// vocab.hpp: from texts to numbers. Tokenise (core/text's word splitter), number the distinct
// words, count them with the histogram kernel, and keep a vocabulary: words seen at least
// min_count times, the max_size most frequent, plus <unk> (id 0) for everything else.
// Introduced in ch02.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/backend.hpp"

namespace ladder::ch02 {

// Hashing for lookups by string_view without building a std::string.
struct WordHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
using WordIndex = std::unordered_map<std::string, std::int32_t, WordHash, std::equal_to<>>;

// Every token of some texts as an id into `words` (numbered in order of first appearance).
struct Tokenised {
    std::vector<std::string> words;          // distinct words
    std::vector<std::int32_t> ids;           // (tokens) the text, as ids into words
    std::vector<std::size_t> doc_start;      // (docs + 1) where each text's ids begin
    std::size_t bytes = 0;                   // of text read
};
Tokenised tokenise(const std::vector<std::string_view>& texts);

// counts (words) of a Tokenised, through the histogram op on the backend's device.
std::vector<std::int32_t> count_words(const Backend& be, const Tokenised& t);

struct VocabOptions {
    std::size_t min_count = 2;
    std::size_t max_size = 20000;   // including <unk>
};

class Vocabulary {
public:
    static constexpr std::int32_t unk = 0;
    // Words sorted by count (descending), ties alphabetical; <unk> first with the count of
    // every dropped occurrence.
    Vocabulary(const Tokenised& t, const std::vector<std::int32_t>& counts, const VocabOptions& opts);
    std::size_t size() const { return words_.size(); }
    std::int32_t id(std::string_view word) const;   // unk when unknown
    const std::string& word(std::int32_t id) const { return words_.at(static_cast<std::size_t>(id)); }
    std::int64_t count(std::int32_t id) const { return counts_.at(static_cast<std::size_t>(id)); }

private:
    std::vector<std::string> words_;
    std::vector<std::int64_t> counts_;
    WordIndex index_;
};

}  // namespace ladder::ch02
