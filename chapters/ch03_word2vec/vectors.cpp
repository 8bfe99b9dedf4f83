// vectors.cpp: word vector I/O (word2vec text and binary), cosine search on a backend,
// analogies, the questions-words evaluation and odd-one-out. Introduced in ch03.
#include "chapters/ch03_word2vec/vectors.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <sstream>

#include "core/backend.hpp"
#include "core/error.hpp"
#include "core/fileio.hpp"
#include "core/text.hpp"
#include "kernels/cosine_topk/cosine_topk.hpp"
#include "kernels/embedding_gather/embedding_gather.hpp"
#include "kernels/matmul/matmul.hpp"

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

// ---- search ----

struct Searcher::DeviceTable {
    Backend be;
    Tensor table, inv;
};

Searcher::Searcher(const Embeddings& e, Device device) : e_(e), device_(device) {
    if (device == Device::cpu) return;
    std::vector<float> inv(e.size());
    for (std::size_t i = 0; i < e.size(); ++i) {
        double ss = 0;
        for (std::size_t j = 0; j < e.D; ++j) ss += static_cast<double>(e.unit[i * e.D + j]) * e.unit[i * e.D + j];
        inv[i] = ss > 0 ? 1.0f : 0.0f;   // unit rows: 1 / |e| = 1; zero rows: 0
    }
    Backend be(device);
    dev_ = std::make_unique<DeviceTable>(DeviceTable{be, be.upload(e.unit, Shape{e.size(), e.D}), be.upload(inv, Shape{e.size()})});
}

Searcher::~Searcher() = default;

namespace {

bool better(float sa, std::int32_t ia, float sb, std::int32_t ib) { return sa > sb || (sa == sb && ia < ib); }

// The k best of sims (V) outside `ex`, best first.
std::vector<std::int32_t> best_k(const float* sims, std::size_t V, const std::vector<std::int32_t>& ex, std::size_t k) {
    std::vector<std::int32_t> top;
    top.reserve(k + 1);
    for (std::size_t v = 0; v < V; ++v) {
        const auto id = static_cast<std::int32_t>(v);
        if (top.size() == k && !better(sims[v], id, sims[top.back()], top.back())) continue;
        if (std::find(ex.begin(), ex.end(), id) != ex.end()) continue;
        auto at = std::find_if(top.begin(), top.end(), [&](std::int32_t t) { return better(sims[v], id, sims[t], t); });
        top.insert(at, id);
        if (top.size() > k) top.pop_back();
    }
    return top;
}

}  // namespace

std::vector<std::vector<Neighbour>> Searcher::topk(const std::vector<float>& queries, std::size_t M,
                                                   const std::vector<std::vector<std::int32_t>>& exclude,
                                                   std::size_t k) const {
    const std::size_t V = e_.size(), D = e_.D;
    LADDER_CHECK(queries.size() == M * D && exclude.size() == M, "topk: {} query values and {} exclusion lists for {} queries",
                 queries.size(), exclude.size(), M);
    std::vector<std::vector<Neighbour>> out(M);
    if (device_ == Device::cpu) {
        // sims (m, V) = Q (m,D) unit^T (D,V), one OpenBLAS product per 128 queries.
        constexpr std::size_t chunk = 128;
        std::vector<float> sims(chunk * V), q(chunk * D);
        for (std::size_t m0 = 0; m0 < M; m0 += chunk) {
            const std::size_t mc = std::min(chunk, M - m0);
            for (std::size_t m = 0; m < mc; ++m) {   // unit queries, so the sims are cosines
                const float* src = queries.data() + (m0 + m) * D;
                double ss = 0;
                for (std::size_t j = 0; j < D; ++j) ss += static_cast<double>(src[j]) * src[j];
                const float inv = ss > 0 ? static_cast<float>(1 / std::sqrt(ss)) : 0.0f;
                for (std::size_t j = 0; j < D; ++j) q[m * D + j] = src[j] * inv;
            }
            matmul_cpu(sims.data(), q.data(), e_.unit.data(), MatmulDims{.M = mc, .N = V, .K = D, .tb = true});
            for (std::size_t m = 0; m < mc; ++m)
                for (std::int32_t id : best_k(sims.data() + m * V, V, exclude[m0 + m], k))
                    out[m0 + m].push_back({e_.words[id], sims[m * V + id]});
        }
        return out;
    }
    LADDER_CHECK(k <= cosine_topk_max_k, "topk: k = {} is more than the GPU kernel's {}", k, cosine_topk_max_k);
    std::size_t X = 1;
    for (const auto& ex : exclude) X = std::max(X, ex.size());
    std::vector<std::int32_t> ex_flat(M * X, -1);
    for (std::size_t m = 0; m < M; ++m) std::copy(exclude[m].begin(), exclude[m].end(), ex_flat.begin() + m * X);
    const Backend& be = dev_->be;
    Tensor q = be.upload(queries, Shape{M, D}), ex = be.upload(ex_flat, Shape{M, X});
    Tensor ids = be.empty(Shape{M, k}, DType::i32), sims = be.empty(Shape{M, k});
    cosine_topk(be, ids, sims, q, dev_->table, dev_->inv, ex);
    const auto ids_h = ids.to_vector_i32();
    const auto sims_h = sims.to_vector();
    for (std::size_t m = 0; m < M; ++m)
        for (std::size_t i = 0; i < k; ++i)
            if (ids_h[m * k + i] >= 0) out[m].push_back({e_.words[ids_h[m * k + i]], sims_h[m * k + i]});
    return out;
}

