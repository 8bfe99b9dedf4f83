// gpt2.hpp: chapter 7's model, GPT-2 as published (Radford et al. 2019), written once against the
// Backend (cpu, simt, cuda) and trained by chapter 5's frame (core/nn/train.hpp):
//   x_0     = wte[tokens] + wpe[t]                                   (B,T,C)
//   m_l     = x_l + c_proj(attention(split(c_attn(ln_1(x_l)))))      causal, NH heads of hs = C/NH
//   x_{l+1} = m_l + mlp.c_proj(gelu(mlp.c_fc(ln_2(m_l))))            the MLP is 4C wide
//   logits  = ln_f(x_L) wte^T                                        (B,T,V): the output is tied to wte
// Pre-layernorm blocks (the norm before each sublayer, the residual stream itself never normalised
// until ln_f). Tensor names are Hugging Face's (wte.weight, h.0.ln_1.weight, h.0.attn.c_attn.weight,
// ..., ln_f.bias); every linear is stored (out, in) as everywhere in the ladder (HF's Conv1D stores
// the transpose: gpt2_formats.hpp converts). For the chapter's ablation the config can drop the
// layernorms (each becomes the identity), the MLP, or the residual paths (x_{l+1} = f(x_l)).
// Generation keeps a KV cache: each new token runs the blocks on one position and attends to the
// keys and values of the positions before it (kernels/kv_cache).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/backend.hpp"
#include "core/nn/params.hpp"
#include "core/nn/train.hpp"
#include "core/tensor.hpp"

namespace ladder::ch07 {

struct Gpt2Config {
    std::size_t vocab = 0;      // V
    std::size_t context = 64;   // T, the longest window (wpe's rows)
    std::size_t layers = 4;     // L blocks
    std::size_t heads = 4;      // NH; must divide C
    std::size_t embed = 128;    // C, the width of the residual stream
    bool fused = false;         // the fused attention path (no (T,T) buffer)
    // The ablation switches (all on is GPT-2; the formats refuse a model with any off).
    bool layernorm = true, mlp = true, residual = true;
    std::string json() const;   // {"kind":"gpt2",...}: stored in checkpoints
    static Gpt2Config from_json(const std::string& text);   // an error unless kind is "gpt2"
    // GPT-2 small, the 124M shape: V 50257, T 1024, L 12, NH 12, C 768.
    static Gpt2Config gpt2_124m();
    std::size_t head_size() const { return embed / heads; }
    bool is_gpt2() const { return layernorm && mlp && residual; }
    // The parameters, counted from the shapes: V C + T C + L (12 C^2 + 13 C) + 2 C.
    std::size_t parameter_count() const;
    // Forward flops per token at a window of T tokens (a multiply-add is 2): the matmuls
    // 2 (12 L C^2 + V C) and attention's two (t,hs) products, 2 L C T on average (the causal half).
    double forward_flops_per_token() const;
};

// The tensor names and shapes a config has, in order (the layout of the parameter buffer).
std::vector<ParamSpec> gpt2_param_specs(const Gpt2Config& cfg);

class Gpt2 final : public LanguageModel {
public:
    // GPT-2's initialisation from `seed`: weights N(0, 0.02), the residual projections (attn.c_proj,
    // mlp.c_proj) N(0, 0.02 / sqrt(2L)), biases 0, layernorm gains 1.
    Gpt2(const Gpt2Config& cfg, Device device, std::uint64_t seed);
    std::string name() const override;
    std::string config_json() const override { return cfg_.json(); }
    ParamSet& params() override { return params_; }
    const ParamSet& params() const { return params_; }
    std::size_t window() const override { return cfg_.context + 1; }
    std::size_t targets_per_row() const override { return cfg_.context; }
    float forward(const Backend& be, std::span<const std::int32_t> tokens, std::size_t rows) override;
    void backward(const Backend& be) override;
    void start_generation(const Backend& be) override;
    std::vector<float> next_logits(const Backend& be, std::int32_t token) override;
    // Several tokens at once (a prompt): one pass over all of them through the cache.
    std::vector<float> feed(const Backend& be, std::span<const std::int32_t> tokens) override;

