// vocab.cpp: tokenising, counting (histogram op) and the vocabulary of chapter 2.
#include "chapters/ch02_bag_of_words/vocab.hpp"

#include <algorithm>
#include <numeric>

#include "core/error.hpp"
#include "core/text.hpp"
#include "kernels/histogram/histogram.hpp"

namespace ladder::ch02 {

namespace {

// The words seen so far, found by hashing: open addressing with linear probing in a
// power-of-two table of (hash, id) slots. Faster than std::unordered_map here (no node
// per word, one cache line per probe), which matters at a lookup per token.
class WordTable {
public:
    std::int32_t find_or_add(std::string_view w, std::vector<std::string>& words) {
        if (2 * (words.size() + 1) > slots_.size()) grow(words);
        const std::uint32_t h = hash(w);
        for (std::size_t i = h & mask_;; i = (i + 1) & mask_) {
            Slot& s = slots_[i];
            if (s.id < 0) {   // empty: a new word gets the next id
                s = {h, static_cast<std::int32_t>(words.size())};
                words.emplace_back(w);
                return s.id;
            }
            if (s.hash == h && words[s.id] == w) return s.id;
        }
    }

private:
    struct Slot {
        std::uint32_t hash = 0;
        std::int32_t id = -1;
    };
    static std::uint32_t hash(std::string_view w) {   // FNV-1a, 64-bit, folded
        std::uint64_t h = 0xcbf29ce484222325ULL;
        for (unsigned char c : w) h = (h ^ c) * 0x100000001b3ULL;
        return static_cast<std::uint32_t>(h ^ (h >> 32));
    }
    void grow(const std::vector<std::string>& words) {
        std::vector<Slot> old = std::move(slots_);
        slots_.assign(old.empty() ? 1024 : 2 * old.size(), Slot{});
        mask_ = slots_.size() - 1;
        for (const Slot& s : old)
            if (s.id >= 0) {
                std::size_t i = s.hash & mask_;
                while (slots_[i].id >= 0) i = (i + 1) & mask_;
                slots_[i] = s;
            }
        (void)words;
    }
    std::vector<Slot> slots_;
    std::size_t mask_ = 0;
};

}  // namespace

// [book:tokenise]
Tokenised tokenise(const std::vector<std::string_view>& texts) {
    Tokenised t;
    WordTable table;   // word -> id, in order of first appearance
    t.doc_start.push_back(0);
    for (std::string_view text : texts) {
        t.ids.reserve(t.ids.size() + text.size() / 5);   // about one token per 5 bytes of English
        for_each_word(text, [&](std::string_view w) { t.ids.push_back(table.find_or_add(w, t.words)); });
        t.doc_start.push_back(t.ids.size());
        t.bytes += text.size();
    }
    return t;
}
// [/book]

// [book:count-words]
std::vector<std::int32_t> count_words(const Backend& be, const Tokenised& t) {
    const Tensor ids = be.upload(t.ids, {t.ids.size()});
    Tensor counts = be.empty({t.words.size()}, DType::i32);
    histogram(be, counts, ids);   // counts[w] = occurrences of word w
    return counts.to_vector_i32();
}
// [/book]

Vocabulary::Vocabulary(const Tokenised& t, const std::vector<std::int32_t>& counts, const VocabOptions& opts) {
    LADDER_CHECK(counts.size() == t.words.size(), "vocabulary: {} counts for {} words", counts.size(), t.words.size());
    LADDER_CHECK(opts.max_size >= 2, "vocabulary: --max-vocab must be at least 2 (<unk> and one word), got {}",
                 opts.max_size);
    std::vector<std::int32_t> order(t.words.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](std::int32_t a, std::int32_t b) {
        return counts[a] != counts[b] ? counts[a] > counts[b] : t.words[a] < t.words[b];
    });
    words_ = {"<unk>"};
    counts_ = {0};
    for (std::int32_t w : order) {
        if (words_.size() < opts.max_size && static_cast<std::size_t>(counts[w]) >= opts.min_count) {
            index_.emplace(t.words[w], static_cast<std::int32_t>(words_.size()));
            words_.push_back(t.words[w]);
            counts_.push_back(counts[w]);
        } else {
            counts_[unk] += counts[w];
        }
    }
}

std::int32_t Vocabulary::id(std::string_view word) const {
    const auto it = index_.find(word);
    return it == index_.end() ? unk : it->second;
}

}  // namespace ladder::ch02
