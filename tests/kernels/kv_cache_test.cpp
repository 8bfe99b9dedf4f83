// kv_cache_test.cpp: what is specific to the KV cache: a prompt prefilled and then decoded one
// token at a time through the cache gives, row by row, the out of causal attention over the whole
// window (on cpu and on simt), and the Tensor API's errors. (Every GPU version on random values
// and the race check: ops_test.cpp.)
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "core/backend.hpp"
#include "core/rng.hpp"
#include "kernels/attention/attention.hpp"
#include "kernels/kv_cache/kv_cache.hpp"

using namespace ladder;

namespace {

// Rows [t0, t0 + n) of a (B,NH,T,hs) tensor, as its own (B,NH,n,hs) tensor.
std::vector<float> rows(const std::vector<float>& x, std::size_t BH, std::size_t T, std::size_t hs, std::size_t t0,
                        std::size_t n) {
    std::vector<float> out;
    for (std::size_t bh = 0; bh < BH; ++bh)
        out.insert(out.end(), x.begin() + static_cast<long>((bh * T + t0) * hs),
                   x.begin() + static_cast<long>((bh * T + t0 + n) * hs));
    return out;
}

}  // namespace

TEST_CASE("kv cache: prefill then decoding gives the window's causal attention", "[kv_cache][simt]") {
    const std::size_t B = 2, NH = 3, T = 37, hs = 8, prompt = 5, BH = B * NH;
    const float scale = 1.0f / std::sqrt(static_cast<float>(hs));
    Rng rng(11);
    std::vector<float> q(BH * T * hs), k(q.size()), v(q.size());
    for (auto* x : {&q, &k, &v}) rng.fill_normal(*x, 0.0f, 1.0f);
    for (Device dev : {Device::cpu, Device::simt}) {
        INFO(device_name(dev));
        const Backend be(dev);
        Tensor out = be.empty({B, NH, T, hs}), lse = be.empty({B, NH, T});
        attention_fused_forward(be, out, lse, be.upload(q, {B, NH, T, hs}), be.upload(k, {B, NH, T, hs}),
                                be.upload(v, {B, NH, T, hs}), scale);
        const std::vector<float> window = out.to_vector();
        Tensor cache_k = be.zeros({B, NH, T, hs}), cache_v = be.zeros({B, NH, T, hs});
        // The prompt at once, then one token at a time: the rows a generator would feed.
        for (std::size_t pos = 0; pos < T;) {
            const std::size_t n = pos == 0 ? prompt : 1;
            const Shape shape{B, NH, n, hs};
            kv_cache_append(be, cache_k, cache_v, be.upload(rows(k, BH, T, hs, pos, n), shape),
                            be.upload(rows(v, BH, T, hs, pos, n), shape), pos);
            Tensor o = be.empty(shape);
            attention_cached(be, o, be.upload(rows(q, BH, T, hs, pos, n), shape), cache_k, cache_v, pos, scale);
            const std::vector<float> got = o.to_vector(), want = rows(window, BH, T, hs, pos, n);
            // The same sums over the same keys in other orders (the fused kernel's tiles, the
            // cache's rows): weights summing to 1 times values of order 1, a few hundred
            // roundings of 2^-24 at most: 1e-5 absolute (attention_bounds.cpp derives the bound).
            for (std::size_t i = 0; i < got.size(); ++i) CHECK(got[i] == Approx(want[i]).margin(1e-5));
            pos += n;
        }
        CHECK(cache_k.to_vector() == k);   // the appends filled the cache with every row, exactly
        CHECK(cache_v.to_vector() == v);
    }
}

TEST_CASE("kv cache: shapes and positions are checked", "[kv_cache][cpu]") {
    const Backend be(Device::cpu);
    Tensor ck = be.zeros({1, 2, 8, 4}), cv = be.zeros({1, 2, 8, 4});
    Tensor k1 = be.zeros({1, 2, 1, 4}), k3 = be.zeros({1, 2, 3, 4}), bad = be.zeros({1, 3, 1, 4});
    CHECK_THROWS_WITH(kv_cache_append(be, ck, cv, k3, k3, 6), Catch::Contains("positions 6..9 do not fit a cache of 8"));
    CHECK_THROWS_WITH(kv_cache_append(be, ck, cv, bad, bad, 0), Catch::Contains("B, NH and hs must agree"));
    CHECK_THROWS_WITH(kv_cache_append(be, ck, cv, k1, k3, 0), Catch::Contains("v has shape (1, 2, 3, 4)"));
    Tensor out = be.empty({1, 2, 1, 4});
    CHECK_THROWS_WITH(attention_cached(be, out, k1, ck, cv, 8, 0.5f), Catch::Contains("positions 8..9"));
    Tensor flat = be.zeros({2, 4});
    CHECK_THROWS_WITH(attention_cached(be, out, flat, ck, cv, 0, 0.5f), Catch::Contains("(B, NH, n, hs)"));
    Tensor big = be.zeros({1, 1, 4, 129}), big1 = be.zeros({1, 1, 1, 129}), bigo = be.empty({1, 1, 1, 129});
    CHECK_THROWS_WITH(attention_cached(be, bigo, big1, big, big, 0, 0.5f), Catch::Contains("head size 129"));
}
