// ch06_models_test.cpp: chapter 6's attention model through the training frame: one whole step on
// simt (and cuda) equals the cpu step within a derived bound, the fused path gives the naive path's
// loss and gradients, word order is invisible without positions and visible with them, the recall
// task's rows, and the model's errors (head count, window length, a chapter 5 checkpoint).
#include <cmath>

#include <catch2/catch.hpp>

#include "chapters/ch05_neural_lm/models.hpp"
#include "chapters/ch06_attention/attention_lm.hpp"
#include "chapters/ch06_attention/recall.hpp"
#include "core/error.hpp"
#include "core/nn/train.hpp"
#include "kernels/error_bounds.hpp"
#include "tests/chapters/ch05_testing.hpp"
#include "tests/chapters/ch06_testing.hpp"
#include "tests/temp_dir.hpp"
#include "tests/testing.hpp"

using namespace ladder;
using namespace ladder::ch06;
using testing::random_tokens;
using testing::tiny_attention;

namespace {

double max_abs(const std::vector<float>& v) {
    double m = 0;
    for (float x : v) m = std::max(m, static_cast<double>(std::fabs(x)));
    return m;
}

// The bound of two float32 evaluations of the same model that add the same terms in other orders:
// each op's sums of n terms differ by at most 2 gamma_n n max|term| (Higham, Thm 3.1, per side),
// carried once per op between the loss and the deepest parameter (first order). n is the longest
// reduction (V = 37 logits, B*T = 35 rows of a weight gradient); depth: lm_head, and per layer
// c_proj, the merge, the three steps of attention, the split and c_attn, then the embeddings.
double step_bound(const AttentionConfig& c, std::size_t B) {
    const std::size_t n = std::max<std::size_t>(c.vocab, B * c.context);
    const double depth = 4.0 + 7.0 * static_cast<double>(c.layers);
    return 2 * gamma_n(n) * static_cast<double>(n) * depth;
}

struct Step {
    float loss = 0;
    std::vector<float> grads;
};

Step one_step(AttentionLm& m, const Backend& be, const std::vector<std::int32_t>& tokens, std::size_t B) {
    m.params().zero_grad();
    Step s;
    s.loss = m.forward(be, tokens, B);
    m.backward(be);
    s.grads = m.params().grads().to_vector();
    return s;
}

void check_step_matches_cpu(Device device) {
    for (const bool fused : {false, true}) {
        DYNAMIC_SECTION((fused ? "fused" : "naive")) {
            const AttentionConfig cfg = tiny_attention("learned", fused);
            const std::size_t B = 5;
            AttentionLm cpu(cfg, Device::cpu, 3), gpu(cfg, device, 3);
            const auto tokens = random_tokens(B * cpu.window(), cfg.vocab, 11);
            const Step a = one_step(cpu, Backend(Device::cpu), tokens, B);
            const Step b = one_step(gpu, Backend(device), tokens, B);
            const double rel = step_bound(cfg, B);
            INFO("loss cpu " << a.loss << ", " << device_name(device) << " " << b.loss);
            REQUIRE(std::fabs(a.loss - b.loss) <= rel * std::fabs(a.loss));
            const double gmax = max_abs(a.grads);
            REQUIRE(gmax > 0);
            for (std::size_t i = 0; i < a.grads.size(); ++i) {
                INFO("gradient element " << i << ": cpu " << a.grads[i] << ", " << device_name(device) << " " << b.grads[i]);
                REQUIRE(std::fabs(a.grads[i] - b.grads[i]) <= rel * gmax);
            }
        }
    }
}

}  // namespace

TEST_CASE("ch06: one training step on simt gives the cpu step's loss and gradients", "[ch06]") {
    check_step_matches_cpu(Device::simt);
}

TEST_CASE("ch06: one training step on cuda gives the cpu step's loss and gradients", "[ch06][cuda]") {
    if (testing::skip_unless_available(Device::cuda)) return;
    check_step_matches_cpu(Device::cuda);
}

