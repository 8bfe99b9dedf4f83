// heads_test.cpp: what is specific to the head permutes: a worked example written out by
// hand on cpu and on every GPU version (simt), the round trips (each backward undoes its
// forward, being the inverse permutation), and the Tensor API's errors.
// (Every version on random values, the race check and the gradient check: ops_test.cpp.)
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "core/backend.hpp"
#include "core/rng.hpp"
#include "kernels/heads/heads.hpp"
#include "tests/kernels/versions.hpp"

using namespace ladder;

namespace {

// The cpu reference and every GPU version on the emulator. Each op has its own version
// name; a backend picks the same version for all four.
using testing::Run;
std::vector<Run> runs() { return testing::cpu_and_simt(heads_gpu_versions); }
Backend backend_for(const Run& r) {
    return r.backend({"split_qkv", "split_qkv_bias", "split_qkv_backward", "merge_heads", "merge_heads_backward"});
}
Tensor poisoned(const Backend& be, Shape shape) {
    Tensor t = be.empty(shape);
    t.fill_nan();   // an element the op forgets stays NaN, and NaN != anything
    return t;
}
std::vector<float> iota(std::size_t n) {
    std::vector<float> x(n);
    for (std::size_t i = 0; i < n; ++i) x[i] = static_cast<float>(i);
    return x;
}

}  // namespace

TEST_CASE("split_qkv and merge_heads: a worked example on cpu and every GPU version", "[heads][simt]") {
    // qkv (B=1, T=2, 3C=6), C = 2, value = index: row t holds q = (6t, 6t+1), k = (6t+2,
    // 6t+3), v = (6t+4, 6t+5).
    const std::vector<float> qkv = iota(6 * 2);
    for (const Run& r : runs()) {
        INFO(r.str());
        const Backend be = backend_for(r);
        const Tensor x = be.upload(qkv, {1, 2, 6});
        {
            // NH = 2 heads of hs = 1: head h of q takes column h of q's part in each row, and
            // (NH,T,hs) lists head 0's T values before head 1's.
            Tensor q = poisoned(be, {1, 2, 2, 1}), k = poisoned(be, {1, 2, 2, 1}), v = poisoned(be, {1, 2, 2, 1});
            split_qkv(be, q, k, v, x, 2);
            CHECK(q.to_vector() == std::vector<float>{0, 6, 1, 7});
            CHECK(k.to_vector() == std::vector<float>{2, 8, 3, 9});
            CHECK(v.to_vector() == std::vector<float>{4, 10, 5, 11});
            // merge_heads puts head h back at column h of each row: q's part of qkv again.
            Tensor out = poisoned(be, {1, 2, 2});
            merge_heads(be, out, q);
            CHECK(out.to_vector() == std::vector<float>{0, 1, 6, 7});
        }
        {
            // NH = 1 head of hs = 2: each row's part is one head's row, unmoved.
            Tensor q = poisoned(be, {1, 1, 2, 2}), k = poisoned(be, {1, 1, 2, 2}), v = poisoned(be, {1, 1, 2, 2});
            split_qkv(be, q, k, v, x, 1);
            CHECK(q.to_vector() == std::vector<float>{0, 1, 6, 7});
            CHECK(k.to_vector() == std::vector<float>{2, 3, 8, 9});
            CHECK(v.to_vector() == std::vector<float>{4, 5, 10, 11});
        }
    }
}

