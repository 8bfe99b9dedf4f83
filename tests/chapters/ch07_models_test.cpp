// ch07_models_test.cpp: chapter 7's GPT-2 through the training frame: the parameter and FLOP
// counts against the tensor list, one whole training step (loss, gradients, AdamW's update) on
// simt (and cuda) equal to the cpu step within a derived bound, the fused path beside the naive
// one, generation with the KV cache giving the tokens it gives without, the ablations, and the
// model's errors.
#include <cmath>

#include <catch2/catch.hpp>

#include "chapters/ch06_attention/attention_lm.hpp"
#include "chapters/ch07_gpt/gpt2.hpp"
#include "core/error.hpp"
#include "core/nn/optimizer.hpp"
#include "core/nn/train.hpp"
#include "kernels/error_bounds.hpp"
#include "tests/chapters/ch05_testing.hpp"
#include "tests/chapters/ch06_testing.hpp"
#include "tests/chapters/ch07_testing.hpp"
#include "tests/temp_dir.hpp"
#include "tests/testing.hpp"

using namespace ladder;
using namespace ladder::ch07;
using testing::random_tokens;
using testing::tiny_gpt2;

namespace {

double max_abs(const std::vector<float>& v) {
    double m = 0;
    for (float x : v) m = std::max(m, static_cast<double>(std::fabs(x)));
    return m;
}

// Two float32 evaluations that add the same terms in other orders: each op's sums of n terms
// differ by at most 2 gamma_n n max|term| (Higham, Thm 3.1, per side), carried once per op between
// the loss and the deepest parameter (first order). n is the longest reduction (V = 37 logits,
// B*T = 35 rows of a weight gradient, 4C = 48 of the MLP's projection). Depth: ln_f and the tied
// output, and per block ln_1, c_attn, the split, the three steps of attention, the merge, c_proj,
// ln_2, c_fc, gelu, mlp.c_proj (12), then the embeddings. Layernorm divides by the row's standard
// deviation, which the unit-scale weights keep of order 1 (no amplification beyond the count).
double step_bound(const Gpt2Config& c, std::size_t B) {
    const std::size_t n = std::max({c.vocab, B * c.context, 4 * c.embed});
    const double depth = 4.0 + 12.0 * static_cast<double>(c.layers);
    return 2 * gamma_n(static_cast<double>(n)) * static_cast<double>(n) * depth;
}

struct Step {
    float loss = 0;
    std::vector<float> grads, after;   // the gradients, and the parameters after one AdamW update
};

constexpr float kLr = 1e-2f;

Step one_step(Gpt2& m, const Backend& be, const std::vector<std::int32_t>& tokens, std::size_t B) {
    OptimizerConfig oc;
    oc.adamw.weight_decay = 0.1f;
    Optimizer opt(oc, m.params());
    m.params().zero_grad();
    Step s;
    s.loss = m.forward(be, tokens, B);
    m.backward(be);
    s.grads = m.params().grads().to_vector();
    opt.step(be, m.params(), kLr, 1.0f);
    s.after = m.params().values().to_vector();
    return s;
}

// AdamW's first update is lr (g / (|g| + eps) + wd p): when the two gradients differ by at most
// d, g / (|g| + eps) moves by at most d eps / (|g| - d + eps)^2 (its slope is eps / (|g| + eps)^2),
// and by 2 at most (the sign of a gradient within d of 0 may differ). Plus the update's own
// rounding on each side: a few u of |p| and of lr.
double update_bound(double g, double p, double d) {
    constexpr double eps = 1e-8, u = 0x1p-24;
    const double lo = std::max(std::fabs(g) - d, 0.0) + eps;
    const double step = std::min(2.0, d * eps / (lo * lo));
    return kLr * step + 8 * u * (std::fabs(p) + kLr);
}

void check_step_matches_cpu(Device device) {
    for (const bool fused : {false, true}) {
        DYNAMIC_SECTION((fused ? "fused" : "naive")) {
            const Gpt2Config cfg = tiny_gpt2(fused);
            const std::size_t B = 5;
            Gpt2 cpu(cfg, Device::cpu, 3), gpu(cfg, device, 3);
            testing::unit_scale_weights(cpu, 4);
            testing::unit_scale_weights(gpu, 4);
            const auto tokens = random_tokens(B * cpu.window(), cfg.vocab, 11);
            const std::vector<float> before = cpu.params().values().to_vector();
            const Step a = one_step(cpu, Backend(Device::cpu), tokens, B);
            const Step b = one_step(gpu, Backend(device), tokens, B);
            const double rel = step_bound(cfg, B);
            INFO("loss cpu " << a.loss << ", " << device_name(device) << " " << b.loss);
            REQUIRE(std::fabs(a.loss - b.loss) <= rel * std::fabs(a.loss));
            const double gmax = max_abs(a.grads), d = rel * gmax;
            REQUIRE(gmax > 0);
            std::size_t moved = 0;
            for (std::size_t i = 0; i < a.grads.size(); ++i) {
                INFO("element " << i << ": gradient cpu " << a.grads[i] << ", " << device_name(device) << " "
                                << b.grads[i] << "; updated " << a.after[i] << " vs " << b.after[i]);
                REQUIRE(std::fabs(a.grads[i] - b.grads[i]) <= d);
                REQUIRE(std::fabs(a.after[i] - b.after[i]) <= update_bound(a.grads[i], before[i], d));
                moved += a.after[i] != before[i];
            }
            REQUIRE(moved > a.after.size() / 2);   // the step did update (the padding stays put)
        }
    }
}

// Tokens generated one at a time, the prompt fed at once; the first `n` after it.
std::vector<std::int32_t> sample(Gpt2& m, const Backend& be, const std::vector<std::int32_t>& prompt, std::size_t n,
                                 float temperature) {
    Rng rng(77);
    return generate(m, be, prompt, n, temperature, rng);
}

}  // namespace

