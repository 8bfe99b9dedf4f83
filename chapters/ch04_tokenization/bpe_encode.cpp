// bpe_encode.cpp: byte-level BPE encode and decode, fast: pieces from the pre-tokeniser,
// a cache of piece -> ids, merge ranks in a flat hash map, a merge loop that is linear
// per merge for short pieces and O(n log n) for long ones, and large inputs cut where the
// ids cannot change and encoded on several threads. Introduced in ch04.
#include <algorithm>
#include <atomic>
#include <limits>
#include <queue>
#include <thread>

#include "chapters/ch04_tokenization/bpe_internal.hpp"
#include "core/error.hpp"

namespace ladder::tok {

namespace {
std::atomic<std::uint64_t> next_uid{1};
constexpr std::uint32_t kNoRank = std::numeric_limits<std::uint32_t>::max();
}  // namespace

BpeTokenizer::BpeTokenizer(std::vector<std::string> tokens, std::vector<Merge> merges, std::vector<TokenId> specials)
    : impl_(std::make_unique<Impl>()) {
    Impl& m = *impl_;
    m.uid = next_uid++;
    const auto n = static_cast<TokenId>(tokens.size());
    LADDER_CHECK(tokens.size() >= 256 && tokens.size() < (1u << 31), "BPE vocabulary: {} tokens; a byte-level "
                 "vocabulary needs at least the 256 byte tokens", tokens.size());
    m.byte_ids.fill(-1);
    m.lookup.reserve(tokens.size());
    for (TokenId id = 0; id < n; ++id) {
        const std::string& t = tokens[static_cast<std::size_t>(id)];
        LADDER_CHECK(!t.empty(), "BPE vocabulary: token {} is empty", id);
        const auto [it, fresh] = m.lookup.emplace(t, id);
        LADDER_CHECK(fresh, "BPE vocabulary: tokens {} and {} are both '{}'", it->second, id, printable(t));
        if (t.size() == 1) m.byte_ids[static_cast<unsigned char>(t[0])] = id;
    }
    for (int b = 0; b < 256; ++b)
        LADDER_CHECK(m.byte_ids[b] >= 0, "BPE vocabulary: no token for the byte 0x{:02x}: a byte-level vocabulary "
                     "must hold all 256", b);
    m.ranks = U64Map(merges.size());
    for (std::size_t r = 0; r < merges.size(); ++r) {
        const Merge& g = merges[r];
        LADDER_CHECK(g.left >= 0 && g.left < n && g.right >= 0 && g.right < n && g.result >= 0 && g.result < n,
                     "BPE merge {}: ids ({}, {}) -> {} outside the vocabulary of {} tokens", r, g.left, g.right, g.result, n);
        const std::string joined = tokens[g.left] + tokens[g.right];
        LADDER_CHECK(joined == tokens[g.result], "BPE merge {}: '{}' + '{}' is '{}', but token {} is '{}'", r,
                     printable(tokens[g.left]), printable(tokens[g.right]), printable(joined), g.result,
                     printable(tokens[g.result]));
        const std::uint64_t key = pair_key(g.left, g.right);
        LADDER_CHECK(!m.ranks.find(key), "BPE merge {}: the pair ('{}', '{}') is already merged earlier", r,
                     printable(tokens[g.left]), printable(tokens[g.right]));
        m.ranks.insert(key, (static_cast<std::uint64_t>(r) << 32) | static_cast<std::uint32_t>(g.result));
    }
    for (TokenId s : specials) {
        LADDER_CHECK(s >= 0 && s < n, "BPE vocabulary: special token id {} outside the vocabulary of {} tokens", s, n);
        m.specials.emplace_back(tokens[s], s);
    }
    // Longest first, so that a special token that starts another one loses to it.
    std::sort(m.specials.begin(), m.specials.end(), [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
    m.tokens = std::move(tokens);
    m.merges = std::move(merges);
}

BpeTokenizer::~BpeTokenizer() = default;
BpeTokenizer::BpeTokenizer(BpeTokenizer&&) noexcept = default;
BpeTokenizer& BpeTokenizer::operator=(BpeTokenizer&&) noexcept = default;

std::string BpeTokenizer::name() const { return fmt::format("bpe ({} tokens)", impl_->tokens.size()); }
std::size_t BpeTokenizer::vocab_size() const { return impl_->tokens.size(); }
const std::vector<Merge>& BpeTokenizer::merges() const { return impl_->merges; }
TokenId BpeTokenizer::byte_id(unsigned char b) const { return impl_->byte_ids[b]; }

std::string BpeTokenizer::token_bytes(TokenId id) const {
    LADDER_CHECK(id >= 0 && static_cast<std::size_t>(id) < impl_->tokens.size(),
                 "token id {} is outside the vocabulary (0..{})", id, impl_->tokens.size() - 1);
    return impl_->tokens[static_cast<std::size_t>(id)];
}

std::optional<TokenId> BpeTokenizer::token_id(std::string_view bytes) const {
    const auto it = impl_->lookup.find(std::string(bytes));
    if (it == impl_->lookup.end()) return std::nullopt;
    return it->second;
}

std::optional<TokenId> BpeTokenizer::special_id(std::string_view text) const {
    for (const auto& [s, id] : impl_->specials)
        if (s == text) return id;
    return std::nullopt;
}

std::string BpeTokenizer::decode(std::span<const TokenId> ids) const {
    const auto& tokens = impl_->tokens;
    std::string out;
    for (std::size_t i = 0; i < ids.size(); ++i) {
        const TokenId id = ids[i];
        LADDER_CHECK(id >= 0 && static_cast<std::size_t>(id) < tokens.size(),
                     "decode: id {} at position {} is outside the vocabulary (0..{})", id, i, tokens.size() - 1);
        out += tokens[static_cast<std::size_t>(id)];
    }
    return out;
}

// ---- the merge loop ----

// [book:merge-short]
// Short pieces (most words): keep the rank of every adjacent pair; merge the pair of
// lowest rank (the leftmost on a tie), then refresh only the two ranks beside it.
// O(n) per merge, so O(n^2) per piece: fine for the few bytes of a word.
void Impl::merge_short(std::vector<TokenId>& syms) const {
    std::size_t n = syms.size();
    std::uint32_t pr[kShortPiece];   // rank of the pair (i, i + 1)
    TokenId results[kShortPiece];
    auto look = [&](std::size_t i) {
        const std::uint64_t* v = this->ranks.find(pair_key(syms[i], syms[i + 1]));
        pr[i] = v ? static_cast<std::uint32_t>(*v >> 32) : kNoRank;
        results[i] = v ? static_cast<TokenId>(*v & 0xFFFFFFFFu) : -1;
    };
    for (std::size_t i = 0; i + 1 < n; ++i) look(i);
    while (n > 1) {
        std::size_t best = 0;
        for (std::size_t i = 1; i + 1 < n; ++i)
            if (pr[i] < pr[best]) best = i;
        if (pr[best] == kNoRank) break;
        syms[best] = results[best];                     // (a, b) -> ab
        for (std::size_t i = best + 1; i + 1 < n; ++i) {   // close the gap
            syms[i] = syms[i + 1];
            pr[i] = pr[i + 1];
            results[i] = results[i + 1];
        }
        --n;
        if (best > 0) look(best - 1);
        if (best + 1 < n) look(best);
    }
    syms.resize(n);
}
// [/book]

// [book:merge-long]
// Long pieces (a run of 10,000 spaces, a minified file): a heap of (rank, position) and a
// linked list of symbols. Each merge pops the lowest-ranked pair and pushes the two new
// pairs beside it; stale entries (a symbol merged away since) are skipped when popped.
// O(n log n) per piece instead of O(n^2).
void Impl::merge_long(std::vector<TokenId>& syms) const {
    const std::size_t n = syms.size();
    std::vector<std::int64_t> prev(n), next(n);
    for (std::size_t i = 0; i < n; ++i) {
        prev[i] = static_cast<std::int64_t>(i) - 1;
        next[i] = i + 1 < n ? static_cast<std::int64_t>(i + 1) : -1;
    }
    std::vector<char> alive(n, 1);
    using Entry = std::pair<std::uint64_t, std::uint64_t>;   // (rank, left position)
    std::priority_queue<Entry, std::vector<Entry>, std::greater<>> heap;
    auto push = [&](std::int64_t i) {
        if (i < 0 || next[i] < 0) return;
        if (const std::uint64_t* v = ranks.find(pair_key(syms[i], syms[next[i]])))
            heap.emplace(*v >> 32, static_cast<std::uint64_t>(i));
    };
    for (std::size_t i = 0; i + 1 < n; ++i) push(static_cast<std::int64_t>(i));
    while (!heap.empty()) {
        const auto [rank, pos] = heap.top();
        heap.pop();
        const auto i = static_cast<std::int64_t>(pos);
        if (!alive[i] || next[i] < 0) continue;
        const std::uint64_t* v = ranks.find(pair_key(syms[i], syms[next[i]]));
        if (!v || (*v >> 32) != rank) continue;         // stale: this pair changed since
        const std::int64_t j = next[i];
        syms[i] = static_cast<TokenId>(*v & 0xFFFFFFFFu);
        alive[j] = 0;
        next[i] = next[j];
        if (next[j] >= 0) prev[next[j]] = i;
        push(prev[i]);
        push(i);
    }
    std::size_t k = 0;
    for (std::size_t i = 0; i < n; ++i)
        if (alive[i]) syms[k++] = syms[i];
    syms.resize(k);
}
// [/book]

void Impl::bpe(std::string_view piece, std::vector<TokenId>& syms, MergeLoop loop) const {
    syms.resize(piece.size());
    for (std::size_t i = 0; i < piece.size(); ++i) syms[i] = byte_ids[static_cast<unsigned char>(piece[i])];
    const bool short_piece = piece.size() <= kShortPiece;
    if (loop == MergeLoop::short_only || (loop == MergeLoop::automatic && short_piece)) {
        LADDER_CHECK(short_piece, "merge_short: a piece of {} bytes (at most {})", piece.size(), kShortPiece);
        merge_short(syms);
    } else {
        merge_long(syms);
    }
}

std::vector<TokenId> BpeTokenizer::encode_piece(std::string_view piece) const {
    std::vector<TokenId> syms;
    impl_->bpe(piece, syms, MergeLoop::automatic);
    return syms;
}

std::vector<TokenId> encode_piece_with(const BpeTokenizer& t, std::string_view piece, MergeLoop loop) {
    std::vector<TokenId> syms;
    t.impl().bpe(piece, syms, loop);
    return syms;
}

// ---- encoding text ----

namespace {

// Each thread keeps one cache, for the tokenizer it encoded with last.
struct ThreadCache {
    std::uint64_t owner = 0;
    PieceCache cache;
};
thread_local ThreadCache tls_cache;
constexpr std::size_t kCacheMaxBytes = 64u << 20;

}  // namespace

// [book:encode-ordinary]
void Impl::encode_ordinary(std::string_view text, std::vector<TokenId>& out, bool fresh_cache) const {
    if (tls_cache.owner != uid || fresh_cache) {
        tls_cache.cache.clear();
        tls_cache.owner = uid;
    }
    PieceCache& cache = tls_cache.cache;
    std::vector<TokenId> syms;
    for (std::size_t i = 0; i < text.size();) {
        const std::size_t end = pretoken_end(text, i);
        const std::string_view piece = text.substr(i, end - i);
        i = end;
        if (piece.size() == 1) {                   // one byte: one token, no lookup
            out.push_back(byte_ids[static_cast<unsigned char>(piece[0])]);
            continue;
        }
        const std::uint64_t h = hash_bytes(piece);
        std::uint32_t count = 0;
        if (const TokenId* ids = cache.find(piece, h, &count)) {   // seen before: copy
            out.insert(out.end(), ids, ids + count);
            continue;
        }
        bpe(piece, syms, MergeLoop::automatic);
        if (cache.bytes() > kCacheMaxBytes) cache.clear();
        cache.insert(piece, h, syms.data(), static_cast<std::uint32_t>(syms.size()));
        out.insert(out.end(), syms.begin(), syms.end());
    }
}
// [/book]

// [book:split-points]
// Where can a large text be cut so that each part encodes to exactly the ids it gets
// inside the whole? Before a space (U+0020) that follows a character that is not a space:
// every rule of the pre-tokeniser ends a piece there (a run of letters, numbers or other
// characters stops at the space; a run of spaces cannot reach back across the character
// before it), the space starts the next piece (" word"), and no rule looks behind. An
// ASCII character before it keeps the cut out of a multi-byte character.
std::size_t next_split_point(std::string_view text, std::size_t from) {
    for (std::size_t i = std::max<std::size_t>(from, 1); i < text.size(); ++i) {
        const auto prev = static_cast<unsigned char>(text[i - 1]);
        if (text[i] == ' ' && prev < 0x80 && gpt2_char_class(prev) != CharClass::space) return i;
    }
    return text.size();
}
// [/book]

std::vector<std::string_view> split_for_threads(std::string_view text, std::size_t parts) {
    std::vector<std::string_view> out;
    const std::size_t target = std::max<std::size_t>(text.size() / std::max<std::size_t>(parts, 1), 1);
    std::size_t begin = 0;
    while (begin < text.size()) {
        const std::size_t end = out.size() + 1 >= parts ? text.size() : next_split_point(text, begin + target);
        out.push_back(text.substr(begin, end - begin));
        begin = end;
    }
    return out;
}

void Impl::encode_segment(std::string_view text, const EncodeOptions& opts, unsigned threads, std::vector<TokenId>& out) const {
    constexpr std::size_t kMinParallel = 1 << 18;   // below 256 KiB, threads cost more than they save
    if (threads <= 1 || text.size() < kMinParallel) return encode_ordinary(text, out, opts.fresh_cache);
    // Several parts per thread, taken in turn, so that one slow part does not idle the rest.
    const std::vector<std::string_view> parts = split_for_threads(text, 4 * threads);
    std::vector<std::vector<TokenId>> ids(parts.size());
    std::atomic<std::size_t> next{0};
    auto work = [&] {
        bool fresh = opts.fresh_cache;
        for (std::size_t p; (p = next++) < parts.size();) {
            ids[p].reserve(parts[p].size() / 3);
            encode_ordinary(parts[p], ids[p], fresh);
            fresh = false;
        }
    };
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work);
    work();
    for (auto& th : pool) th.join();
    for (const auto& v : ids) out.insert(out.end(), v.begin(), v.end());
}

std::vector<TokenId> BpeTokenizer::encode(std::string_view text, const EncodeOptions& opts) const {
    const Impl& m = *impl_;
    unsigned threads = opts.threads;
    if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
    std::vector<TokenId> out;
    out.reserve(text.size() / 4 + 16);
    std::size_t begin = 0;
    if (opts.allow_special && !m.specials.empty()) {
        // Special tokens cut the text first; the parts between them are ordinary text.
        for (;;) {
            std::size_t best = std::string_view::npos;
            TokenId best_id = -1;
            std::size_t best_len = 0;
            for (const auto& [s, id] : m.specials) {
                const std::size_t at = text.find(s, begin);
                if (at < best) {   // earliest; on a tie the longer (listed first) wins
                    best = at;
                    best_id = id;
                    best_len = s.size();
                }
            }
            if (best == std::string_view::npos) break;
            m.encode_segment(text.substr(begin, best - begin), opts, threads, out);
            out.push_back(best_id);
            begin = best + best_len;
        }
    }
    m.encode_segment(text.substr(begin), opts, threads, out);
    return out;
}

}  // namespace ladder::tok
