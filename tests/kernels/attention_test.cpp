// attention_test.cpp: what is specific to causal attention: a worked example written out by hand
// (forward and backward, naive and fused, on cpu and the emulator), the properties that tie the
// two paths together (rows of att sum to 1 with exact zeros above the diagonal, and the fused
// path's lse recomputes them), and the Tensor API's errors.
// (Every version on random values, the race check and the gradient checks: ops_test.cpp; the
// PyTorch oracle: attention_torch_test.cpp.)
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "core/backend.hpp"
#include "core/rng.hpp"
#include "kernels/attention/attention.hpp"
#include "kernels/error_bounds.hpp"

using namespace ladder;

namespace {

std::vector<Device> devices() { return {Device::cpu, Device::simt}; }

Tensor poisoned(const Backend& be, Shape shape) {
    Tensor t = be.empty(shape);
    t.fill_nan();   // an element the op forgets stays NaN
    return t;
}

std::vector<float> normal(std::size_t n, std::uint64_t seed) {
    std::vector<float> x(n);
    Rng rng(seed);
    rng.fill_normal(x, 0.0f, 1.0f);
    return x;
}

}  // namespace

TEST_CASE("attention: a worked example, forward and backward, naive and fused", "[attention][simt]") {
    // One head, T = 2, hs = 1, scale 1: q = (1, 2), k = (1, 0), v = (3, 5), dout = (1, 1).
    // Query 0 sees key 0 only: att_00 = 1, out_0 = 3, lse_0 = 1 * 1 = 1.
    // Query 1 sees scores (2*1, 2*0) = (2, 0): att_1 = (p, 1 - p), p = e^2 / (e^2 + 1);
    //   out_1 = 3p + 5(1 - p), lse_1 = log(e^2 + 1).
    // Backward: dv = att^T dout = (1 + p, 1 - p). Row 1's datt = dout_1 v = (3, 5), its dpreatt
    //   = att (datt - att . datt) = (-2p(1-p), 2p(1-p)); row 0's is 0 (a single key).
    //   dq = dpreatt k: (0, -2p(1-p)); dk = dpreatt^T q: (2 * -2p(1-p), 2 * 2p(1-p)).
    const double p = std::exp(2.0) / (std::exp(2.0) + 1), w = 2 * p * (1 - p);
    const std::vector<double> out{3, 3 * p + 5 * (1 - p)}, lse{1, std::log(std::exp(2.0) + 1)},
        att{1, 0, p, 1 - p}, dq{0, -w}, dk{-2 * w, 2 * w}, dv{1 + p, 1 - p}, dpre{0, 0, -w, w};
    // Every value is O(1) and a few roundings from its inputs (at most ~10 operations on numbers
    // below 10): 1e-5 is far above that float error and far below any wrong formula's.
    const double tol = 1e-5;
    const auto require_near = [&](const char* name, const Tensor& t, const std::vector<double>& want) {
        const std::vector<float> got = t.to_vector();
        REQUIRE(got.size() == want.size());
        for (std::size_t i = 0; i < want.size(); ++i) {
            INFO(name << "[" << i << "]: got " << got[i] << ", want " << want[i]);
            REQUIRE(std::fabs(got[i] - want[i]) <= tol);
        }
    };
    for (Device d : devices()) {
        INFO(device_name(d));
        const Backend be(d);
        const Tensor q = be.upload(std::vector<float>{1, 2}, {1, 2, 1}), k = be.upload(std::vector<float>{1, 0}, {1, 2, 1}),
                     v = be.upload(std::vector<float>{3, 5}, {1, 2, 1}), g = be.upload(std::vector<float>{1, 1}, {1, 2, 1});
        Tensor o = poisoned(be, {1, 2, 1}), a = poisoned(be, {1, 2, 2}), l = poisoned(be, {1, 2});
        Tensor gq = poisoned(be, {1, 2, 1}), gk = poisoned(be, {1, 2, 1}), gv = poisoned(be, {1, 2, 1}),
               gpre = poisoned(be, {1, 2, 2});
        attention_forward(be, o, a, q, k, v, 1.0f);
        require_near("out", o, out);
        require_near("att", a, att);
        REQUIRE(a.to_vector()[1] == 0.0f);   // the mask: exactly 0, not a tiny probability
        attention_backward(be, gq, gk, gv, gpre, g, q, k, v, a, 1.0f);
        require_near("dq", gq, dq);
        require_near("dk", gk, dk);
        require_near("dv", gv, dv);
        require_near("dpreatt", gpre, dpre);
        o.fill_nan();
        gq.fill_nan(), gk.fill_nan(), gv.fill_nan();
        attention_fused_forward(be, o, l, q, k, v, 1.0f);
        require_near("fused out", o, out);
        require_near("lse", l, lse);
        attention_fused_backward(be, gq, gk, gv, g, q, k, v, o, l, 1.0f);
        require_near("fused dq", gq, dq);
        require_near("fused dk", gk, dk);
        require_near("fused dv", gv, dv);
    }
}

