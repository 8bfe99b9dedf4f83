// ch06_torch_test.cpp: PyTorch as the oracle of chapter 6's attention model. Our model (naive and
// fused attention; learned, sinusoidal and no positions) computes a loss and every gradient at small
// shapes; the same weights go to tools/peers/torch_lm.py, whose float64 autograd of the explicit
// masked-softmax form is the exact answer ours must be within a derived bound of. Skipped without torch.
#include <cmath>
#include <cstdlib>

#include <catch2/catch.hpp>

#include "chapters/ch06_attention/attention_lm.hpp"
#include "core/safetensors.hpp"
#include "kernels/error_bounds.hpp"
#include "tests/chapters/ch05_testing.hpp"
#include "tests/chapters/ch06_testing.hpp"
#include "tests/temp_dir.hpp"

using namespace ladder;
using namespace ladder::ch06;

namespace {
bool have_torch() { return std::system("/usr/bin/python3 -c 'import torch' > /dev/null 2>&1") == 0; }
}  // namespace

TEST_CASE("ch06: the attention model's loss and gradients match PyTorch's autograd", "[ch06][torch]") {
    if (!have_torch()) {
        WARN("SKIPPED: PyTorch not found (/usr/bin/python3 -c 'import torch' failed): ./ladder setup installs python3-torch");
        return;
    }
    struct Variant {
        std::string positions;
        bool fused;
    };
    for (const Variant& var : {Variant{"learned", false}, Variant{"sinusoidal", false}, Variant{"none", false},
                              Variant{"learned", true}}) {
        DYNAMIC_SECTION(var.positions << (var.fused ? " fused" : " naive")) {
            testing::TempDir dir("ch06_torch");
            const AttentionConfig cfg = testing::tiny_attention(var.positions, var.fused);
            const std::size_t B = 5;
            const Backend be(Device::cpu);
            AttentionLm m(cfg, Device::cpu, 4);
            testing::unit_scale_weights(m, 6);
            const std::vector<std::int32_t> tokens = testing::random_tokens(B * m.window(), cfg.vocab, 2);
            m.params().zero_grad();
            const float loss = m.forward(be, tokens, B);
            m.backward(be);

            std::vector<TensorView> in;
            std::vector<std::vector<float>> keep;
            for (const ParamView& v : m.params().views()) {
                keep.push_back(m.params().host_value(v.name));
                in.push_back({v.name, DType::f32, std::vector<std::size_t>(v.shape.dims().begin(), v.shape.dims().end()),
                              keep.back().data()});
            }
            in.push_back({"tokens", DType::i32, {B, m.window()}, tokens.data()});
            const auto in_path = dir.path() / "in.safetensors", out_path = dir.path() / "out.safetensors";
            save_safetensors(in_path, in, {{"model", "attention"}, {"config", cfg.json()}});
            const std::string cmd = "/usr/bin/python3 " + std::string(LADDER_SOURCE_DIR) +
                                    "/tools/peers/torch_lm.py oracle " + in_path.string() + " " + out_path.string() + " 2>&1";
            REQUIRE(std::system(cmd.c_str()) == 0);
            const SafeTensors out = load_safetensors(out_path);

            // Ours in float32 against the exact value: each op's sums of n terms are within
            // gamma_n n max|term| (Higham, Thm 3.1), carried once per op between the loss and the
            // tensor (lm_head; per layer c_proj, merge, scores, softmax, weighted sum, split, c_attn;
            // the embeddings), plus the oracle's rounding to float32 (2^-24). n: the longest reduction
            // (V = 37 logits, B*T = 35 rows of a weight gradient). The scale of the values compared
            // is the largest gradient of the tensor.
            const std::size_t n = std::max<std::size_t>(cfg.vocab, B * cfg.context);
            const double depth = 4.0 + 7.0 * static_cast<double>(cfg.layers);
            const double rel = gamma_n(n) * static_cast<double>(n) * depth + 0x1p-24;
            const double want = out.get("loss").f32()[0];
            INFO("loss ours " << loss << ", torch " << want);
            REQUIRE(std::fabs(loss - want) <= rel * std::fabs(want));
            for (const ParamView& v : m.params().views()) {
                const std::vector<float> ours = m.params().grad(v.name).to_vector();
                const auto theirs = out.get("grad." + v.name).f32();
                REQUIRE(ours.size() == theirs.size());
                double gmax = 0;
                for (float x : theirs) gmax = std::max(gmax, static_cast<double>(std::fabs(x)));
                REQUIRE(gmax > 0);   // every parameter takes part
                for (std::size_t i = 0; i < ours.size(); ++i) {
                    INFO(v.name << "[" << i << "]: ours " << ours[i] << ", torch " << theirs[i]);
                    REQUIRE(std::fabs(ours[i] - theirs[i]) <= rel * gmax);
                }
            }
        }
    }
}
