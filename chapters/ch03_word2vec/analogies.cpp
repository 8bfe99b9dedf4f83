// analogies.cpp: analogies (3CosAdd on the Searcher's backend, 3CosMul on the CPU), the
// questions-words reader and evaluation, and odd-one-out. Introduced in ch03.
#include "chapters/ch03_word2vec/analogies.hpp"

#include <algorithm>
#include <iterator>
#include <limits>
#include <sstream>

#include "core/error.hpp"
#include "core/fileio.hpp"
#include "core/text.hpp"
#include "kernels/matmul/matmul.hpp"

namespace ladder::ch03 {

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
