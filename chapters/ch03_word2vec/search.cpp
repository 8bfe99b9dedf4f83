// search.cpp: cosine top-k over the unit table, on the CPU (one OpenBLAS product per batch
// of queries) or on simt/cuda (cosine_topk, embedding_gather). Introduced in ch03.
#include "chapters/ch03_word2vec/search.hpp"

#include <algorithm>
#include <cmath>

#include "core/backend.hpp"
#include "core/error.hpp"
#include "kernels/cosine_topk/cosine_topk.hpp"
#include "kernels/embedding_gather/embedding_gather.hpp"
#include "kernels/matmul/matmul.hpp"

namespace ladder::ch03 {

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

}  // namespace ladder::ch03