std::vector<std::vector<Neighbour>> Searcher::neighbours(const std::vector<std::string>& words, std::size_t k) const {
    std::vector<std::int32_t> ids;
    std::vector<std::vector<std::int32_t>> exclude;
    for (const auto& w : words) {
        ids.push_back(e_.require(w, "a neighbours query"));
        exclude.push_back({ids.back()});
    }
    const std::size_t M = ids.size(), D = e_.D;
    std::vector<float> q(M * D);
    if (device_ == Device::cpu) {
        for (std::size_t m = 0; m < M; ++m) std::copy_n(e_.unit_row(ids[m]), D, q.begin() + m * D);
    } else {
        // The query rows never leave the device's copy of the table: gather them there.
        const Backend& be = dev_->be;
        Tensor ids_t = be.upload(ids, Shape{M}), rows = be.empty(Shape{M, D});
        embedding_gather(be, rows, dev_->table, ids_t);
        q = rows.to_vector();
    }
    return topk(q, M, exclude, k);
}

// ---- analogies ----

std::vector<QuestionSection> read_questions(const std::filesystem::path& path) {
    const std::string text = read_file(path);
    require_valid_utf8(text, path.string());
    std::vector<QuestionSection> out;
    LineReader lines(text);
    for (std::string_view line; lines.next(line);) {
        const std::size_t line_no = lines.number();
        if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
        if (line[0] == ':') {
            std::string name(line.substr(1));
            name.erase(0, name.find_first_not_of(' '));
            out.push_back({name, {}});
            continue;
        }
        std::istringstream ws(casefold_nfc(line));
        std::vector<std::string> w{std::istream_iterator<std::string>(ws), std::istream_iterator<std::string>()};
        LADDER_CHECK(w.size() == 4, "{}: line {}: expected 4 words \"a b c d\" (a is to b as c is to d), found {}",
                     path.string(), line_no, w.size());
        if (out.empty()) out.push_back({"questions", {}});
        out.back().questions.push_back({w[0], w[1], w[2], w[3]});
    }
    std::size_t n = 0;
    for (const auto& s : out) n += s.questions.size();
    LADDER_CHECK(n > 0, "{}: no questions (expected \": section\" lines and \"a b c d\" lines)", path.string());
    return out;
}

const char* method_name(AnalogyMethod m) { return m == AnalogyMethod::add ? "3CosAdd" : "3CosMul"; }

