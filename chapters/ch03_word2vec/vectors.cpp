// vectors.cpp: the word-vector table and its word2vec text and binary formats. Introduced
// in ch03.
#include "chapters/ch03_word2vec/vectors.hpp"

#include <charconv>
#include <cmath>
#include <cstring>

#include "core/error.hpp"
#include "core/fileio.hpp"
#include "core/text.hpp"

namespace ladder::ch03 {

// ---- the table ----

Embeddings::Embeddings(std::vector<std::string> w, std::vector<float> v, std::size_t dim)
    : words(std::move(w)), D(dim), vecs(std::move(v)) {
    LADDER_CHECK(vecs.size() == words.size() * D, "embeddings: {} values for {} words of dimension {}", vecs.size(),
                 words.size(), D);
    for (std::size_t i = 0; i < words.size(); ++i) index.emplace(words[i], static_cast<std::int32_t>(i));
    unit = vecs;
    for (std::size_t i = 0; i < words.size(); ++i) {
        float* row = unit.data() + i * D;
        double ss = 0;
        for (std::size_t j = 0; j < D; ++j) ss += static_cast<double>(row[j]) * row[j];
        const float inv = ss > 0 ? static_cast<float>(1 / std::sqrt(ss)) : 0.0f;
        for (std::size_t j = 0; j < D; ++j) row[j] *= inv;
    }
}

std::int32_t Embeddings::id(const std::string& w) const {
    const auto it = index.find(w);
    return it == index.end() ? -1 : it->second;
}

std::int32_t Embeddings::require(const std::string& w, const std::string& where) const {
    const std::int32_t i = id(w);
    LADDER_CHECK(i >= 0, "unknown word '{}' (in {}): not among the {} words of the vocabulary", w, where, words.size());
    return i;
}

// ---- word2vec formats ----

// [book:save-binary]
void save_binary(const Embeddings& e, const std::filesystem::path& path) {
    write_file_atomic(path, [&](std::ostream& os) {
        os << e.size() << ' ' << e.D << '\n';
        for (std::size_t i = 0; i < e.size(); ++i) {
            os << e.words[i] << ' ';
            // Raw little-endian float32 (x86 and ARM are little-endian), as word2vec.c writes.
            os.write(reinterpret_cast<const char*>(e.vecs.data() + i * e.D), static_cast<std::streamsize>(e.D * sizeof(float)));
            os << '\n';
        }
    });
}
// [/book]

void save_text(const Embeddings& e, const std::filesystem::path& path) {
    write_file_atomic(path, [&](std::ostream& os) {
        os << e.size() << ' ' << e.D << '\n';
        std::string line;
        for (std::size_t i = 0; i < e.size(); ++i) {
            line = e.words[i];
            // {:.9g}: enough digits that every float reads back bit for bit.
            for (std::size_t j = 0; j < e.D; ++j) line += fmt::format(" {:.9g}", e.vecs[i * e.D + j]);
            os << line << '\n';
        }
    });
}

namespace {

// "V D" from the first line; `where` names the file.
std::pair<std::size_t, std::size_t> parse_header(std::string_view line, const std::string& where) {
    std::size_t V = 0, D = 0;
    const char* p = line.data();
    const char* end = line.data() + line.size();
    auto r1 = std::from_chars(p, end, V);
    if (r1.ec == std::errc() && r1.ptr < end && *r1.ptr == ' ') {
        auto r2 = std::from_chars(r1.ptr + 1, end, D);
        if (r2.ec == std::errc() && (r2.ptr == end || *r2.ptr == '\r') && V > 0 && D > 0) return {V, D};
    }
    LADDER_THROW("{}: line 1: expected a header \"<words> <dimension>\" (two positive integers), found \"{}\"", where,
                 std::string(line.substr(0, 60)));
}

void check_dim(std::size_t D, std::optional<std::size_t> expected, const std::string& where) {
    LADDER_CHECK(!expected || *expected == D, "{}: the vectors have dimension {}, expected {} (--dim)", where, D, *expected);
}

Embeddings load_text(const std::string& bytes, const std::string& where, std::optional<std::size_t> expected_dim) {
    LineReader lines(bytes);
    std::string_view line;
    LADDER_CHECK(lines.next(line), "{}: the file is empty (expected a header \"<words> <dimension>\")", where);
    const auto [V, D] = parse_header(line, where);
    check_dim(D, expected_dim, where);
    std::vector<std::string> words;
    std::vector<float> vecs;
    words.reserve(V);
    vecs.reserve(V * D);
    while (words.size() < V) {
        LADDER_CHECK(lines.next(line), "{}: truncated: the header promises {} words, the file ends after {} (line {})", where,
                     V, words.size(), lines.number());
        const std::size_t sp = line.find(' ');
        LADDER_CHECK(sp != std::string_view::npos && sp > 0, "{}: line {}: expected \"<word> <{} numbers>\"", where,
                     lines.number(), D);
        words.emplace_back(line.substr(0, sp));
        std::size_t n = 0;
        const char* p = line.data() + sp;
        const char* end = line.data() + line.size();
        while (p < end) {
            while (p < end && *p == ' ') ++p;
            if (p == end) break;
            float x = 0;
            const auto r = std::from_chars(p, end, x);
            LADDER_CHECK(r.ec == std::errc(), "{}: line {}: value {} of '{}' is not a number", where, lines.number(), n + 1,
                         words.back());
            if (n < D) vecs.push_back(x);
            ++n;
            p = r.ptr;
        }
        LADDER_CHECK(n == D, "{}: line {}: '{}' has {} values, but the header says the dimension is {}", where, lines.number(),
                     words.back(), n, D);
    }
    return Embeddings(std::move(words), std::move(vecs), D);
}

Embeddings load_binary(const std::string& bytes, const std::string& where, std::optional<std::size_t> expected_dim) {
    const std::size_t eol = bytes.find('\n');
    LADDER_CHECK(eol != std::string::npos, "{}: no header line (expected \"<words> <dimension>\\n\")", where);
    const auto [V, D] = parse_header(std::string_view(bytes).substr(0, eol), where);
    check_dim(D, expected_dim, where);
    std::vector<std::string> words;
    std::vector<float> vecs(V * D);
    std::size_t pos = eol + 1;
    for (std::size_t i = 0; i < V; ++i) {
        while (pos < bytes.size() && bytes[pos] == '\n') ++pos;   // the newline after the previous record
        const std::size_t sp = bytes.find(' ', pos);
        LADDER_CHECK(sp != std::string::npos && sp - pos < 1000,
                     "{}: truncated at byte {}: record {} of {} has no word (the file ends early)", where, pos, i + 1, V);
        words.emplace_back(bytes.substr(pos, sp - pos));
        // word2vec.c ends each record with '\n', gensim does not; either way the next word
        // starts right after the floats. A word that is not clean text means the floats were
        // not where the header said: its dimension does not match the data.
        LADDER_CHECK(words.back().find_first_of(std::string("\n\0", 2)) == std::string::npos &&
                         !find_invalid_utf8(words.back()),
                     "{}: byte {}: record {} of {} does not start with a word: the dimension in the header ({}) does "
                     "not match the data, or the file is damaged",
                     where, pos, i + 1, V, D);
        pos = sp + 1;
        LADDER_CHECK(pos + D * sizeof(float) <= bytes.size(),
                     "{}: truncated at byte {}: '{}' (record {} of {}) needs {} bytes of floats, {} remain", where, pos,
                     words.back(), i + 1, V, D * sizeof(float), bytes.size() - pos);
        std::memcpy(vecs.data() + i * D, bytes.data() + pos, D * sizeof(float));
        pos += D * sizeof(float);
    }
    while (pos < bytes.size() && (bytes[pos] == '\n' || bytes[pos] == ' ')) ++pos;
    LADDER_CHECK(pos == bytes.size(), "{}: {} bytes after the {} records the header announces: the dimension in the "
                 "header ({}) does not match the data", where, bytes.size() - pos, V, D);
    return Embeddings(std::move(words), std::move(vecs), D);
}

}  // namespace

Embeddings load_vectors(const std::filesystem::path& path, std::optional<std::size_t> expected_dim) {
    const std::string bytes = read_file(path);
    return path.extension() == ".bin" ? load_binary(bytes, path.string(), expected_dim)
                                      : load_text(bytes, path.string(), expected_dim);
}

}  // namespace ladder::ch03
