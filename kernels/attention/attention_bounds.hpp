// attention_bounds.hpp: the exact (double) softmax of causal attention and the error bounds the
// registry derives from it (the derivation is in attention_op.cpp, the comment marked attention-bounds),
// shared by attention's entries (every query of a window) and the KV cache's (queries at
// positions pos.. against cached keys). Introduced in ch06; generalised to an offset in ch07.
#pragma once

#include <cstddef>
#include <vector>

namespace ladder {

// n queries q (BH,n,hs) at positions pos .. pos+n-1; keys and values k, v (BH,kv_rows,hs) with
// kv_rows >= pos + n; query t sees the keys s <= pos + t. A window is pos = 0, kv_rows = n.
struct AttentionRows {
    const float *q, *k, *v;
    std::size_t BH, n, pos, kv_rows, hs;
    double scale;
};

struct AttentionExact {
    std::size_t BH, T, S, hs;          // T queries, S = pos + n keys at most
    std::vector<double> p, rho;        // (BH,T,S): exact probabilities, their relative bound (0 where masked)
    std::vector<double> lse_bound;     // (BH,T)
    double& at(std::vector<double>& a, std::size_t bh, std::size_t t, std::size_t s) const {
        return a[(bh * T + t) * S + s];
    }
    double at(const std::vector<double>& a, std::size_t bh, std::size_t t, std::size_t s) const {
        return a[(bh * T + t) * S + s];
    }
};

AttentionExact attention_exact_forward(const AttentionRows& r);
// The bound on each element of out (BH,n,hs).
std::vector<double> attention_out_bounds(const AttentionExact& e, const AttentionRows& r);

}  // namespace ladder