TEST_CASE("ch07: the parameter count is V C + T C + L (12 C^2 + 13 C) + 2 C; the FLOPs follow the tensors", "[ch07]") {
    const auto formula = [](const Gpt2Config& c) {
        const std::size_t V = c.vocab, T = c.context, L = c.layers, C = c.embed;
        return V * C + T * C + L * (12 * C * C + 13 * C) + 2 * C;
    };
    const Gpt2Config big = Gpt2Config::gpt2_124m();
    REQUIRE(big.parameter_count() == formula(big));
    REQUIRE(big.parameter_count() == 124439808);   // GPT-2 small's published count (tied output)
    Gpt2 tiny(tiny_gpt2(), Device::cpu, 1);
    REQUIRE(tiny.params().count() == formula(tiny_gpt2()));
    // Forward FLOPs: 2 per weight of every matrix a token multiplies (the 2-D weights but wpe, which
    // is a lookup, and wte twice: a lookup on the way in, a matmul on the way out), plus attention.
    double matmul = 0;
    for (const ParamSpec& s : gpt2_param_specs(big))
        if (s.shape.rank() == 2 && s.name != "wpe.weight") matmul += 2.0 * static_cast<double>(s.shape.numel());
    const double attention = 4.0 * 12 * 768 * (1024 + 1) / 2.0;
    REQUIRE(big.forward_flops_per_token() == Approx(matmul + attention).epsilon(1e-12));
    // The ablations count what they keep.
    Gpt2Config no_mlp = tiny_gpt2();
    no_mlp.mlp = false;
    REQUIRE(Gpt2(no_mlp, Device::cpu, 1).params().count() == formula(tiny_gpt2()) - 2 * (8 * 144 + 5 * 12 + 2 * 12));
}

TEST_CASE("ch07: one training step on simt gives the cpu step's loss, gradients and update", "[ch07]") {
    check_step_matches_cpu(Device::simt);
}

TEST_CASE("ch07: one training step on cuda gives the cpu step's loss, gradients and update", "[ch07][cuda]") {
    if (testing::skip_unless_available(Device::cuda)) return;
    check_step_matches_cpu(Device::cuda);
}

TEST_CASE("ch07: the fused attention path gives the naive path's loss and gradients", "[ch07]") {
    const std::size_t B = 4;
    Gpt2 naive(tiny_gpt2(false), Device::cpu, 5), fused(tiny_gpt2(true), Device::cpu, 5);
    testing::unit_scale_weights(naive, 6);
    testing::unit_scale_weights(fused, 6);
    const auto tokens = random_tokens(B * naive.window(), 37, 12);
    const Backend be(Device::cpu);
    const Step a = one_step(naive, be, tokens, B), b = one_step(fused, be, tokens, B);
    const double rel = step_bound(tiny_gpt2(), B);   // the same sums in other orders
    REQUIRE(std::fabs(a.loss - b.loss) <= rel * std::fabs(a.loss));
    const double gmax = max_abs(a.grads);
    for (std::size_t i = 0; i < a.grads.size(); ++i) {
        INFO("gradient element " << i << ": naive " << a.grads[i] << ", fused " << b.grads[i]);
        REQUIRE(std::fabs(a.grads[i] - b.grads[i]) <= rel * gmax);
    }
}

