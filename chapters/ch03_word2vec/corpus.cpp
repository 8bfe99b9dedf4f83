// corpus.cpp: corpus building and reading, vocabulary, subsampling, the unigram table.
#include "chapters/ch03_word2vec/corpus.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>

#include "core/error.hpp"
#include "core/fileio.hpp"
#include "core/text.hpp"

namespace ladder::ch03 {

namespace {

const SplitOptions kSplit{.casefold = true, .keep_numbers = false};

}  // namespace

std::size_t build_corpus_file(const std::filesystem::path& cache, const std::filesystem::path& out) {
    const std::pair<const char*, const char*> sources[] = {
        {"kjv", "kjv/kjv.txt"}, {"wordnet", "wordnet/glosses.txt"}, {"gcide", "gcide/gcide.txt"}};
    std::size_t words = 0;
    std::filesystem::create_directories(out.parent_path());
    write_file_atomic(out, [&](std::ostream& os) {
        for (const auto& [recipe, file] : sources) {
            const std::filesystem::path path = cache / file;
            LADDER_CHECK(std::filesystem::exists(path), "{} is missing: fetch it with `./ladder data {}`", path.string(),
                         recipe);
            const std::string text = read_file(path);
            require_valid_utf8(text, path.string());
            LineReader lines(text);
            for (std::string_view line; lines.next(line);) {
                const auto ws = split_words(line, kSplit);
                if (ws.empty()) continue;
                std::string joined;
                for (const auto& w : ws) joined += (joined.empty() ? "" : " ") + w;
                os << joined << '\n';
                words += ws.size();
            }
        }
    });
    return words;
}

std::vector<std::vector<std::string>> read_sentences(const std::filesystem::path& path) {
    const std::string text = read_file(path);
    require_valid_utf8(text, path.string());
    std::vector<std::vector<std::string>> out;
    LineReader lines(text);
    for (std::string_view line; lines.next(line);) {
        auto ws = split_words(line, kSplit);
        if (!ws.empty()) out.push_back(std::move(ws));
    }
    LADDER_CHECK(!out.empty(), "{}: the corpus holds no words ({} bytes)", path.string(), text.size());
    return out;
}

std::int32_t Vocab::id(const std::string& w) const {
    const auto it = index.find(w);
    return it == index.end() ? -1 : it->second;
}

Vocab build_vocab(const std::vector<std::vector<std::string>>& sentences, std::uint64_t min_count,
                  const std::string& where) {
    std::unordered_map<std::string, std::uint64_t> counts;
    std::uint64_t seen = 0;
    for (const auto& s : sentences)
        for (const auto& w : s) {
            ++counts[w];
            ++seen;
        }
    LADDER_CHECK(seen > 0, "{}: the corpus holds no words", where);
    std::vector<std::pair<std::string, std::uint64_t>> kept;
    for (auto& [w, c] : counts)
        if (c >= min_count) kept.emplace_back(w, c);
    LADDER_CHECK(!kept.empty(), "{}: no word occurs {} times or more ({} words, {} distinct); lower --min-count", where,
                 min_count, seen, counts.size());
    std::sort(kept.begin(), kept.end(), [](const auto& a, const auto& b) {
        return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    Vocab v;
    for (auto& [w, c] : kept) {
        v.index.emplace(w, static_cast<std::int32_t>(v.words.size()));
        v.words.push_back(w);
        v.counts.push_back(c);
        v.total += c;
    }
    return v;
}

Corpus encode(const std::vector<std::vector<std::string>>& sentences, const Vocab& vocab) {
    Corpus c;
    c.starts.push_back(0);
    for (const auto& s : sentences) {
        c.raw_words += s.size();
        for (const auto& w : s)
            if (const std::int32_t id = vocab.id(w); id >= 0) c.ids.push_back(id);
        if (c.ids.size() > c.starts.back()) c.starts.push_back(c.ids.size());
    }
    return c;
}

// [book:subsampling]
std::vector<std::uint32_t> keep_thresholds(const Vocab& vocab, double sample) {
    std::vector<std::uint32_t> keep(vocab.size());
    for (std::size_t w = 0; w < vocab.size(); ++w) {
        const double f = static_cast<double>(vocab.counts[w]) / static_cast<double>(vocab.total);
        double p = sample > 0 ? (std::sqrt(f / sample) + 1) * sample / f : 1.0;
        p = std::min(p, 1.0);
        keep[w] = p >= 1.0 ? 0xffffffffu : static_cast<std::uint32_t>(p * 4294967296.0);
    }
    return keep;
}
// [/book]

// [book:unigram-table]
std::vector<std::int32_t> unigram_table(const Vocab& vocab, std::size_t size, double power) {
    double norm = 0;
    for (auto c : vocab.counts) norm += std::pow(static_cast<double>(c), power);
    std::vector<std::int32_t> table(size);
    std::size_t w = 0;
    double cum = std::pow(static_cast<double>(vocab.counts[0]), power) / norm;   // share of words 0..w
    for (std::size_t i = 0; i < size; ++i) {
        table[i] = static_cast<std::int32_t>(w);
        if (static_cast<double>(i + 1) / static_cast<double>(size) > cum && w + 1 < vocab.size()) {
            ++w;
            cum += std::pow(static_cast<double>(vocab.counts[w]), power) / norm;
        }
    }
    return table;
}
// [/book]

}  // namespace ladder::ch03