// [book:analogy]
std::vector<Neighbour> analogies(const Searcher& s, const std::vector<Question>& qs, AnalogyMethod m, std::size_t k) {
    const Embeddings& e = s.embeddings();
    const std::size_t M = qs.size(), D = e.D, V = e.size();
    std::vector<std::int32_t> a(M), b(M), c(M);
    std::vector<std::vector<std::int32_t>> exclude(M);
    for (std::size_t i = 0; i < M; ++i) {
        a[i] = e.require(qs[i].a, "an analogy");
        b[i] = e.require(qs[i].b, "an analogy");
        c[i] = e.require(qs[i].c, "an analogy");
        exclude[i] = {a[i], b[i], c[i]};
    }
    std::vector<Neighbour> best(M);
    if (m == AnalogyMethod::add) {
        // 3CosAdd: the word nearest to b - a + c ("king - man + woman").
        std::vector<float> q(M * D);
        for (std::size_t i = 0; i < M; ++i)
            for (std::size_t j = 0; j < D; ++j)
                q[i * D + j] = e.unit_row(b[i])[j] - e.unit_row(a[i])[j] + e.unit_row(c[i])[j];
        const auto top = s.topk(q, M, exclude, k);
        for (std::size_t i = 0; i < M; ++i) best[i] = top[i].empty() ? Neighbour{} : top[i][0];
        return best;
    }
    // 3CosMul: similarities of every word to a, b and c (rows of one product per 64
    // questions), then cos'(d,b) cos'(d,c) / (cos'(d,a) + eps), cos' = (cos + 1) / 2 in [0, 1].
    constexpr std::size_t chunk = 64;
    std::vector<float> abc(3 * chunk * D), sims(3 * chunk * V);
    for (std::size_t i0 = 0; i0 < M; i0 += chunk) {
        const std::size_t n = std::min(chunk, M - i0);
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t r = 0; r < 3; ++r) {
                const std::int32_t id = r == 0 ? a[i0 + i] : r == 1 ? b[i0 + i] : c[i0 + i];
                std::copy_n(e.unit_row(id), D, abc.begin() + static_cast<std::ptrdiff_t>((3 * i + r) * D));
            }
        matmul_cpu(sims.data(), abc.data(), e.unit.data(), MatmulDims{.M = 3 * n, .N = V, .K = D, .tb = true});
        for (std::size_t i = 0; i < n; ++i) {
            const float *sa = sims.data() + 3 * i * V, *sb = sa + V, *sc = sb + V;
            float best_score = -std::numeric_limits<float>::infinity();
            for (std::size_t d = 0; d < V; ++d) {
                const auto id = static_cast<std::int32_t>(d);
                if (id == a[i0 + i] || id == b[i0 + i] || id == c[i0 + i]) continue;
                const float score = ((sb[d] + 1) / 2) * ((sc[d] + 1) / 2) / ((sa[d] + 1) / 2 + 0.001f);
                if (score > best_score) {
                    best_score = score;
                    best[i0 + i] = {e.words[d], score};
                }
            }
        }
    }
    return best;
}
// [/book]

Evaluation evaluate(const Searcher& s, const std::vector<QuestionSection>& sections, AnalogyMethod m) {
    const Embeddings& e = s.embeddings();
    Evaluation ev;
    for (const auto& sec : sections) {
        SectionScore sc{sec.name, 0, 0, sec.questions.size()};
        std::vector<Question> known;
        for (const auto& q : sec.questions)
            if (e.id(q.a) >= 0 && e.id(q.b) >= 0 && e.id(q.c) >= 0 && e.id(q.d) >= 0) known.push_back(q);
        const auto answers = known.empty() ? std::vector<Neighbour>{} : analogies(s, known, m);
        for (std::size_t i = 0; i < known.size(); ++i) sc.correct += answers[i].word == known[i].d ? 1 : 0;
        sc.answered = known.size();
        ev.correct += sc.correct;
        ev.answered += sc.answered;
        ev.total += sc.total;
        ev.sections.push_back(sc);
    }
    return ev;
}

// [book:odd-one-out]
std::string odd_one_out(const Embeddings& e, const std::vector<std::string>& words) {
    LADDER_CHECK(words.size() >= 3, "odd one out: give at least 3 words, got {}", words.size());
    std::vector<double> mean(e.D, 0.0);
    std::vector<std::int32_t> ids;
    for (const auto& w : words) {
        ids.push_back(e.require(w, "an odd-one-out query"));
        for (std::size_t j = 0; j < e.D; ++j) mean[j] += e.unit_row(ids.back())[j];
    }
    // The word whose direction agrees least with the group's mean direction.
    std::size_t worst = 0;
    double worst_sim = std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < ids.size(); ++i) {
        double dot = 0;
        for (std::size_t j = 0; j < e.D; ++j) dot += mean[j] * e.unit_row(ids[i])[j];
        if (dot < worst_sim) {
            worst_sim = dot;
            worst = i;
        }
    }
    return words[worst];
}
// [/book]

}  // namespace ladder::ch03