TEST_CASE("ch06: the fused attention path gives the naive path's loss and gradients", "[ch06]") {
    for (const std::string pos : {"learned", "sinusoidal", "none"}) {
        DYNAMIC_SECTION(pos) {
            const std::size_t B = 4;
            AttentionLm naive(tiny_attention(pos, false), Device::cpu, 5), fused(tiny_attention(pos, true), Device::cpu, 5);
            const auto tokens = random_tokens(B * naive.window(), 37, 12);
            const Backend be(Device::cpu);
            const Step a = one_step(naive, be, tokens, B), b = one_step(fused, be, tokens, B);
            // The same sums in another order (online softmax, recomputed probabilities): the step bound.
            const double rel = step_bound(tiny_attention(), B);
            REQUIRE(std::fabs(a.loss - b.loss) <= rel * std::fabs(a.loss));
            const double gmax = max_abs(a.grads);
            for (std::size_t i = 0; i < a.grads.size(); ++i) {
                INFO("gradient element " << i << ": naive " << a.grads[i] << ", fused " << b.grads[i]);
                REQUIRE(std::fabs(a.grads[i] - b.grads[i]) <= rel * gmax);
            }
        }
    }
}

namespace {
// The logits after the last token of `ids`, one token at a time as generation feeds them.
std::vector<float> last_logits(AttentionLm& m, const std::vector<std::int32_t>& ids) {
    const Backend be(Device::cpu);
    m.start_generation(be);
    std::vector<float> l;
    for (auto id : ids) l = m.next_logits(be, id);
    return l;
}
}  // namespace

TEST_CASE("ch06: without positions word order is invisible to the last token; with positions it is not", "[ch06]") {
    // "the man bites the dog ." and "the dog bites the man .": the same tokens, another order, the
    // same last token (which sees all of them).
    const std::vector<std::int32_t> a = {3, 10, 20, 3, 11, 30}, b = {3, 11, 20, 3, 10, 30};
    // One layer: its last position sees the first layer's inputs, one per token whatever the order.
    // (From two layers on, the causal mask leaks order even without positions: an earlier position's
    // output depends on which tokens precede it, and the last position reads those outputs.)
    AttentionConfig one = tiny_attention("none");
    one.layers = 1;
    AttentionLm none(one, Device::cpu, 9);
    testing::unit_scale_weights(none, 9);
    const auto la = last_logits(none, a), lb = last_logits(none, b);
    // Without positions the last position's output is a function of the multiset of tokens: the
    // two runs add the same terms in another order. Each value is a chain of the step bound's ops
    // (sums of at most C = 12 or T = 6 terms): within 2 gamma_12 12 depth of the largest logit's scale.
    const double scale = max_abs(la) + 1e-3;
    const double tol = 2 * gamma_n(12) * 12 * (4.0 + 7.0 * 1) * scale;
    for (std::size_t i = 0; i < la.size(); ++i) {
        INFO("logit " << i << ": " << la[i] << " vs " << lb[i]);
        REQUIRE(std::fabs(la[i] - lb[i]) <= tol);
    }
    // Positions make the same tokens in another order another input: the logits move by far more
    // than rounding: peaked attention rows weight the tokens by where they stand.
    for (const std::string pos : {"learned", "sinusoidal"}) {
        AttentionConfig c = tiny_attention(pos);
        c.layers = 1;
        AttentionLm m(c, Device::cpu, 9);
        testing::unit_scale_weights(m, 9);
        const auto pa = last_logits(m, a), pb = last_logits(m, b);
        double diff = 0;
        for (std::size_t i = 0; i < pa.size(); ++i) diff = std::max(diff, std::fabs(double(pa[i]) - pb[i]));
        INFO(pos << ": largest logit difference " << diff << ", rounding allows " << tol);
        CHECK(diff > 100 * tol);
    }
}

TEST_CASE("ch06: a later token never changes an earlier position's output (the causal mask)", "[ch06]") {
    for (const bool fused : {false, true}) {
        AttentionLm m(tiny_attention("learned", fused), Device::cpu, 2);
        const Backend be(Device::cpu);
        std::vector<std::int32_t> x = random_tokens(7, 37, 4);
        m.run(be, x, 1, 7);
        const std::vector<float> before = m.logits().to_vector();
        x[6] = (x[6] + 1) % 37;   // change the last token only
        m.run(be, x, 1, 7);
        const std::vector<float> after = m.logits().to_vector();
        // Positions 0..5 compute exactly the same operations on the same values: bit-identical.
        for (std::size_t i = 0; i < 6 * 37; ++i) REQUIRE(before[i] == after[i]);
        bool last_moved = false;
        for (std::size_t i = 6 * 37; i < 7 * 37; ++i) last_moved |= before[i] != after[i];
        CHECK(last_moved);
    }
}

