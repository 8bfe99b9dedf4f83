// tests/nn/tiny_bigram.hpp: the smallest model the train loop can train, for the distributed
// tests: logits = wte[previous token] + bias, a mean cross-entropy over the rows, on the host.
// Written here rather than taken from a chapter so that its floating-point arithmetic is known
// exactly (the tolerance of the rank test is derived from it): the softmax is in double, each
// row's gradient term (p - y) / rows is rounded to float once, and the gradient is a float sum
// over the rows in row order, as a scatter-add kernel would make it.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/nn/train.hpp"
#include "core/rng.hpp"

namespace ladder::testing {

class TinyBigram final : public LanguageModel {
public:
    // wte and bias drawn from N(0, init_std) with `seed`.
    TinyBigram(std::size_t vocab, std::uint64_t seed, float init_std = 0.1f)
        : V_(vocab), params_({{"wte", Shape{vocab, vocab}, true}, {"bias", Shape{vocab}, false}}, Device::cpu) {
        Rng rng(seed);
        std::vector<float> w(V_ * V_), b(V_);
        for (float& x : w) x = rng.normal(0.0f, init_std);
        for (float& x : b) x = rng.normal(0.0f, init_std);
        params_.set_value("wte", w);
        params_.set_value("bias", b);
    }
    std::string name() const override { return "tiny bigram"; }
    std::string config_json() const override { return "{\"kind\":\"tiny-bigram\",\"vocab\":" + std::to_string(V_) + "}"; }
    ParamSet& params() override { return params_; }
    std::size_t window() const override { return 2; }
    std::size_t targets_per_row() const override { return 1; }
    // Claims to carry state (it carries none): for the checks train() makes of stateful models.
    void set_stateful(bool on) { stateful_ = on; }
    bool stateful() const override { return stateful_; }

    float forward(const Backend&, std::span<const std::int32_t> tokens, std::size_t rows) override {
        LADDER_CHECK(tokens.size() == rows * 2, "tiny bigram: {} tokens for {} rows of 2", tokens.size(), rows);
        rows_ = rows;
        prev_.assign(tokens.begin(), tokens.end());
        probs_.assign(rows * V_, 0.0);
        const std::span<const float> w = params_.value("wte").host(), b = params_.value("bias").host();
        double loss = 0;
        for (std::size_t r = 0; r < rows; ++r) {
            const auto a = static_cast<std::size_t>(tokens[2 * r]), t = static_cast<std::size_t>(tokens[2 * r + 1]);
            LADDER_CHECK(a < V_ && t < V_, "tiny bigram: a token outside [0, {})", V_);
            double* p = probs_.data() + r * V_;
            double top = -INFINITY, sum = 0;
            for (std::size_t j = 0; j < V_; ++j) top = std::max(top, p[j] = double(w[a * V_ + j]) + double(b[j]));
            for (std::size_t j = 0; j < V_; ++j) sum += p[j] = std::exp(p[j] - top);
            for (std::size_t j = 0; j < V_; ++j) p[j] /= sum;
            loss -= std::log(p[t]);
        }
        return static_cast<float>(loss / static_cast<double>(rows));
    }

    void backward(const Backend&) override {
        std::span<float> gw = params_.grad("wte").host(), gb = params_.grad("bias").host();
        for (std::size_t r = 0; r < rows_; ++r) {
            const auto a = static_cast<std::size_t>(prev_[2 * r]), t = static_cast<std::size_t>(prev_[2 * r + 1]);
            for (std::size_t j = 0; j < V_; ++j) {
                const double y = j == t ? 1.0 : 0.0;
                const float term = static_cast<float>((probs_[r * V_ + j] - y) / static_cast<double>(rows_));
                gw[a * V_ + j] += term;
                gb[j] += term;
            }
        }
    }

    void start_generation(const Backend&) override {}
    std::vector<float> next_logits(const Backend&, std::int32_t token) override {
        const std::span<const float> w = params_.value("wte").host(), b = params_.value("bias").host();
        std::vector<float> out(V_);
        for (std::size_t j = 0; j < V_; ++j) out[j] = w[static_cast<std::size_t>(token) * V_ + j] + b[j];
        return out;
    }

private:
    std::size_t V_;
    ParamSet params_;
    bool stateful_ = false;
    std::size_t rows_ = 0;
    std::vector<std::int32_t> prev_;   // the batch's tokens (rows, 2)
    std::vector<double> probs_;        // (rows, V)
};

// `n` tokens of a random Markov chain over `vocab` symbols (each symbol prefers a few
// successors), so a bigram has something to learn.
inline std::vector<std::int32_t> markov_tokens(std::size_t n, std::size_t vocab, std::uint64_t seed) {
    Rng rng(seed);
    std::vector<std::int32_t> out(n);
    std::int32_t t = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint64_t k = rng.below(4);
        t = k < 3 ? static_cast<std::int32_t>((static_cast<std::size_t>(t) * 3 + k + 1) % vocab)
                  : static_cast<std::int32_t>(rng.below(vocab));
        out[i] = t;
    }
    return out;
}

}  // namespace ladder::testing
