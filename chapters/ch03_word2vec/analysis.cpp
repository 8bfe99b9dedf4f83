// analysis.cpp: k-means driver, PCA by power iteration, PPMI count vectors.
#include "chapters/ch03_word2vec/analysis.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/backend.hpp"
#include "core/error.hpp"
#include "core/rng.hpp"
#include "kernels/kmeans/kmeans.hpp"

namespace ladder::ch03 {

// [book:kmeans-driver]
Clusters kmeans(const std::vector<float>& x, std::size_t N, std::size_t D, std::size_t C, std::size_t max_iter,
                std::uint64_t seed, Device device) {
    LADDER_CHECK(C >= 1 && C <= N && x.size() == N * D, "kmeans: {} clusters for {} points of dimension {} ({} values)",
                 C, N, D, x.size());
    // k-means++ seeding: each new centroid is a point drawn with probability proportional
    // to its squared distance from the nearest centroid chosen so far.
    Rng rng(seed);
    std::vector<float> centroids;
    std::vector<double> d2(N, std::numeric_limits<double>::infinity());
    std::size_t pick = rng.below(N);
    for (std::size_t c = 0; c < C; ++c) {
        centroids.insert(centroids.end(), x.begin() + static_cast<std::ptrdiff_t>(pick * D),
                         x.begin() + static_cast<std::ptrdiff_t>((pick + 1) * D));
        double total = 0;
        for (std::size_t i = 0; i < N; ++i) {
            double s = 0;
            for (std::size_t j = 0; j < D; ++j) {
                const double diff = static_cast<double>(x[i * D + j]) - centroids[c * D + j];
                s += diff * diff;
            }
            d2[i] = std::min(d2[i], s);
            total += d2[i];
        }
        double r = rng.uniform() * total;
        pick = N - 1;
        for (std::size_t i = 0; i < N; ++i) {
            if (r < d2[i]) {
                pick = i;
                break;
            }
            r -= d2[i];
        }
    }
    // Lloyd's rounds on the backend: assign every point, then move every centroid.
    const Backend be(device);
    Tensor xt = be.upload(x, Shape{N, D}), ct = be.upload(centroids, Shape{C, D});
    Tensor assign = be.empty(Shape{N}, DType::i32), dist = be.empty(Shape{N}), counts = be.empty(Shape{C}, DType::i32);
    Clusters out;
    std::vector<std::int32_t> previous;
    for (out.iterations = 1; out.iterations <= max_iter; ++out.iterations) {
        kmeans_assign(be, assign, dist, xt, ct);
        kmeans_update(be, ct, counts, xt, assign);
        std::vector<std::int32_t> now = assign.to_vector_i32();
        if (now == previous) break;   // converged: no point changed cluster
        previous = std::move(now);
    }
    out.iterations = std::min(out.iterations, max_iter);
    kmeans_assign(be, assign, dist, xt, ct);   // distances to the final centroids
    out.assign = assign.to_vector_i32();
    out.dist = dist.to_vector();
    out.centroids = ct.to_vector();
    out.counts = counts.to_vector_i32();
    return out;
}
// [/book]

// [book:pca]
Pca2 pca2(const std::vector<float>& x, std::size_t N, std::size_t D, std::uint64_t seed, std::size_t iters) {
    LADDER_CHECK(N >= 2 && x.size() == N * D, "pca: need at least 2 points (got {})", N);
    std::vector<double> mean(D, 0.0), cov(D * D, 0.0);
    for (std::size_t i = 0; i < N; ++i)
        for (std::size_t j = 0; j < D; ++j) mean[j] += x[i * D + j] / static_cast<double>(N);
    for (std::size_t i = 0; i < N; ++i)   // cov = (X - mean)^T (X - mean) / N
        for (std::size_t j = 0; j < D; ++j) {
            const double xj = x[i * D + j] - mean[j];
            for (std::size_t l = 0; l < D; ++l) cov[j * D + l] += xj * (x[i * D + l] - mean[l]) / static_cast<double>(N);
        }
    Pca2 p;
    p.axes.assign(2 * D, 0.0);
    Rng rng(seed);
    for (int a = 0; a < 2; ++a) {
        // Power iteration: v <- cov v / |cov v| converges to the top eigenvector.
        std::vector<double> v(D), w(D);
        for (auto& vj : v) vj = rng.normal();
        double lambda = 0;
        for (std::size_t it = 0; it < iters; ++it) {
            for (std::size_t j = 0; j < D; ++j) {
                w[j] = 0;
                for (std::size_t l = 0; l < D; ++l) w[j] += cov[j * D + l] * v[l];
            }
            double norm = 0;
            for (double wj : w) norm += wj * wj;
            norm = std::sqrt(norm);
            if (norm == 0) break;
            lambda = norm;
            for (std::size_t j = 0; j < D; ++j) v[j] = w[j] / norm;
        }
        std::size_t big = 0;   // fix the sign: the largest-magnitude entry is positive
        for (std::size_t j = 1; j < D; ++j)
            if (std::fabs(v[j]) > std::fabs(v[big])) big = j;
        if (v[big] < 0)
            for (double& vj : v) vj = -vj;
        std::copy(v.begin(), v.end(), p.axes.begin() + static_cast<std::ptrdiff_t>(a * D));
        p.explained[a] = lambda;
        // Deflation: remove the found axis so the next power iteration finds the second.
        for (std::size_t j = 0; j < D; ++j)
            for (std::size_t l = 0; l < D; ++l) cov[j * D + l] -= lambda * v[j] * v[l];
    }
    p.coords.assign(2 * N, 0.0);
    for (std::size_t i = 0; i < N; ++i)
        for (int a = 0; a < 2; ++a)
            for (std::size_t j = 0; j < D; ++j) p.coords[i * 2 + a] += (x[i * D + j] - mean[j]) * p.axes[a * D + j];
    return p;
}
// [/book]

// [book:ppmi]
CountVectors ppmi_vectors(const Corpus& corpus, std::size_t rows, std::size_t cols, std::size_t window) {
    CountVectors cv;
    cv.rows = rows;
    cv.cols = cols;
    std::vector<float> counts(rows * cols, 0.0f);  // float: exact up to 2^24 per pair
    std::vector<double> row_sum(rows, 0.0), col_sum(cols, 0.0);
    double total = 0;
    // Ids are ranks by frequency, so "the `rows` most frequent words" is simply id < rows.
    for (std::size_t s = 0; s < corpus.sentences(); ++s) {
        const std::size_t b = corpus.starts[s], e = corpus.starts[s + 1];
        for (std::size_t i = b; i < e; ++i) {
            const auto w = static_cast<std::size_t>(corpus.ids[i]);
            if (w >= rows) continue;
            for (std::size_t j = i > b + window ? i - window : b; j < e && j <= i + window; ++j) {
                const auto c = static_cast<std::size_t>(corpus.ids[j]);
                if (j == i || c >= cols) continue;
                counts[w * cols + c] += 1.0f;
            }
        }
    }
    for (std::size_t w = 0; w < rows; ++w)
        for (std::size_t c = 0; c < cols; ++c) {
            row_sum[w] += counts[w * cols + c];
            col_sum[c] += counts[w * cols + c];
            total += counts[w * cols + c];
        }
    cv.unit.assign(rows * cols, 0.0f);
    for (std::size_t w = 0; w < rows; ++w) {
        double ss = 0;
        for (std::size_t c = 0; c < cols; ++c) {
            const double n = counts[w * cols + c];
            const double pmi = n > 0 ? std::log(n * total / (row_sum[w] * col_sum[c])) : 0.0;
            const double v = std::max(0.0, pmi);
            cv.unit[w * cols + c] = static_cast<float>(v);
            ss += v * v;
        }
        const double inv = ss > 0 ? 1 / std::sqrt(ss) : 0.0;
        for (std::size_t c = 0; c < cols; ++c) cv.unit[w * cols + c] = static_cast<float>(cv.unit[w * cols + c] * inv);
    }
    return cv;
}
// [/book]

}  // namespace ladder::ch03
