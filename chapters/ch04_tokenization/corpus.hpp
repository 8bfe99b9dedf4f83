// corpus.hpp: the chapter's texts: the corpus BPE is trained on (the KJV and the Korean
// Debian FAQ from `./ladder data`, or data/samples with --quick) and the held-out
// sentences it is measured on. Introduced in ch04.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace ladder::tok {

struct CorpusFile {
    std::string name;                    // "kjv"
    std::filesystem::path path;
    std::string text;
};

// quick: <data>/samples/ch04_*.txt; otherwise <data>/cache/kjv/kjv.txt and
// <data>/cache/debian_faq_ko/debian_faq_ko.txt. Throws naming the recipe to run when a
// file is missing. `data` is the repository's data/ folder.
std::vector<CorpusFile> load_corpus(const std::filesystem::path& data, bool quick);
// The held-out samples the program measures on: english, korean, code.
std::vector<CorpusFile> load_samples(const std::filesystem::path& data);
std::string join(const std::vector<CorpusFile>& files);

}  // namespace ladder::tok
