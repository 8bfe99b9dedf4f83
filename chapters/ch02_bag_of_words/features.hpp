// features.hpp: documents as sparse vectors. Count vectors (CSR: one row per document, one
// column per vocabulary word), inverse document frequencies, TF-IDF rows of unit length
// (tfidf op), and cosine search: the k documents closest to a query (spmm + topk ops).
// Introduced in ch02.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string_view>
#include <vector>

#include "chapters/ch02_bag_of_words/vocab.hpp"
#include "core/backend.hpp"
#include "core/tensor.hpp"

namespace ladder::ch02 {

// A sparse matrix, compressed sparse rows: row r's entries are col[j], val[j] for j in
// [row_ptr[r], row_ptr[r+1]), columns ascending.
struct Csr {
    std::size_t rows = 0, cols = 0;
    std::vector<std::int32_t> row_ptr{0};   // (rows + 1)
    std::vector<std::int32_t> col;          // (nnz)
    std::vector<float> val;                 // (nnz)
    std::size_t nnz() const { return col.size(); }
};

// Row d = how often each vocabulary word occurs in texts[d] (unknown words count as <unk>).
Csr count_vectors(const Vocabulary& vocab, const std::vector<std::string_view>& texts);

// idf (V) = ln((1 + N) / (1 + df)) + 1, df = documents containing the word (scikit-learn's
// "smooth" idf: a word in every document still weighs 1, a word in none does not divide by 0).
std::vector<float> inverse_document_frequency(const Csr& counts);

// The same sparsity pattern with values counts * idf, each row scaled to length 1 (tfidf op).
Csr tfidf_vectors(const Backend& be, const Csr& counts, const std::vector<float>& idf);

// A CSR matrix on a device (what the spmm and tfidf ops take).
struct DeviceCsr {
    std::size_t rows = 0, cols = 0;
    Tensor row_ptr, col, val;
};
DeviceCsr upload(const Backend& be, const Csr& m);

// The same rows with one more column, index `cols`, holding 1 in every row: a bias feature.
Csr with_bias_column(const Csr& m);

struct Hit {
    std::int32_t doc = 0;
    float score = 0;   // cosine similarity, in [0, 1] for TF-IDF vectors
};
// For each query row, the k documents with the largest cosine (both sides unit TF-IDF rows):
// scores (docs, queries) = docs . queries^T (spmm), then topk per query.
std::vector<std::vector<Hit>> cosine_search(const Backend& be, const Csr& docs, const Csr& queries, std::size_t k);

}  // namespace ladder::ch02

namespace ladder::ch02 {
// Writes rows as svmlight text ("label 3:0.25 17:0.5", feature ids 1-based), the format
// scikit-learn's load_svmlight_file reads (for the peer comparison in ch02_bench).
void write_svmlight(const std::filesystem::path& path, const Csr& m, const std::vector<std::int32_t>& labels);
}  // namespace ladder::ch02