    // The forward pass without a loss on `inputs` (B,Tc), Tc <= context: fills logits() (B*Tc, V).
    void run(const Backend& be, std::span<const std::int32_t> inputs, std::size_t B, std::size_t Tc);
    // forward() on explicit inputs and targets (B,Tc) each (the oracle test feeds both).
    float forward_targets(const Backend& be, std::span<const std::int32_t> inputs,
                          std::span<const std::int32_t> targets, std::size_t B, std::size_t Tc);
    const Gpt2Config& config() const { return cfg_; }
    const Tensor& logits() const { return logits_; }

    // Generation with (default) or without the KV cache: without, each token reruns the window.
    void set_kv_cache(bool on) { use_cache_ = on; }
    bool kv_cache() const { return use_cache_; }

private:
    // One block's activations for rows N = B*Tc (what the backward reads).
    struct Acts {
        Tensor ln1, mean1, rstd1, qkv, q, k, v, heads, lse, att, merged, mid, ln2, mean2, rstd2, fc, act;
        // mid = m_l (N,C); ln1/ln2 alias their input when layernorm is off
    };
    struct Cache {
        Tensor k, v;   // (1,NH,T,hs): the keys and values of the positions so far
    };
    void resize(const Backend& be, std::size_t B, std::size_t Tc);
    // run() up to x_L (the embeddings and the blocks), without the output layer.
    void run_blocks(const Backend& be, std::span<const std::int32_t> inputs, std::size_t B, std::size_t Tc);
    void make_acts(const Backend& be, Acts& a, std::size_t B, std::size_t Tc, bool training) const;
    void embed(const Backend& be, Tensor& x0, const Tensor& ids, const Tensor& pos_ids, Tensor& pos_rows) const;
    void head_forward(const Backend& be, Tensor& logits, const Tensor& x, Tensor& lnf, Tensor& meanf,
                      Tensor& rstdf) const;
    void check_tokens(std::span<const std::int32_t> ids, const char* what) const;
    // x (B,Tc,C) -> y: one block. With a cache, the new keys and values go into it at `pos` and
    // the queries attend to everything cached so far (B = 1).
    void block_forward(const Backend& be, std::size_t l, Acts& a, const Tensor& x, Tensor& y, Cache* cache,
                       std::size_t pos) const;
    // Forward the tokens `ids` at positions [pos, pos + n) through the cache; the last row's logits.
    std::vector<float> decode(const Backend& be, std::span<const std::int32_t> ids, std::size_t pos);
    std::vector<float> last_logits(const Backend& be, const Tensor& x, std::size_t n);

    Gpt2Config cfg_;
    ParamSet params_;
    std::size_t B_ = 0, T_ = 0;
    Tensor ids_, pos_ids_, pos_rows_, targets_, lnf_, meanf_, rstdf_, logits_, probs_, losses_, dlosses_;
    std::vector<Tensor> xs_;   // x_0 .. x_L (B,T,C)
    std::vector<Acts> acts_;
    Tensor dlogits_, dx_, dy_, dlnf_, dln_, dmerged_, dheads_, dq_, dk_, dv_, dqkv_, dpreatt_, dact_, dfc_;
    // generation
    bool use_cache_ = true;
    std::vector<std::int32_t> gen_;   // the tokens in the window (the last T)
    std::vector<Cache> caches_;
    std::size_t cached_ = 0;          // positions in the cache
    Acts dec_;                        // scratch of the decoding path (1,n)
    Tensor dec_ids_, dec_pos_, dec_rows_, dec_x0_, dec_x1_, dec_lnf_, dec_meanf_, dec_rstdf_, dec_logits_;
};

// [book:gpt2-recipe]
// GPT-2's way of training, for `steps` steps of `batch` rows: AdamW with weight decay 0.1 (on the
// 2-D weights only; ParamSet marks them) and beta2 = 0.95, the gradient clipped to a global norm
// of 1, and the learning rate warmed up over the first 1/20 of the steps, then decayed along a
// cosine from `lr` to lr / 10. Chapter 8 pre-trains with the same recipe.
TrainConfig gpt2_recipe(std::size_t steps, std::size_t batch, double lr);
// [/book]

}  // namespace ladder::ch07
