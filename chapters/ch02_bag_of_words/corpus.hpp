// corpus.hpp: the labelled texts of chapter 2: <dir>/{train,validation,test}.tsv, one item per
// line, "category<TAB>text", UTF-8, lines starting with # are comments (written by
// data/recipes/fortunes.sh; data/samples/ch02_quotes/ is a tiny hand-written copy). Introduced in ch02.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace ladder::ch02 {

struct Document {
    std::int32_t label = 0;   // index into Corpus::categories
    std::string text;
};

struct Split {
    std::string name;                 // "train"
    std::filesystem::path path;
    std::vector<Document> docs;
    std::size_t bytes = 0;            // of text
    std::vector<std::int32_t> labels() const;
    std::vector<std::string_view> texts() const;
};

struct Corpus {
    std::vector<std::string> categories;   // sorted by name
    Split train, validation, test;
};

struct LoadOptions {
    bool replace_invalid = false;   // invalid UTF-8 -> U+FFFD instead of an error
    bool is_default_dir = false;    // a missing corpus here means "run ./ladder data fortunes"
};

// Reads and checks the three splits. Throws ladder::Error, naming the file (and line or
// byte offset), for: a missing file or corpus, a line without a tab, invalid UTF-8 (unless
// replace_invalid), an empty split, a category with fewer than 2 training documents, and
// a validation/test category that training never saw.
Corpus load_corpus(const std::filesystem::path& dir, const LoadOptions& opts = {});

// Parses one split's text; `categories` grows (training) or is looked up (others).
std::vector<Document> parse_split(std::string_view text, const std::string& where, std::vector<std::string>& categories,
                                  bool add_categories);

}  // namespace ladder::ch02
