// bpe_train.cpp: byte-level BPE training, twice: the naive loop that recounts every pair
// at every merge (the lesson), and the incremental one that only touches the words
// holding the merged pair (the tool). Both learn the same merges. Introduced in ch04.
#include <algorithm>
#include <queue>
#include <unordered_map>

#include "chapters/ch04_tokenization/bpe_internal.hpp"
#include "core/cli.hpp"
#include "core/error.hpp"

namespace ladder::tok {

namespace {

// The corpus as distinct pre-tokens ("words"), each a list of token ids, with its count.
struct Words {
    std::vector<std::vector<TokenId>> syms;
    std::vector<std::int64_t> counts;
};

struct Setup {
    Words words;
    std::vector<std::string> tokens;   // the 256 byte tokens, GPT-2's order
    std::size_t merges = 0;            // how many to learn
};

Setup prepare(std::string_view corpus, const TrainOptions& opts) {
    LADDER_CHECK(!corpus.empty(), "BPE training: the corpus is empty (0 bytes): nothing to learn merges from");
    const std::size_t floor = 256 + opts.special_tokens.size();
    LADDER_CHECK(opts.vocab_size >= floor, "BPE training: vocabulary size {} is smaller than the {} tokens it must hold "
                 "(256 bytes + {} special); choose at least {}", opts.vocab_size, floor, opts.special_tokens.size(), floor);
    Setup s;
    s.merges = opts.vocab_size - floor;
    std::array<TokenId, 256> byte_id{};
    for (int i = 0; i < 256; ++i) {
        const unsigned char b = gpt2_byte_order()[i];
        s.tokens.emplace_back(1, static_cast<char>(b));
        byte_id[b] = i;
    }
    // [book:count-words]
    // Count each distinct pre-token once; "the" appears 60,000 times in the KJV but is
    // one word of weight 60,000 to the trainer.
    std::unordered_map<std::string_view, std::int64_t> counts;
    for (std::size_t i = 0; i < corpus.size();) {
        const std::size_t end = pretoken_end(corpus, i);
        ++counts[corpus.substr(i, end - i)];
        i = end;
    }
    // [/book]
    std::vector<std::pair<std::string_view, std::int64_t>> sorted(counts.begin(), counts.end());
    std::sort(sorted.begin(), sorted.end());   // a fixed order: results never depend on hashing
    for (const auto& [piece, count] : sorted) {
        if (piece.size() < 2) continue;        // a single byte holds no pair
        std::vector<TokenId> w(piece.size());
        for (std::size_t k = 0; k < piece.size(); ++k) w[k] = byte_id[static_cast<unsigned char>(piece[k])];
        s.words.syms.push_back(std::move(w));
        s.words.counts.push_back(count);
    }
    return s;
}

// Replaces every (a, b) in w, left to right, by `ab`: [a b a b b] -> [ab ab b]. Returns
// whether anything changed.
bool merge_word(std::vector<TokenId>& w, TokenId a, TokenId b, TokenId ab) {
    std::size_t out = 0;
    bool changed = false;
    for (std::size_t i = 0; i < w.size(); ++i) {
        if (i + 1 < w.size() && w[i] == a && w[i + 1] == b) {
            w[out++] = ab;
            ++i;
            changed = true;
        } else {
            w[out++] = w[i];
        }
    }
    w.resize(out);
    return changed;
}

TrainResult finish(Setup& s, std::vector<Merge> merges, std::vector<std::int64_t> counts, const TrainOptions& opts,
                   const Timer& timer) {
    TrainResult r;
    r.stopped_early = merges.size() < s.merges;
    r.tokens = std::move(s.tokens);
    for (const auto& sp : opts.special_tokens) {
        r.specials.push_back(static_cast<TokenId>(r.tokens.size()));
        r.tokens.push_back(sp);
    }
    r.merges = std::move(merges);
    r.merge_counts = std::move(counts);
    r.seconds = timer.seconds();
    return r;
}

// Higher count first; on a tie the smaller (left, right) pair.
bool better(std::int64_t count, std::uint64_t key, std::int64_t best_count, std::uint64_t best_key) {
    return count > best_count || (count == best_count && key < best_key);
}

}  // namespace

TrainResult train_bpe_naive(std::string_view corpus, const TrainOptions& opts) {
    const Timer timer;
    Setup s = prepare(corpus, opts);
    Words& words = s.words;
    std::vector<Merge> merges;
    std::vector<std::int64_t> merge_counts;
    std::optional<Progress> progress;
    if (opts.progress) progress.emplace("bpe naive", static_cast<double>(s.merges), "merges");
    // [book:train-naive]
    while (merges.size() < s.merges) {
        // 1. Count every adjacent pair of every word, weighted by the word's count.
        std::unordered_map<std::uint64_t, std::int64_t> pairs;
        for (std::size_t w = 0; w < words.syms.size(); ++w)
            for (std::size_t i = 0; i + 1 < words.syms[w].size(); ++i)
                pairs[pair_key(words.syms[w][i], words.syms[w][i + 1])] += words.counts[w];
        // 2. The most frequent pair (ties: the smaller ids) becomes a new token...
        std::uint64_t best = 0;
        std::int64_t best_count = 0;
        for (const auto& [key, count] : pairs)
            if (better(count, key, best_count, best)) best = key, best_count = count;
        if (best_count < opts.min_count) break;
        const auto a = static_cast<TokenId>(best >> 32), b = static_cast<TokenId>(best & 0xFFFFFFFFu);
        const auto ab = static_cast<TokenId>(s.tokens.size());
        s.tokens.push_back(s.tokens[a] + s.tokens[b]);
        merges.push_back({a, b, ab});
        merge_counts.push_back(best_count);
        // 3. ...that replaces the pair everywhere. Then start over.
        for (auto& w : words.syms) merge_word(w, a, b, ab);
        if (progress) progress->update(static_cast<double>(merges.size()));
    }
    // [/book]
    if (progress) progress->finish();
    return finish(s, std::move(merges), std::move(merge_counts), opts, timer);
}

TrainResult train_bpe(std::string_view corpus, const TrainOptions& opts) {
    const Timer timer;
    Setup s = prepare(corpus, opts);
    Words& words = s.words;
    std::vector<Merge> merges;
    std::vector<std::int64_t> merge_counts;
    std::optional<Progress> progress;
    if (opts.progress) progress.emplace("bpe", static_cast<double>(s.merges), "merges");

    // [book:train-incremental]
    // Pair counts, and for each pair the words that hold it (a word may be listed more
    // than once, or no longer hold the pair: both are checked when the list is used).
    std::unordered_map<std::uint64_t, std::int64_t> count;
    std::unordered_map<std::uint64_t, std::vector<std::int32_t>> where;
    auto add_pairs = [&](std::int32_t w, std::int64_t sign, TokenId only_with) {
        const auto& sy = words.syms[static_cast<std::size_t>(w)];
        for (std::size_t i = 0; i + 1 < sy.size(); ++i) {
            const std::uint64_t key = pair_key(sy[i], sy[i + 1]);
            count[key] += sign * words.counts[static_cast<std::size_t>(w)];
            if (sign > 0 && (only_with < 0 || sy[i] == only_with || sy[i + 1] == only_with)) {
                auto& list = where[key];
                if (list.empty() || list.back() != w) list.push_back(w);
            }
        }
    };
    for (std::size_t w = 0; w < words.syms.size(); ++w) add_pairs(static_cast<std::int32_t>(w), +1, -1);

    // A max-heap of (count, pair) with lazy updates: an entry's count may be stale (too
    // high); a popped stale entry goes back with its true count. Counts only rise for
    // pairs with the new token, and those are pushed when they do, so the top entry,
    // once its count is true, is the most frequent pair (ties: smaller ids first).
    struct Entry {
        std::int64_t count;
        std::uint64_t key;
        bool operator<(const Entry& o) const { return better(o.count, o.key, count, key); }
    };
    std::priority_queue<Entry> heap;
    for (const auto& [key, c] : count) heap.push({c, key});

    std::vector<std::uint32_t> stamp(words.syms.size(), 0);   // last merge that visited a word
    std::vector<std::uint64_t> touched;
    while (merges.size() < s.merges && !heap.empty()) {
        const Entry top = heap.top();
        heap.pop();
        const auto it = count.find(top.key);
        const std::int64_t now = it == count.end() ? 0 : it->second;
        if (now != top.count) {                       // stale: put it back with its true count
            if (now > 0) heap.push({now, top.key});
            continue;
        }
        if (top.count < opts.min_count) break;
        const auto a = static_cast<TokenId>(top.key >> 32), b = static_cast<TokenId>(top.key & 0xFFFFFFFFu);
        const auto ab = static_cast<TokenId>(s.tokens.size());
        s.tokens.push_back(s.tokens[a] + s.tokens[b]);
        merges.push_back({a, b, ab});
        merge_counts.push_back(top.count);
        const auto step = static_cast<std::uint32_t>(merges.size());
        // Only the words that hold (a, b) change: take their pairs out, merge, put the
        // new pairs in.
        const std::vector<std::int32_t> list = std::move(where[top.key]);
        where.erase(top.key);
        touched.clear();
        for (const std::int32_t w : list) {
            if (stamp[static_cast<std::size_t>(w)] == step) continue;
            stamp[static_cast<std::size_t>(w)] = step;
            std::vector<TokenId> merged = words.syms[static_cast<std::size_t>(w)];
            if (!merge_word(merged, a, b, ab)) continue;
            add_pairs(w, -1, -1);
            words.syms[static_cast<std::size_t>(w)] = std::move(merged);
            add_pairs(w, +1, ab);
            const auto& sy = words.syms[static_cast<std::size_t>(w)];
            for (std::size_t i = 0; i + 1 < sy.size(); ++i)
                if (sy[i] == ab || sy[i + 1] == ab) touched.push_back(pair_key(sy[i], sy[i + 1]));
        }
        count.erase(top.key);
        std::sort(touched.begin(), touched.end());
        touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
        for (const std::uint64_t key : touched) heap.push({count[key], key});
        if (progress) progress->update(static_cast<double>(merges.size()));
    }
    // [/book]
    if (progress) progress->finish();
    return finish(s, std::move(merges), std::move(merge_counts), opts, timer);
}

}  // namespace ladder::tok
