// models.hpp: chapter 5's three neural language models, each written once against the Backend
// (cpu, simt, cuda): the neural bigram, the MLP of Bengio et al. (2003) and an Elman RNN trained
// by truncated backpropagation through time. Tensor names are those of the safetensors files.
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
#include "core/rng.hpp"
#include "core/tensor.hpp"

namespace ladder::ch05 {

struct ModelConfig {
    std::string kind = "mlp";      // bigram | mlp | rnn
    std::size_t vocab = 0;         // V
    std::size_t embed = 64;        // E (mlp, rnn)
    std::size_t hidden = 512;      // H (mlp, rnn)
    std::size_t context = 8;       // n, tokens the MLP sees
    std::size_t seq = 32;          // T, the RNN's BPTT window
    std::string json() const;      // {"kind":"mlp","vocab":2048,...}: stored in checkpoints
    static ModelConfig from_json(const std::string& text);
};

// Builds the model of cfg.kind with parameters on `device`, initialised from `seed`.
std::unique_ptr<LanguageModel> make_model(const ModelConfig& cfg, Device device, std::uint64_t seed);

// ---- the neural bigram: a (V,V) table of logits, row = previous token ----
// window 2: logits = wte[tokens[:,0]] (B,V), target tokens[:,1].
class NeuralBigram final : public LanguageModel {
public:
    NeuralBigram(const ModelConfig& cfg, Device device, std::uint64_t seed);
    std::string name() const override { return "neural bigram"; }
    std::string config_json() const override { return cfg_.json(); }
    ParamSet& params() override { return params_; }
    std::size_t window() const override { return 2; }
    std::size_t targets_per_row() const override { return 1; }
    float forward(const Backend& be, std::span<const std::int32_t> tokens, std::size_t rows) override;
    void backward(const Backend& be) override;
    void start_generation(const Backend&) override {}
    std::vector<float> next_logits(const Backend& be, std::int32_t token) override;

private:
    ModelConfig cfg_;
    ParamSet params_;
    std::size_t B_ = 0;
    Tensor ids_, targets_, logits_, losses_, probs_, dlogits_, dlosses_;
};

// ---- the MLP language model (Bengio et al., 2003) ----
// window n+1: x = wte[tokens[:, :n]] (B, n*E) -> h = tanh(x fc1^T + b1) (B,H)
//             -> logits = h fc2^T + b2 (B,V), target tokens[:, n].
class MlpLm final : public LanguageModel {
public:
    MlpLm(const ModelConfig& cfg, Device device, std::uint64_t seed);
    std::string name() const override;
    std::string config_json() const override { return cfg_.json(); }
    ParamSet& params() override { return params_; }
    std::size_t window() const override { return cfg_.context + 1; }
    std::size_t targets_per_row() const override { return 1; }
    float forward(const Backend& be, std::span<const std::int32_t> tokens, std::size_t rows) override;
    void backward(const Backend& be) override;
    void start_generation(const Backend& be) override;
    std::vector<float> next_logits(const Backend& be, std::int32_t token) override;

private:
    void resize(const Backend& be, std::size_t B);
    ModelConfig cfg_;
    ParamSet params_;
    std::size_t B_ = 0;
    Tensor ids_, targets_, emb_, pre_, hidden_, logits_, losses_, probs_;   // activations of the last forward
    Tensor dlogits_, dlosses_, dhidden_, dpre_, demb_;                 // their gradients
    std::vector<std::int32_t> gen_context_;                           // generation: the last n tokens
};

// ---- the Elman RNN ----
// window T+1: for t < T: x_t = wte[tokens[:,t]], h_t = tanh(x_t w_xh^T + h_{t-1} w_hh^T + b_h),
// logits_t = h_t head^T + head_b, target tokens[:,t+1]. h_{-1} is the state carried from the
// previous batch (each row is a stream of consecutive windows); backpropagation stops there
// (truncated BPTT). Activations are stored time-major, (T,B,H), so each step is one slice.
class RnnLm final : public LanguageModel {
public:
    RnnLm(const ModelConfig& cfg, Device device, std::uint64_t seed);
    std::string name() const override;
    std::string config_json() const override { return cfg_.json(); }
    ParamSet& params() override { return params_; }
    std::size_t window() const override { return cfg_.seq + 1; }
    std::size_t targets_per_row() const override { return cfg_.seq; }
    float forward(const Backend& be, std::span<const std::int32_t> tokens, std::size_t rows) override;
    void backward(const Backend& be) override;
    bool stateful() const override { return true; }
    void reset_state(const Backend& be, std::size_t rows) override;
    Tensor carried_state() override { return carried_; }
    void start_generation(const Backend& be) override;
    std::vector<float> next_logits(const Backend& be, std::int32_t token) override;

    // The last forward's loss at each position t of the window (T): does the RNN use the past?
    std::vector<double> loss_by_position() const;
    // ||d loss_{T-1} / d h_t|| for t = 0..T-1 (T norms; the last is at distance 0): how the
    // gradient of the last position's loss shrinks going back in time. Runs its own backward
    // on the last forward's activations (the parameters' gradients are left zeroed).
    std::vector<double> hidden_grad_norms(const Backend& be);
    // Bytes of state per sequence at inference: H floats, whatever the length.
    std::size_t state_bytes() const { return cfg_.hidden * sizeof(float); }
    // The last forward's probabilities (T*B, V), time-major: position t of row b is row t*B + b.
    const Tensor& probs() const { return probs_; }
    // Bytes the last forward kept of the recurrence for the backward (pre-activations and hidden
    // states, (T,B,H) and (T+1,B,H)): they grow with T, as attention's (T,T) matrix grows with T^2.
    std::size_t recurrence_bytes() const { return pre_.nbytes() + hs_.nbytes(); }
    // backward() with other weights of the positions' losses: dlosses (T*B), time-major (position
    // t of row b at t*B + b); the gradient is that of sum_i dlosses_i loss_i / (T*B). With
    // dh_norms, the norms of hidden_grad_norms are recorded on the way.
    void backward_from(const Backend& be, const Tensor& dlosses, std::vector<double>* dh_norms = nullptr);

private:
    void resize(const Backend& be, std::size_t B);
    ModelConfig cfg_;
    ParamSet params_;
    std::size_t B_ = 0;
    Tensor carried_;                                 // (B,H) h_{-1} of the next batch
    Tensor ids_, targets_, emb_, pre_, hs_, logits_, losses_, probs_;   // pre (T,B,H), hs (T+1,B,H)
    Tensor dlogits_, dlosses_, dhs_, dpre_, demb_;
    Tensor gen_h_, gen_x_, gen_pre_, gen_logits_, gen_id_;               // generation, B = 1
};

}  // namespace ladder::ch05
