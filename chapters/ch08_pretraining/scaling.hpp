// scaling.hpp: chapter 8's recipe for pre-training chapter 7's GPT-2 and its scaling study: a
// grid of model sizes by data sizes, each trained for the same number of steps, their validation
// (and training) losses, and power laws fitted to loss against parameters and against tokens, as
// Kaplan et al. (2020) did at a scale a million times larger.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "chapters/ch05_neural_lm/corpus.hpp"
#include "chapters/ch07_gpt/gpt2.hpp"
#include "core/backend.hpp"
#include "core/cli.hpp"
#include "core/nn/train.hpp"

namespace ladder::ch08 {

ch07::Gpt2Config gpt(std::size_t V, std::size_t layers, std::size_t embed, std::size_t heads, std::size_t context);

// Chapter 7's recipe (ch07::gpt2_recipe: AdamW, decay 0.1 on the 2-D weights, beta2 0.95, 5%
// warmup, cosine to a tenth of `lr`, clipping at 1) for `steps` steps of `batch` rows, validated
// every steps / 8.
TrainConfig recipe(std::size_t steps, std::size_t batch, double lr, std::uint64_t seed);

// Parameters outside the two embeddings: what the scaling laws count (Kaplan et al. 2020), since
// the embeddings' size follows the vocabulary and the window, not the model's capacity.
std::size_t non_embedding_params(const ch07::Gpt2Config& c);

// About n tokens taken evenly from all of `tokens`, in pieces of `piece` (a corpus ordered by
// source gives every source its share). All of them when n >= tokens.size().
std::vector<std::int32_t> spread_subset(std::span<const std::int32_t> tokens, std::size_t n, std::size_t piece = 4096);

// loss = a * x^(-alpha), fitted by least squares on log loss against log x (two points or more).
struct PowerLaw {
    double alpha = 0, a = 0;
    std::size_t points = 0;
    double at(double x) const;
};
PowerLaw fit_power_law(const std::vector<double>& x, const std::vector<double>& loss);

// The grid (quick: 2 x 2 tiny runs for the tests), its CSV (scaling.csv) and its summary: every
// point, the two fits beside the published exponents, and where the biggest model stopped paying.
nlohmann::json scaling_grid(const ch05::LmData& data, const Backend& be, bool quick, std::uint64_t seed,
                            const RunDir& out);

}  // namespace ladder::ch08