TEST_CASE("split_qkv_bias: the bias of each column lands with its value, on cpu and every GPU version",
          "[heads][simt]") {
    // The worked example's qkv (values = index) and NH = 2, with bias = 100 * (column + 1): each
    // output is its split_qkv value plus the bias of the column it came from.
    const std::vector<float> qkv = iota(6 * 2);
    const std::vector<float> bias{100, 200, 300, 400, 500, 600};
    for (const Run& r : runs()) {
        INFO(r.str());
        const Backend be = backend_for(r);
        Tensor q = poisoned(be, {1, 2, 2, 1}), k = poisoned(be, {1, 2, 2, 1}), v = poisoned(be, {1, 2, 2, 1});
        split_qkv_bias(be, q, k, v, be.upload(qkv, {1, 2, 6}), be.upload(bias, {6}), 2);
        CHECK(q.to_vector() == std::vector<float>{100, 106, 201, 207});
        CHECK(k.to_vector() == std::vector<float>{302, 308, 403, 409});
        CHECK(v.to_vector() == std::vector<float>{504, 510, 605, 611});
    }
    const Backend cpu(Device::cpu);
    Tensor q = cpu.zeros({1, 2, 2, 1}), k = cpu.zeros({1, 2, 2, 1}), v = cpu.zeros({1, 2, 2, 1});
    CHECK_THROWS_WITH(split_qkv_bias(cpu, q, k, v, cpu.zeros({1, 2, 6}), cpu.zeros({2}), 2),
                      Catch::Contains("split_qkv_bias: bias has shape (2,); expected (6,)"));
    CHECK_THROWS_WITH(split_qkv_bias(cpu, q, k, v, cpu.zeros({1, 2, 6}), cpu.zeros({6}), 3),
                      Catch::Contains("split_qkv_bias: 3 heads do not divide the width C = 2"));
}

TEST_CASE("head permutes: each backward undoes its forward, bit for bit", "[heads][simt]") {
    // B=2, T=5, NH=3, hs=7 (C = 21: a warp spans several runs); random values.
    const std::size_t B = 2, T = 5, NH = 3, hs = 7, C = NH * hs;
    Rng rng(7);
    std::vector<float> rows3(B * T * 3 * C), heads(B * NH * T * hs);
    for (float& x : rows3) x = rng.normal();
    for (float& x : heads) x = rng.normal();
    for (const Run& r : runs()) {
        INFO(r.str());
        const Backend be = backend_for(r);
        // merge_heads_backward(merge_heads(x)) == x
        const Tensor x = be.upload(heads, {B, NH, T, hs});
        Tensor merged = poisoned(be, {B, T, C}), back = poisoned(be, {B, NH, T, hs});
        merge_heads(be, merged, x);
        merge_heads_backward(be, back, merged);
        CHECK(back.to_vector() == heads);
        // split_qkv_backward(split_qkv(qkv)) == qkv
        const Tensor qkv = be.upload(rows3, {B, T, 3 * C});
        Tensor q = poisoned(be, {B, NH, T, hs}), k = poisoned(be, {B, NH, T, hs}), v = poisoned(be, {B, NH, T, hs});
        Tensor dqkv = poisoned(be, {B, T, 3 * C});
        split_qkv(be, q, k, v, qkv, NH);
        split_qkv_backward(be, dqkv, q, k, v);
        CHECK(dqkv.to_vector() == rows3);
        // And the other way: a merge of split q is q's third of each row.
        Tensor q_rows = poisoned(be, {B, T, C});
        merge_heads(be, q_rows, q);
        const std::vector<float> got = q_rows.to_vector();
        bool same = true;
        for (std::size_t bt = 0; bt < B * T; ++bt)
            for (std::size_t c = 0; c < C; ++c) same = same && got[bt * C + c] == rows3[bt * 3 * C + c];
        CHECK(same);
    }
}

