// ch05_torch_test.cpp: PyTorch as the oracle of chapter 5's models. Our bigram, MLP and RNN
// (with a carried hidden state) compute a loss and every gradient at small shapes; the same
// weights go to tools/peers/torch_lm.py in a safetensors file, and autograd in float64 gives
// the exact answer ours must be within a derived bound of. Skipped (never passed) without torch.
#include <cmath>
#include <cstdlib>

#include <catch2/catch.hpp>

#include "chapters/ch05_neural_lm/models.hpp"
#include "core/safetensors.hpp"
#include "kernels/error_bounds.hpp"
#include "tests/chapters/ch05_testing.hpp"
#include "tests/temp_dir.hpp"

using namespace ladder;
using namespace ladder::ch05;

namespace {

bool have_torch() { return std::system("/usr/bin/python3 -c 'import torch' > /dev/null 2>&1") == 0; }

}  // namespace

TEST_CASE("ch05: the models' loss and gradients match PyTorch's autograd", "[ch05][torch]") {
    if (!have_torch()) {
        WARN("SKIPPED: PyTorch not found (/usr/bin/python3 -c 'import torch' failed): ./ladder setup installs python3-torch");
        return;
    }
    for (const std::string kind : {"bigram", "mlp", "rnn"}) {
        DYNAMIC_SECTION(kind) {
            testing::TempDir dir("ch05_torch_" + kind);
            const ModelConfig cfg = testing::tiny_config(kind);
            const std::size_t B = 7;
            const Backend be(Device::cpu);
            auto m = make_model(cfg, Device::cpu, 4);
            if (kind == "bigram") {
                // The bigram starts at all zeros: give it values so its gradient is not trivial.
                std::vector<float> w(cfg.vocab * cfg.vocab);
                Rng rng(8);
                rng.fill_normal(w, 0.0f, 1.0f);
                m->params().set_value("wte", w);
            }
            std::vector<float> h0;
            if (m->stateful()) {
                // A first batch leaves a non-zero state: the second starts from it, as in training.
                m->reset_state(be, B);
                m->forward(be, testing::random_tokens(B * m->window(), cfg.vocab, 1), B);
                h0 = m->carried_state().to_vector();
            }
            const std::vector<std::int32_t> tokens = testing::random_tokens(B * m->window(), cfg.vocab, 2);
            m->params().zero_grad();
            const float loss = m->forward(be, tokens, B);
            m->backward(be);

            std::vector<TensorView> in;
            std::vector<std::vector<float>> keep;
            for (const ParamView& v : m->params().views()) {
                keep.push_back(m->params().host_value(v.name));
                in.push_back({v.name, DType::f32, std::vector<std::size_t>(v.shape.dims().begin(), v.shape.dims().end()),
                              keep.back().data()});
            }
            in.push_back({"tokens", DType::i32, {B, m->window()}, tokens.data()});
            if (!h0.empty()) in.push_back({"h0", DType::f32, {B, cfg.hidden}, h0.data()});
            const auto in_path = dir.path() / "in.safetensors", out_path = dir.path() / "out.safetensors";
            save_safetensors(in_path, in, {{"model", kind}, {"config", cfg.json()}});
            const std::string cmd = "/usr/bin/python3 " + std::string(LADDER_SOURCE_DIR) + "/tools/peers/torch_lm.py oracle " +
                                    in_path.string() + " " + out_path.string() + " 2>&1";
            REQUIRE(std::system(cmd.c_str()) == 0);
            const SafeTensors out = load_safetensors(out_path);

            // Ours in float32 against the exact value: each op's sums of n terms are within
            // gamma_n sum|terms| <= gamma_n n max|term| (Higham, Thm 3.1), carried once per op
            // between the loss and the tensor (depth: the RNN's backward passes 2 ops per time
            // step), plus the oracle's one rounding to float32 (2^-24 relative). n: the longest
            // reduction here (V = 37 logits in a softmax, B*T = 42 rows in a weight gradient).
            const std::size_t n = std::max<std::size_t>(cfg.vocab, B * cfg.seq);
            const double depth = kind == "bigram" ? 3 : kind == "mlp" ? 7 : 2.0 * cfg.seq + 5;
            const double rel = gamma_n(n) * static_cast<double>(n) * depth + 0x1p-24;
            const double want = out.get("loss").f32()[0];
            INFO("loss ours " << loss << ", torch " << want);
            REQUIRE(std::fabs(loss - want) <= rel * std::fabs(want));
            for (const ParamView& v : m->params().views()) {
                const std::vector<float> ours = m->params().grad(v.name).to_vector();
                const auto theirs = out.get("grad." + v.name).f32();
                REQUIRE(ours.size() == theirs.size());
                double gmax = 0;
                for (float x : theirs) gmax = std::max(gmax, static_cast<double>(std::fabs(x)));
                REQUIRE(gmax > 0);   // every parameter takes part: a zero gradient would prove nothing
                for (std::size_t i = 0; i < ours.size(); ++i) {
                    INFO(v.name << "[" << i << "]: ours " << ours[i] << ", torch " << theirs[i]);
                    REQUIRE(std::fabs(ours[i] - theirs[i]) <= rel * gmax);
                }
            }
            if (m->stateful()) {
                const std::vector<float> h = m->carried_state().to_vector();
                const auto theirs = out.get("h_last").f32();
                for (std::size_t i = 0; i < h.size(); ++i) REQUIRE(std::fabs(h[i] - theirs[i]) <= rel);   // |h| <= 1
            }
        }
    }
}
