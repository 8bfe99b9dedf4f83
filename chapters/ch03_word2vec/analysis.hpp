// analysis.hpp: looking at many word vectors at once: k-means clusters (the kmeans kernels
// on a backend), a 2-D map by PCA (power iteration), and the count-based vectors of
// chapter 2's world (PPMI co-occurrence rows) to compare learned vectors with.
// Introduced in ch03.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "chapters/ch03_word2vec/corpus.hpp"
#include "core/device.hpp"

namespace ladder::ch03 {

struct Clusters {
    std::vector<std::int32_t> assign;    // (N) cluster of each point
    std::vector<float> centroids;        // (C,D)
    std::vector<std::int32_t> counts;    // (C)
    std::vector<float> dist;             // (N) squared distance to its centroid
    std::size_t iterations = 0;          // until no point moved, or the cap
};
// Lloyd's k-means on x (N,D) with k-means++ seeding (from `seed`), at most `max_iter`
// rounds of kmeans_assign + kmeans_update on `device` (cpu: the references).
Clusters kmeans(const std::vector<float>& x, std::size_t N, std::size_t D, std::size_t C, std::size_t max_iter,
                std::uint64_t seed, Device device);

// The top two principal axes of x (N,D) by power iteration on the covariance (deflating
// the first axis before the second), and each row's coordinates on them (N,2). Signs are
// fixed so the largest-magnitude coordinate of each axis is positive.
struct Pca2 {
    std::vector<double> axes;            // (2,D)
    std::vector<double> coords;          // (N,2)
    double explained[2] = {0, 0};        // eigenvalues (variance along each axis)
};
Pca2 pca2(const std::vector<float>& x, std::size_t N, std::size_t D, std::uint64_t seed, std::size_t iters = 300);

// Count vectors: rows are the `rows` most frequent words, columns the `cols` most frequent
// (context features); entry = PPMI(w, c) = max(0, log(P(w,c) / (P(w) P(c)))) from
// co-occurrences within `window` words, unweighted, over the whole corpus (no subsampling).
// Each row is scaled to length 1, so a dot product is a cosine.
struct CountVectors {
    std::size_t rows = 0, cols = 0;
    std::vector<float> unit;             // (rows, cols)
};
CountVectors ppmi_vectors(const Corpus& corpus, std::size_t rows, std::size_t cols, std::size_t window);

}  // namespace ladder::ch03