TEST_CASE("head permutes on Tensors: shapes, dtypes, devices and aliasing are checked", "[heads]") {
    const Backend cpu(Device::cpu);
    Tensor q = cpu.zeros({1, 3, 2, 21}), k = cpu.zeros({1, 3, 2, 21}), v = cpu.zeros({1, 3, 2, 21});
    SECTION("split_qkv") {
        // C = 64 and 3 heads: no whole head size.
        const Tensor qkv = cpu.zeros({1, 2, 192});
        CHECK_THROWS_WITH(split_qkv(cpu, q, k, v, qkv, 3),
                          Catch::Contains("split_qkv: 3 heads do not divide the width C = 64"));
        CHECK_THROWS_WITH(split_qkv(cpu, q, k, v, qkv, 0),
                          Catch::Contains("split_qkv: 0 heads do not divide the width C = 64"));
        CHECK_THROWS_WITH(split_qkv(cpu, q, k, v, cpu.zeros({2, 192}), 4),
                          Catch::Contains("qkv has shape (2, 192); it must be (B,T,3C)"));
        CHECK_THROWS_WITH(split_qkv(cpu, q, k, v, cpu.zeros({1, 2, 190}), 2),
                          Catch::Contains("qkv has shape (1, 2, 190); it must be (B,T,3C)"));
        // qkv (1,2,63): C = 21, 3 heads of 7, so q must be (1,3,2,7).
        CHECK_THROWS_WITH(split_qkv(cpu, q, k, v, cpu.zeros({1, 2, 63}), 3),
                          Catch::Contains("q has shape (1, 3, 2, 21); expected (1, 3, 2, 7)"));
        Tensor q7 = cpu.zeros({1, 3, 2, 7}), k7 = cpu.zeros({1, 3, 2, 7}), v7 = cpu.zeros({1, 3, 2, 7});
        CHECK_THROWS_WITH(split_qkv(cpu, q7, k7, v, cpu.zeros({1, 2, 63}), 3),
                          Catch::Contains("v has shape (1, 3, 2, 21); expected (1, 3, 2, 7)"));
        CHECK_THROWS_WITH(split_qkv(cpu, q7, k7, v7, cpu.zeros({1, 2, 63}, DType::i32), 3),
                          Catch::Contains("split_qkv: qkv is Tensor(i32"));
        const Backend simt(Device::simt);
        CHECK_THROWS_WITH(split_qkv(simt, q7, k7, v7, cpu.zeros({1, 2, 63}), 3),
                          Catch::Contains("split_qkv: qkv is on cpu but the backend is simt"));
        // q as a view into qkv itself: an in-place permute would read what it overwrote.
        const Tensor qkv63 = cpu.zeros({1, 2, 63});
        Tensor inside = qkv63.view({1, 3, 2, 7}, 21);
        CHECK_THROWS_WITH(split_qkv(cpu, inside, k7, v7, qkv63, 3),
                          Catch::Contains("split_qkv: q (1, 3, 2, 7) and qkv (1, 2, 63) share memory"));
    }
    SECTION("split_qkv_backward") {
        Tensor dqkv = cpu.zeros({1, 2, 3 * 63});
        CHECK_THROWS_WITH(split_qkv_backward(cpu, dqkv, q, cpu.zeros({1, 3, 2, 20}), v),
                          Catch::Contains("dk has shape (1, 3, 2, 20); expected (1, 3, 2, 21) (from dq)"));
        Tensor small = cpu.zeros({1, 2, 63});
        CHECK_THROWS_WITH(split_qkv_backward(cpu, small, q, k, v),
                          Catch::Contains("dqkv has shape (1, 2, 63); expected (1, 2, 189)"));
        CHECK_THROWS_WITH(split_qkv_backward(cpu, dqkv, cpu.zeros({3, 2, 21}), k, v),
                          Catch::Contains("dq has shape (3, 2, 21); it must be (B,NH,T,hs)"));
    }
    SECTION("merge_heads and its backward") {
        Tensor out = cpu.zeros({1, 2, 63});
        CHECK_THROWS_WITH(merge_heads(cpu, out, cpu.zeros({3, 2, 21})),
                          Catch::Contains("merge_heads: inp has shape (3, 2, 21); it must be (B,NH,T,hs)"));
        Tensor wrong = cpu.zeros({1, 3, 42});
        CHECK_THROWS_WITH(merge_heads(cpu, wrong, q),
                          Catch::Contains("merge_heads: out has shape (1, 3, 42); expected (1, 2, 63)"));
        Tensor same = q.reshape({1, 2, 63});
        CHECK_THROWS_WITH(merge_heads(cpu, same, q), Catch::Contains("share memory"));
        CHECK_THROWS_WITH(merge_heads_backward(cpu, q, wrong),
                          Catch::Contains("merge_heads_backward: dout has shape (1, 3, 42); expected (1, 2, 63)"));
        CHECK_THROWS_WITH(merge_heads_backward(cpu, q, cpu.zeros({2, 63})),
                          Catch::Contains("dout has shape (2, 63)"));
    }
}