TEST_CASE("ch06: the recall task's rows bind every key once, ask for one at the distance, answer its value", "[ch06]") {
    RecallTask task;
    task.T = 12;   // 8 pairs, 3 fillers and the query
    Rng rng(3);
    for (const std::size_t d : {1, 5, 11}) {
        const auto rows = task.batch(rng, 6, d);
        for (std::size_t b = 0; b < 6; ++b) {
            const std::int32_t* r = rows.data() + b * 13;
            // The query names key k; the pair d tokens before it is (k, v), and the answer is v.
            const std::int32_t q = r[11] - task.query(0);
            REQUIRE(q >= 0);
            REQUIRE(q < 8);
            const std::int32_t p = r[11 - d] - task.pair(0, 0);
            REQUIRE(p / 8 == q);
            REQUIRE(r[12] == task.answer(static_cast<std::size_t>(p % 8)));
            // Every key's pair exactly once among the inputs, the rest fillers.
            std::vector<int> seen(8, 0);
            for (std::size_t t = 0; t < 11; ++t) {
                if (r[t] < 16) continue;
                REQUIRE(r[t] < task.pair(7, 7) + 1);
                ++seen[(r[t] - task.pair(0, 0)) / 8];
            }
            for (int n : seen) REQUIRE(n == 1);
        }
    }
    REQUIRE_THROWS_WITH(task.batch(rng, 1, 12), Catch::Contains("distance 12") && Catch::Contains("T = 12"));
    task.T = 8;
    REQUIRE_THROWS_WITH(task.batch(rng, 1, 1), Catch::Contains("8 pairs do not fit"));
}

TEST_CASE("ch06: a head count that does not divide the width, and a window past the position table, are named", "[ch06]") {
    AttentionConfig c = tiny_attention();
    c.heads = 5;
    REQUIRE_THROWS_WITH(AttentionLm(c, Device::cpu, 1), Catch::Contains("5 heads") && Catch::Contains("C = 12"));
    c.heads = 3;
    c.positions = "rotary";
    REQUIRE_THROWS_WITH(AttentionLm(c, Device::cpu, 1), Catch::Contains("rotary"));
    AttentionLm m(tiny_attention(), Device::cpu, 1);
    const Backend be(Device::cpu);
    REQUIRE_THROWS_WITH(m.run(be, random_tokens(9, 37, 1), 1, 9),
                        Catch::Contains("9 tokens") && Catch::Contains("position table (7 positions)"));
    REQUIRE_THROWS_WITH(m.forward(be, random_tokens(10, 37, 1), 1), Catch::Contains("needs 8 ids, got 10"));
}

TEST_CASE("ch06: a chapter 5 checkpoint loaded as chapter 6's model is refused, naming the tensors", "[ch06]") {
    testing::TempDir dir("ch06_ckpt");
    ch05::ModelConfig rc = testing::tiny_config("rnn");
    auto rnn = ch05::make_model(rc, Device::cpu, 1);
    OptimizerConfig oc;
    Optimizer opt5(oc, rnn->params());
    const auto path = dir.path() / "rnn.safetensors";
    save_training_checkpoint(path, *rnn, opt5, 3, "{}");
    AttentionLm m(tiny_attention(), Device::cpu, 1);
    Optimizer opt6(oc, m.params());
    const std::vector<float> before = m.params().values().to_vector();
    REQUIRE_THROWS_WITH(load_training_checkpoint(path, m, opt6), Catch::Contains(path.string()));
    REQUIRE(m.params().values().to_vector() == before);   // nothing was loaded: all or nothing
    // The config alone says which chapter's model it is.
    REQUIRE_THROWS_WITH(AttentionConfig::from_json(rc.json()), Catch::Contains("kind \"rnn\""));
}

TEST_CASE("ch06: the attention model's checkpoint round-trips through the training frame", "[ch06]") {
    testing::TempDir dir("ch06_roundtrip");
    AttentionLm a(tiny_attention("sinusoidal"), Device::cpu, 1), b(tiny_attention("sinusoidal"), Device::cpu, 2);
    OptimizerConfig oc;
    Optimizer oa(oc, a.params()), ob(oc, b.params());
    const auto path = dir.path() / "a.safetensors";
    save_training_checkpoint(path, a, oa, 5, "{}");
    load_training_checkpoint(path, b, ob);
    REQUIRE(b.params().values().to_vector() == a.params().values().to_vector());
    REQUIRE(AttentionConfig::from_json(a.config_json()).json() == a.config_json());
}
