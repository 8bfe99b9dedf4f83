// attention_lm.hpp: chapter 6's attention language model, written once against the Backend (cpu,
// simt, cuda) and trained by chapter 5's frame (core/nn/train.hpp):
//   x_0     = wte[tokens] + P[t]                      (B,T,C); P learned (wpe), sinusoidal, or none
//   x_{l+1} = x_l + c_proj(merge(attention(split(c_attn(x_l)))))   for each of L layers (residual)
//   logits  = lm_head(x_L)                            (B,T,V), each position predicts the next token
// Causal multi-head attention: NH heads of hs = C/NH, scores scaled by 1/sqrt(hs). No layernorm and
// no MLP: chapter 7 adds both (and ties lm_head to wte) on the way to GPT-2. Tensor names are GPT-2's
// (h.0.attn.c_attn.weight, ...), stored (out, in) as every linear here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/backend.hpp"
#include "core/nn/params.hpp"
#include "core/nn/train.hpp"
#include "core/tensor.hpp"

namespace ladder::ch06 {

struct AttentionConfig {
    std::size_t vocab = 0;             // V
    std::size_t embed = 128;           // C, the width of the residual stream
    std::size_t heads = 4;             // NH; must divide C
    std::size_t layers = 2;            // L attention blocks
    std::size_t context = 64;          // T, the longest window (the position table's length)
    std::string positions = "learned"; // learned | sinusoidal | none
    bool fused = false;                // the fused attention path (no (T,T) buffer; no heat maps)
    std::string json() const;          // {"kind":"attention",...}: stored in checkpoints
    static AttentionConfig from_json(const std::string& text);   // an error unless kind is "attention"
    std::size_t head_size() const { return embed / heads; }
};

class AttentionLm final : public LanguageModel {
public:
    AttentionLm(const AttentionConfig& cfg, Device device, std::uint64_t seed);
    std::string name() const override;
    std::string config_json() const override { return cfg_.json(); }
    ParamSet& params() override { return params_; }
    std::size_t window() const override { return cfg_.context + 1; }
    std::size_t targets_per_row() const override { return cfg_.context; }
    float forward(const Backend& be, std::span<const std::int32_t> tokens, std::size_t rows) override;
    void backward(const Backend& be) override;
    void start_generation(const Backend& be) override;
    std::vector<float> next_logits(const Backend& be, std::int32_t token) override;

    // The forward pass without a loss on `inputs` (B,Tc), Tc <= context: fills logits() and the
    // activations below. forward() is this on the first T tokens of each row, then the loss.
    void run(const Backend& be, std::span<const std::int32_t> inputs, std::size_t B, std::size_t Tc);
    const AttentionConfig& config() const { return cfg_; }
    std::size_t rows() const { return B_; }
    std::size_t length() const { return T_; }
    const Tensor& logits() const { return logits_; }                       // (B*Tc, V)
    const Tensor& residual(std::size_t l) const { return xs_.at(l); }      // x_l (B,Tc,C), l = 0..L
    const Tensor& attention(std::size_t l) const;                          // (B,NH,Tc,Tc), naive path only
    // Bytes of the activations the last forward kept for the backward, in total and in the part
    // that grows with Tc^2 (the attention probabilities; none on the fused path).
    std::size_t activation_bytes() const;
    std::size_t attention_matrix_bytes() const;
    // The last forward's loss at each position t of the window (T), averaged over the rows.
    std::vector<double> loss_by_position() const;
    // backward() with other weights of the positions' losses: dlosses (B*T), row-major (row b,
    // position t at b*T + t); the gradient is that of sum_i dlosses_i loss_i / (B*T). backward()
    // is this with every weight 1 (the mean loss).
    void backward_from(const Backend& be, const Tensor& dlosses);

private:
    struct Layer {
        Tensor qkv, q, k, v, heads, lse, att, merged;   // (B,T,3C), 3x (B,NH,T,hs), (B,NH,T,hs), (B,NH,T), (B,NH,T,T), (B,T,C)
    };
    void resize(const Backend& be, std::size_t B, std::size_t Tc);
    AttentionConfig cfg_;
    ParamSet params_;
    Tensor sinusoid_;                      // (T,C) the fixed table, when positions = sinusoidal
    std::size_t B_ = 0, T_ = 0;
    Tensor ids_, pos_ids_, targets_, pos_rows_, logits_, probs_, losses_, dlosses_;
    std::vector<Tensor> xs_;               // x_0 .. x_L, (B*T, C) each
    std::vector<Layer> layers_;
    Tensor dlogits_, dx_, dmerged_, dheads_, dq_, dk_, dv_, dqkv_, dpreatt_;   // shared by the layers
    std::vector<std::int32_t> gen_;        // generation: the tokens so far (the last T)
};

}  // namespace ladder::ch06
