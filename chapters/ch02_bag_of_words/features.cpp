// features.cpp: count vectors, idf, TF-IDF and cosine search for chapter 2.
#include "chapters/ch02_bag_of_words/features.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"
#include "core/fileio.hpp"
#include "core/text.hpp"
#include "kernels/spmm/spmm.hpp"
#include "kernels/tfidf/tfidf.hpp"
#include "kernels/topk/topk.hpp"

namespace ladder::ch02 {

// [book:count-vectors]
Csr count_vectors(const Vocabulary& vocab, const std::vector<std::string_view>& texts) {
    Csr m;
    m.rows = texts.size();
    m.cols = vocab.size();
    std::vector<std::int32_t> ids;
    for (std::string_view text : texts) {
        ids.clear();
        for_each_word(text, [&](std::string_view w) { ids.push_back(vocab.id(w)); });
        std::sort(ids.begin(), ids.end());   // word order is thrown away here
        for (std::size_t i = 0; i < ids.size();) {
            std::size_t j = i;
            while (j < ids.size() && ids[j] == ids[i]) ++j;   // a run of one word: its count
            m.col.push_back(ids[i]);
            m.val.push_back(static_cast<float>(j - i));
            i = j;
        }
        m.row_ptr.push_back(static_cast<std::int32_t>(m.col.size()));
    }
    return m;
}
// [/book]

std::vector<float> inverse_document_frequency(const Csr& counts) {
    std::vector<std::int64_t> df(counts.cols, 0);
    for (std::int32_t c : counts.col) ++df[static_cast<std::size_t>(c)];   // each column once per row
    std::vector<float> idf(counts.cols);
    const double n = static_cast<double>(counts.rows);
    for (std::size_t w = 0; w < counts.cols; ++w)
        idf[w] = static_cast<float>(std::log((1.0 + n) / (1.0 + static_cast<double>(df[w]))) + 1.0);
    return idf;
}

DeviceCsr upload(const Backend& be, const Csr& m) {
    DeviceCsr d{m.rows, m.cols, be.upload(m.row_ptr, {m.row_ptr.size()}), be.upload(m.col, {m.col.size()}),
                be.upload(m.val, {m.val.size()})};
    return d;
}

Csr tfidf_vectors(const Backend& be, const Csr& counts, const std::vector<float>& idf) {
    LADDER_CHECK(idf.size() == counts.cols, "tfidf_vectors: {} idf values for {} columns", idf.size(), counts.cols);
    const DeviceCsr x = upload(be, counts);
    const Tensor t_idf = be.upload(idf, {idf.size()});
    Tensor out = be.empty({counts.nnz()});
    tfidf(be, out, x.row_ptr, x.col, x.val, t_idf);
    Csr m = counts;
    m.val = out.to_vector();
    return m;
}

Csr with_bias_column(const Csr& m) {
    Csr b;
    b.rows = m.rows;
    b.cols = m.cols + 1;
    for (std::size_t r = 0; r < m.rows; ++r) {
        for (std::int32_t j = m.row_ptr[r]; j < m.row_ptr[r + 1]; ++j) {
            b.col.push_back(m.col[j]);
            b.val.push_back(m.val[j]);
        }
        b.col.push_back(static_cast<std::int32_t>(m.cols));
        b.val.push_back(1.0f);
        b.row_ptr.push_back(static_cast<std::int32_t>(b.col.size()));
    }
    return b;
}

// [book:cosine-search]
std::vector<std::vector<Hit>> cosine_search(const Backend& be, const Csr& docs, const Csr& queries, std::size_t k) {
    LADDER_CHECK(docs.cols == queries.cols, "cosine_search: documents have {} columns, queries {}", docs.cols, queries.cols);
    const std::size_t D = docs.rows, Q = queries.rows, V = docs.cols;
    k = std::min(k, D);
    // The queries as a dense (V, Q) matrix: column q holds query q's TF-IDF weights.
    std::vector<float> q_dense(V * Q, 0.0f);
    for (std::size_t q = 0; q < Q; ++q)
        for (std::int32_t j = queries.row_ptr[q]; j < queries.row_ptr[q + 1]; ++j) q_dense[queries.col[j] * Q + q] = queries.val[j];
    const DeviceCsr x = upload(be, docs);
    const Tensor b = be.upload(q_dense, {V, Q});
    Tensor scores = be.empty({D, Q});
    spmm(be, scores, x.row_ptr, x.col, x.val, V, b);   // scores (D,Q) = docs (D,V) . queries^T (V,Q)
    // topk works along rows: transpose to (Q, D) (small: a few queries).
    const std::vector<float> s = scores.to_vector();
    std::vector<float> s_t(Q * D);
    for (std::size_t d = 0; d < D; ++d)
        for (std::size_t q = 0; q < Q; ++q) s_t[q * D + d] = s[d * Q + q];
    const Tensor st = be.upload(s_t, {Q, D});
    Tensor values = be.empty({Q, k}), indices = be.empty({Q, k}, DType::i32);
    topk(be, values, indices, st, k);
    const std::vector<float> v = values.to_vector();
    const std::vector<std::int32_t> idx = indices.to_vector_i32();
    std::vector<std::vector<Hit>> hits(Q);
    for (std::size_t q = 0; q < Q; ++q)
        for (std::size_t i = 0; i < k; ++i) hits[q].push_back({idx[q * k + i], v[q * k + i]});
    return hits;
}
// [/book]

}  // namespace ladder::ch02

namespace ladder::ch02 {

void write_svmlight(const std::filesystem::path& path, const Csr& m, const std::vector<std::int32_t>& labels) {
    LADDER_CHECK(labels.size() == m.rows, "write_svmlight: {} labels for {} rows", labels.size(), m.rows);
    std::string text;
    for (std::size_t r = 0; r < m.rows; ++r) {
        text += std::to_string(labels[r]);
        for (std::int32_t j = m.row_ptr[r]; j < m.row_ptr[r + 1]; ++j)
            if (m.val[j] != 0.0f) text += fmt::format(" {}:{:.9g}", m.col[j] + 1, m.val[j]);
        text += '\n';
    }
    write_file_atomic(path, text);
}

}  // namespace ladder::ch02
