// simple_tokenizers.cpp: the three tokenizers BPE is compared with: raw bytes, Unicode
// characters and whole words. Introduced in ch04.
#include <algorithm>
#include <map>

#include "chapters/ch04_tokenization/pretokenize.hpp"
#include "chapters/ch04_tokenization/tokenizer.hpp"
#include "core/error.hpp"
#include "core/text.hpp"

namespace ladder::tok {

namespace {
void check_id(TokenId id, std::size_t pos, std::size_t vocab) {
    LADDER_CHECK(id >= 0 && static_cast<std::size_t>(id) < vocab, "decode: id {} at position {} is outside the vocabulary (0..{})",
                 id, pos, vocab - 1);
}
}  // namespace

// ---- bytes ----
std::vector<TokenId> ByteTokenizer::encode(std::string_view text) const {
    std::vector<TokenId> ids(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) ids[i] = static_cast<unsigned char>(text[i]);
    return ids;
}
std::string ByteTokenizer::decode(std::span<const TokenId> ids) const {
    std::string out(ids.size(), '\0');
    for (std::size_t i = 0; i < ids.size(); ++i) {
        check_id(ids[i], i, 256);
        out[i] = static_cast<char>(ids[i]);
    }
    return out;
}
std::string ByteTokenizer::token_bytes(TokenId id) const {
    check_id(id, 0, 256);
    return std::string(1, static_cast<char>(id));
}
std::optional<TokenId> ByteTokenizer::token_id(std::string_view bytes) const {
    if (bytes.size() != 1) return std::nullopt;
    return static_cast<unsigned char>(bytes[0]);
}

// ---- characters ----
// Code points of any byte string: an invalid byte becomes U+FFFD (never in the vocabulary).
namespace {
std::vector<std::pair<char32_t, bool>> code_points(std::string_view text) {
    std::vector<std::pair<char32_t, bool>> out;   // (code point, valid)
    for (std::size_t i = 0; i < text.size();) {
        char32_t cp = 0;
        const std::size_t len = utf8_length_at(text, i, &cp);
        const bool valid = !(len == 1 && static_cast<unsigned char>(text[i]) >= 0x80);
        out.emplace_back(cp, valid);
        i += len;
    }
    return out;
}
}  // namespace

CharTokenizer::CharTokenizer(std::string_view corpus) {
    std::map<char32_t, std::size_t> counts;   // ordered: ids by code point, reproducible
    for (auto [cp, valid] : code_points(corpus))
        if (valid) ++counts[cp];
    tokens_.emplace_back(kUnknown);
    for (const auto& [cp, count] : counts) {
        ids_.emplace(cp, static_cast<TokenId>(tokens_.size()));
        std::string s;
        append_utf8(s, cp);
        tokens_.push_back(std::move(s));
    }
}
std::vector<TokenId> CharTokenizer::encode(std::string_view text) const {
    std::vector<TokenId> ids;
    for (auto [cp, valid] : code_points(text)) {
        const auto it = valid ? ids_.find(cp) : ids_.end();
        ids.push_back(it == ids_.end() ? 0 : it->second);
    }
    return ids;
}
std::string CharTokenizer::decode(std::span<const TokenId> ids) const {
    std::string out;
    for (std::size_t i = 0; i < ids.size(); ++i) {
        check_id(ids[i], i, tokens_.size());
        out += tokens_[static_cast<std::size_t>(ids[i])];
    }
    return out;
}
std::string CharTokenizer::token_bytes(TokenId id) const {
    check_id(id, 0, tokens_.size());
    return tokens_[static_cast<std::size_t>(id)];
}
std::optional<TokenId> CharTokenizer::token_id(std::string_view bytes) const {
    const auto cps = code_points(bytes);
    if (cps.size() != 1 || !cps[0].second) return bytes == kUnknown ? std::optional<TokenId>(0) : std::nullopt;
    const auto it = ids_.find(cps[0].first);
    return it == ids_.end() ? std::nullopt : std::optional<TokenId>(it->second);
}

// ---- words ----
WordTokenizer::WordTokenizer(std::string_view corpus, std::size_t max_words) {
    // split_words wants valid UTF-8: a corpus with broken bytes is repaired (U+FFFD) first.
    const std::string text = find_invalid_utf8(corpus) ? replace_invalid_utf8(corpus) : std::string(corpus);
    std::unordered_map<std::string, std::size_t> counts;
    std::size_t total = 0;
    for (auto& w : split_words(text)) {
        ++counts[w];
        ++total;
    }
    std::vector<std::pair<std::string, std::size_t>> by_count(counts.begin(), counts.end());
    // Most frequent first; ties alphabetical, so the vocabulary is reproducible.
    std::sort(by_count.begin(), by_count.end(), [](const auto& a, const auto& b) {
        return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    if (by_count.size() > max_words) by_count.resize(max_words);
    tokens_.emplace_back(kUnknown);
    std::size_t covered = 0;
    for (auto& [w, c] : by_count) {
        covered += c;
        ids_.emplace(w, static_cast<TokenId>(tokens_.size()));
        tokens_.push_back(w);
    }
    coverage_ = total ? static_cast<double>(covered) / static_cast<double>(total) : 0.0;
}
std::vector<TokenId> WordTokenizer::encode(std::string_view text) const {
    const std::string valid = find_invalid_utf8(text) ? replace_invalid_utf8(text) : std::string(text);
    std::vector<TokenId> ids;
    for (const auto& w : split_words(valid)) {
        const auto it = ids_.find(w);
        ids.push_back(it == ids_.end() ? 0 : it->second);
    }
    return ids;
}
std::string WordTokenizer::decode(std::span<const TokenId> ids) const {
    std::string out;
    for (std::size_t i = 0; i < ids.size(); ++i) {
        check_id(ids[i], i, tokens_.size());
        if (i) out += ' ';
        out += tokens_[static_cast<std::size_t>(ids[i])];
    }
    return out;
}
std::string WordTokenizer::token_bytes(TokenId id) const {
    check_id(id, 0, tokens_.size());
    return tokens_[static_cast<std::size_t>(id)];
}
std::optional<TokenId> WordTokenizer::token_id(std::string_view bytes) const {
    const auto it = ids_.find(std::string(bytes));
    if (it != ids_.end()) return it->second;
    return bytes == kUnknown ? std::optional<TokenId>(0) : std::nullopt;
}

}  // namespace ladder::tok