TEST_CASE("attention: rows of att sum to 1, zeros above the diagonal, and lse recomputes them", "[attention][simt]") {
    // (B=2, NH=3, T=70, hs=16): T spans the fused kernels' blocks of 64 rows and tiles of 32 keys.
    const std::size_t B = 2, NH = 3, T = 70, hs = 16;
    const float scale = 1.0f / std::sqrt(static_cast<float>(hs));
    const auto qv = normal(B * NH * T * hs, 1), kv = normal(B * NH * T * hs, 2), vv = normal(B * NH * T * hs, 3);
    for (Device d : devices()) {
        INFO(device_name(d));
        const Backend be(d);
        const Tensor q = be.upload(qv, {B, NH, T, hs}), k = be.upload(kv, {B, NH, T, hs}), v = be.upload(vv, {B, NH, T, hs});
        Tensor out = poisoned(be, {B, NH, T, hs}), att = poisoned(be, {B, NH, T, T}), lse = poisoned(be, {B, NH, T});
        attention_forward(be, out, att, q, k, v, scale);
        Tensor out2 = poisoned(be, {B, NH, T, hs});
        attention_fused_forward(be, out2, lse, q, k, v, scale);
        const auto a = att.to_vector(), l = lse.to_vector();
        for (std::size_t r = 0; r < B * NH * T; ++r) {
            const std::size_t t = r % T, bh = r / T;
            double sum = 0;
            for (std::size_t s = 0; s < T; ++s) {
                const float x = a[r * T + s];
                if (s > t) {
                    REQUIRE(x == 0.0f);
                    continue;
                }
                sum += x;
                // att_ts = exp(scale q_t . k_s - lse_t). The score in double is exact to ~1e-15;
                // each side's score is within gamma_{hs+2} scale sum|q k| (< 1e-6 here: |q k| terms
                // of N(0,1) values, hs 16) and its exp and log within a few u, so the two agree
                // to ~1e-6 relative; 1e-5 * max(p, 1e-3) leaves room and catches a wrong row or key.
                double dot = 0;
                for (std::size_t j = 0; j < hs; ++j) dot += double(qv[(bh * T + t) * hs + j]) * kv[(bh * T + s) * hs + j];
                const double p = std::exp(scale * dot - l[r]);
                INFO("row " << r << " key " << s << ": att " << x << ", exp(score - lse) " << p);
                REQUIRE(std::fabs(x - p) <= 1e-5 * std::max(p, 1e-3));
            }
            // t + 1 probabilities, each within a few u: the sum is 1 within (t + 1) 4u < 1e-4.
            REQUIRE(std::fabs(sum - 1) <= 1e-4);
        }
    }
}

TEST_CASE("attention: shapes, head sizes and devices are checked, naming the tensor", "[attention]") {
    const Backend cpu(Device::cpu), simt(Device::simt);
    const Tensor q = cpu.empty({2, 5, 4}), k = cpu.empty({2, 5, 4}), v = cpu.empty({2, 5, 4});
    Tensor out = cpu.empty({2, 5, 4}), att = cpu.empty({2, 5, 5}), lse = cpu.empty({2, 5});
    Tensor bad_att = cpu.empty({2, 5, 4}), bad_v = cpu.empty({2, 6, 4}), bad_lse = cpu.empty({2, 4});
    REQUIRE_THROWS_WITH(attention_forward(cpu, out, bad_att, q, k, v, 1.0f),
                        Catch::Contains("att has shape (2, 5, 4); expected (2, 5, 5)"));
    REQUIRE_THROWS_WITH(attention_forward(cpu, out, att, q, k, bad_v, 1.0f),
                        Catch::Contains("v has shape (2, 6, 4); expected (2, 5, 4)"));
    REQUIRE_THROWS_WITH(attention_fused_forward(cpu, out, bad_lse, q, k, v, 1.0f),
                        Catch::Contains("lse has shape (2, 4); expected (2, 5)"));
    const Tensor flat = cpu.empty({20});
    REQUIRE_THROWS_WITH(attention_forward(cpu, out, att, flat, k, v, 1.0f),
                        Catch::Contains("q has shape (20,); it must be (B,NH,T,hs) or (BH,T,hs)"));
    const Tensor q_sim = simt.empty({2, 5, 4});
    REQUIRE_THROWS_WITH(attention_forward(cpu, out, att, q_sim, k, v, 1.0f), Catch::Contains("q is on simt"));
    // The GPU kernels keep a row of hs floats in registers: larger heads are refused by name.
    const std::size_t big = attention_max_head_size + 1;
    const Tensor qb = simt.empty({1, 3, big}), kb = simt.empty({1, 3, big}), vb = simt.empty({1, 3, big});
    Tensor ob = simt.empty({1, 3, big}), lb = simt.empty({1, 3});
    REQUIRE_THROWS_WITH(attention_fused_forward(simt, ob, lb, qb, kb, vb, 1.0f),
                        Catch::Contains("head size 129 is larger than the GPU kernels' 128"));
    const Tensor empty_t = cpu.empty({2, 0, 4});
    Tensor empty_out = cpu.empty({2, 0, 4}), empty_att = cpu.empty({2, 0, 0});
    REQUIRE_THROWS_WITH(attention_forward(cpu, empty_out, empty_att, empty_t, empty_t, empty_t, 1.0f),
                        Catch::Contains("T and hs must be at least 1"));
}
