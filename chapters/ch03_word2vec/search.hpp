// search.hpp: nearest neighbours by cosine over a word-vector table (V,D), on the CPU
// (OpenBLAS) or on simt/cuda (the cosine_topk kernel). Introduced in ch03.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "chapters/ch03_word2vec/vectors.hpp"
#include "core/device.hpp"

namespace ladder::ch03 {

// ---- search: cosine top-k on a backend ----
struct Neighbour {
    std::string word;
    float sim = 0;
};

// Holds the unit table where the searches run: on the CPU, similarities come from one
// OpenBLAS product per batch of queries; on simt/cuda, from the cosine_topk kernel (the
// query rows are gathered on the device with embedding_gather).
class Searcher {
public:
    Searcher(const Embeddings& e, Device device);
    ~Searcher();
    // For each query vector (M,D) the k most similar words, skipping exclude[m] (ids).
    std::vector<std::vector<Neighbour>> topk(const std::vector<float>& queries, std::size_t M,
                                             const std::vector<std::vector<std::int32_t>>& exclude, std::size_t k) const;
    // Nearest neighbours of words (each excluding itself). Unknown words throw.
    std::vector<std::vector<Neighbour>> neighbours(const std::vector<std::string>& words, std::size_t k) const;
    const Embeddings& embeddings() const { return e_; }

private:
    struct DeviceTable;
    const Embeddings& e_;
    Device device_;
    std::unique_ptr<DeviceTable> dev_;
};

}  // namespace ladder::ch03
