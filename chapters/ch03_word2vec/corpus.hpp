// corpus.hpp: chapter 3's training text: building the English corpus from the KJV, WordNet
// glosses and GCIDE caches, reading any text file as sentences of word ids, the vocabulary
// (counts, min-count, subsampling) and the unigram^0.75 table negatives are drawn from.
// Introduced in ch03.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <unordered_map>
#include <vector>

namespace ladder::ch03 {

// ---- the corpus file ----
// Writes `out` from the recipes' caches under `cache` (kjv/kjv.txt, wordnet/glosses.txt,
// gcide/gcide.txt): every line through split_words (Unicode case folding + NFC, words are
// runs of letters, marks and digits, apostrophes inside words kept, words made only of
// digits dropped), joined by single spaces; empty lines dropped. Deterministic: the same
// caches give the same bytes. Throws, naming the missing file and the `./ladder data`
// command, when a cache is missing. Returns the number of words written.
std::size_t build_corpus_file(const std::filesystem::path& cache, const std::filesystem::path& out);

// Reads a UTF-8 text file as sentences (one per line) of words, with the same cleaning.
// Throws naming the file and byte offset on invalid UTF-8, and when it holds no word.
std::vector<std::vector<std::string>> read_sentences(const std::filesystem::path& path);

// ---- vocabulary ----
struct Vocab {
    std::vector<std::string> words;                 // by id: most frequent first (ties: alphabetical)
    std::vector<std::uint64_t> counts;              // by id
    std::unordered_map<std::string, std::int32_t> index;
    std::uint64_t total = 0;                        // sum of counts (words the model trains on)
    std::size_t size() const { return words.size(); }
    std::int32_t id(const std::string& w) const;    // -1 when not in the vocabulary
};

// Words seen at least `min_count` times. Throws when none qualifies (an empty corpus, or a
// min-count too high for it), saying which.
Vocab build_vocab(const std::vector<std::vector<std::string>>& sentences, std::uint64_t min_count,
                  const std::string& where);

// The corpus as word ids: `ids` holds every in-vocabulary word in order, sentence s is
// ids[starts[s] .. starts[s+1]). Out-of-vocabulary words are dropped (as word2vec does).
struct Corpus {
    std::vector<std::int32_t> ids;
    std::vector<std::size_t> starts;                // sentences + 1 entries
    std::uint64_t raw_words = 0;                    // words read, before dropping rare ones
    std::size_t sentences() const { return starts.empty() ? 0 : starts.size() - 1; }
};
Corpus encode(const std::vector<std::vector<std::string>>& sentences, const Vocab& vocab);

// Subsampling of frequent words (Mikolov et al. 2013, as word2vec.c computes it): a word
// with frequency f = count / total is kept with probability
//   p_keep = (sqrt(f / sample) + 1) * sample / f          (capped at 1)
// so "the" (f ~ 0.05) is kept ~16% of the time at sample = 1e-3, rare words always.
// Returned as thresholds on 32-bit random numbers: keep when next() < threshold.
std::vector<std::uint32_t> keep_thresholds(const Vocab& vocab, double sample);

// The unigram^0.75 table: `size` slots, word w filling a share proportional to
// count(w)^0.75 (word2vec.c's table, filled the same way); a uniform slot is a negative.
std::vector<std::int32_t> unigram_table(const Vocab& vocab, std::size_t size, double power = 0.75);

}  // namespace ladder::ch03