TEST_CASE("ch07: generating with the KV cache gives the tokens generating without it gives", "[ch07]") {
    for (Device dev : {Device::cpu, Device::simt}) {
        DYNAMIC_SECTION(device_name(dev)) {
            const Backend be(dev);
            Gpt2 m(tiny_gpt2(), dev, 8);
            testing::unit_scale_weights(m, 9);
            const std::vector<std::int32_t> prompt = {3, 14, 15, 9};
            // 12 new tokens after 4: the window of 7 fills and then slides (the cache refills).
            for (const float temperature : {0.0f, 1.0f}) {
                m.set_kv_cache(false);
                const auto plain = sample(m, be, prompt, 12, temperature);
                m.set_kv_cache(true);
                const auto cached = sample(m, be, prompt, 12, temperature);
                INFO("temperature " << temperature);
                REQUIRE(cached == plain);
            }
            // And the logits themselves: after the prompt, the cached path's last row is the window's.
            m.set_kv_cache(false);
            m.start_generation(be);
            const std::vector<float> a = m.feed(be, prompt);
            m.set_kv_cache(true);
            m.start_generation(be);
            std::vector<float> b;
            for (auto t : prompt) b = m.next_logits(be, t);   // one token at a time through the cache
            // The same sums in other orders (the cache's rows against the window's): the step bound
            // on the largest logit.
            const double tol = step_bound(tiny_gpt2(), 1) * (max_abs(a) + 1e-3);
            for (std::size_t i = 0; i < a.size(); ++i) REQUIRE(std::fabs(a[i] - b[i]) <= tol);
        }
    }
}

TEST_CASE("ch07: a later token never changes an earlier position's logits (the causal mask)", "[ch07]") {
    Gpt2 m(tiny_gpt2(), Device::cpu, 2);
    testing::unit_scale_weights(m, 3);
    const Backend be(Device::cpu);
    std::vector<std::int32_t> ids = {1, 2, 3, 4, 5, 6, 7};
    m.run(be, ids, 1, 7);
    const std::vector<float> a = m.logits().to_vector();
    ids[6] = 30;
    m.run(be, ids, 1, 7);
    const std::vector<float> b = m.logits().to_vector();
    const std::size_t V = 37;
    for (std::size_t i = 0; i < 6 * V; ++i) REQUIRE(a[i] == b[i]);   // the same arithmetic: the same bits
    bool last_moved = false;
    for (std::size_t i = 6 * V; i < 7 * V; ++i) last_moved |= a[i] != b[i];
    REQUIRE(last_moved);
}

TEST_CASE("ch07: each ablation trains: a step lowers its loss", "[ch07]") {
    for (int which = 0; which < 3; ++which) {
        Gpt2Config c = tiny_gpt2();
        (which == 0 ? c.layernorm : which == 1 ? c.mlp : c.residual) = false;
        DYNAMIC_SECTION(c.json()) {
            Gpt2 m(c, Device::cpu, 1);
            REQUIRE(!m.config().is_gpt2());
            const Backend be(Device::cpu);
            const auto tokens = random_tokens(4 * m.window(), 37, 5);
            OptimizerConfig oc;
            Optimizer opt(oc, m.params());
            float first = 0, last = 0;
            for (int s = 0; s < 20; ++s) {
                m.params().zero_grad();
                last = m.forward(be, tokens, 4);
                if (s == 0) first = last;
                m.backward(be);
                opt.step(be, m.params(), 1e-2f, 1.0f);
            }
            INFO("loss " << first << " -> " << last);
            REQUIRE(last < first - 0.5f);   // one batch, 20 steps: it memorises (ln 37 = 3.6 at the start)
        }
    }
}

TEST_CASE("ch07: bad configs, windows and tokens are named", "[ch07]") {
    Gpt2Config c = tiny_gpt2();
    c.heads = 5;
    REQUIRE_THROWS_WITH(Gpt2(c, Device::cpu, 1), Catch::Contains("5 heads") && Catch::Contains("C = 12"));
    Gpt2 m(tiny_gpt2(), Device::cpu, 1);
    const Backend be(Device::cpu);
    REQUIRE_THROWS_WITH(m.run(be, random_tokens(9, 37, 1), 1, 9),
                        Catch::Contains("9 tokens") && Catch::Contains("context of 7"));
    REQUIRE_THROWS_WITH(m.forward(be, random_tokens(10, 37, 1), 1), Catch::Contains("needs 8 ids, got 10"));
    std::vector<std::int32_t> bad = {1, 2, 37};
    REQUIRE_THROWS_WITH(m.run(be, bad, 1, 3), Catch::Contains("token 2 is 37, outside the vocabulary [0, 37)"));
    REQUIRE_THROWS_WITH(Gpt2Config::from_json(testing::tiny_attention().json()), Catch::Contains("kind \"attention\""));
    REQUIRE(Gpt2Config::from_json(tiny_gpt2(true).json()).json() == tiny_gpt2(true).json());
}

TEST_CASE("ch07: GPT-2's checkpoint round-trips through the training frame", "[ch07]") {
    testing::TempDir dir("ch07_roundtrip");
    Gpt2 a(tiny_gpt2(), Device::cpu, 1), b(tiny_gpt2(), Device::cpu, 2);
    OptimizerConfig oc;
    Optimizer oa(oc, a.params()), ob(oc, b.params());
    const auto path = dir.path() / "a.safetensors";
    save_training_checkpoint(path, a, oa, 5, "{}");
    load_training_checkpoint(path, b, ob);
    REQUIRE(b.params().values().to_vector() == a.params().values().to_vector());
}
