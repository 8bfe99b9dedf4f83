// scaling.cpp: the pre-training recipe and the scaling grid (scaling.hpp).
#include "chapters/ch08_pretraining/scaling.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "core/error.hpp"

namespace ladder::ch08 {

using ch07::Gpt2;
using ch07::Gpt2Config;

Gpt2Config gpt(std::size_t V, std::size_t layers, std::size_t embed, std::size_t heads, std::size_t context) {
    Gpt2Config c;
    c.vocab = V, c.layers = layers, c.embed = embed, c.heads = heads, c.context = context;
    return c;
}

TrainConfig recipe(std::size_t steps, std::size_t batch, double lr, std::uint64_t seed) {
    TrainConfig t = ch07::gpt2_recipe(steps, batch, lr);
    t.eval_every = std::max<std::size_t>(1, steps / 8);
    t.seed = seed;
    return t;
}

std::size_t non_embedding_params(const Gpt2Config& c) {
    return c.parameter_count() - c.vocab * c.embed - c.context * c.embed;
}

std::vector<std::int32_t> spread_subset(std::span<const std::int32_t> tokens, std::size_t n, std::size_t piece) {
    if (n >= tokens.size()) return {tokens.begin(), tokens.end()};
    piece = std::min(piece, n);
    const std::size_t pieces = std::max<std::size_t>(1, n / piece), stride = tokens.size() / pieces;
    std::vector<std::int32_t> out;
    out.reserve(pieces * piece);
    for (std::size_t p = 0; p < pieces; ++p) {
        const auto first = tokens.begin() + static_cast<std::ptrdiff_t>(p * stride);
        out.insert(out.end(), first, first + static_cast<std::ptrdiff_t>(piece));
    }
    return out;
}

double PowerLaw::at(double x) const { return a * std::pow(x, -alpha); }

// [book:power-law-fit]
PowerLaw fit_power_law(const std::vector<double>& x, const std::vector<double>& loss) {
    LADDER_CHECK(x.size() == loss.size() && x.size() >= 2, "fit_power_law: {} x values and {} losses (2 or more of each)",
                 x.size(), loss.size());
    // log L = log a - alpha log x: the least-squares line through the points (log x, log L).
    double mx = 0, my = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        LADDER_CHECK(x[i] > 0 && loss[i] > 0, "fit_power_law: x = {} and loss = {} must be positive", x[i], loss[i]);
        mx += std::log(x[i]), my += std::log(loss[i]);
    }
    mx /= static_cast<double>(x.size()), my /= static_cast<double>(x.size());
    double sxy = 0, sxx = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        const double dx = std::log(x[i]) - mx;
        sxy += dx * (std::log(loss[i]) - my), sxx += dx * dx;
    }
    LADDER_CHECK(sxx > 0, "fit_power_law: every x is the same ({}): no slope to fit", x[0]);
    const double slope = sxy / sxx;
    return PowerLaw{-slope, std::exp(my - slope * mx), x.size()};
}
// [/book]

namespace {

struct Point {
    std::string model;
    std::size_t params = 0, non_embedding = 0, data_tokens = 0, tokens_seen = 0;
    double epochs = 0, train_loss = 0, val_loss = 0, val_bpb = 0, seconds = 0;
};

}  // namespace

// [book:scaling-grid]
nlohmann::json scaling_grid(const ch05::LmData& data, const Backend& be, bool quick, std::uint64_t seed,
                            const RunDir& out) {
    const std::size_t V = data.vocab(), T = quick ? 16 : 64, B = quick ? 4 : 16, steps = quick ? 20 : 800;
    // Three widths of ~25k, ~100k and ~400k non-embedding parameters (two blocks each), on three
    // amounts of distinct text; every run takes the same 800 steps, so the smallest data is seen
    // ~33 times over (where memorising shows) and the largest half of once.
    const std::vector<Gpt2Config> models =
        quick ? std::vector{gpt(V, 1, 16, 2, T), gpt(V, 1, 32, 2, T)}
              : std::vector{gpt(V, 2, 32, 2, T), gpt(V, 2, 64, 2, T), gpt(V, 2, 128, 4, T)};
    const std::vector<std::size_t> sizes =
        quick ? std::vector<std::size_t>{512, 2048} : std::vector<std::size_t>{25'000, 200'000, 1'600'000};
    // One validation sample for every point (the same bytes), and each training subset's own
    // loss, measured the same way, to show where memorising begins.
    const std::vector<std::int32_t> val = spread_subset(data.val, quick ? 2048 : 50'000, quick ? 256 : 4096);
    const std::size_t val_bytes = data.tokenizer.decode(val).size();
    fmt::print("Scaling grid: {} models x {} data sizes, {} steps of {} x {} tokens each\n", models.size(), sizes.size(),
               steps, B, T);
    std::vector<Point> points;
    auto csv = out.csv("scaling.csv", {"model", "params", "non_embedding_params", "data_tokens", "tokens_seen", "epochs",
                                       "train_loss", "val_loss", "val_bits_per_byte", "seconds"});
    for (const std::size_t D : sizes) {
        const std::vector<std::int32_t> subset = spread_subset(data.train, D, quick ? 256 : 4096);
        for (const Gpt2Config& c : models) {
            Gpt2 model(c, be.device(), seed);
            TrainConfig cfg = recipe(steps, B, c.embed >= 128 ? 3e-3 : 6e-3, seed);
            cfg.eval_every = steps, cfg.progress = false;
            const TrainResult r = train(model, be, subset, val, cfg);
            Point p{model.name(), c.parameter_count(), non_embedding_params(c), subset.size(), steps * B * T,
                    static_cast<double>(steps * B * T) / static_cast<double>(subset.size()),
                    evaluate(model, be, subset, B, val.size()), r.val_loss, 0, r.seconds};
            p.val_bpb = bits_per_byte(p.val_loss, val.size(), val_bytes);
            fmt::print("  {:<34} {:>6} non-emb params, {:>6} tokens ({:4.1f} epochs): train {:.3f}, val {:.3f} ({:.0f} s)\n",
                       p.model, format_count(double(p.non_embedding)), format_count(double(D)), p.epochs, p.train_loss,
                       p.val_loss, p.seconds);
            csv.row(p.model, p.params, p.non_embedding, p.data_tokens, p.tokens_seen, p.epochs, p.train_loss, p.val_loss,
                    p.val_bpb, p.seconds);
            points.push_back(p);
        }
    }
    // loss(N) at the most data, loss(D) for the biggest model.
    std::vector<double> n, ln, d, ld;
    for (const Point& p : points) {
        if (p.data_tokens == points.back().data_tokens) n.push_back(double(p.non_embedding)), ln.push_back(p.val_loss);
        if (p.model == points.back().model) d.push_back(double(p.data_tokens)), ld.push_back(p.val_loss);
    }
    const PowerLaw by_n = fit_power_law(n, ln), by_d = fit_power_law(d, ld);
    fmt::print("  fits: val loss ~ N^-{:.3f} (non-embedding parameters, most data), ~ D^-{:.3f} (tokens, biggest model);"
               " Kaplan et al. 2020 give 0.076 and 0.095\n", by_n.alpha, by_d.alpha);
    // Where a bigger model stopped paying: on each data size, a model whose val loss is no
    // better than the next smaller one's (and its gap between train and val).
    nlohmann::json stops = nlohmann::json::array(), js = nlohmann::json::array();
    for (std::size_t i = 0; i < points.size(); ++i) {
        const Point& p = points[i];
        js.push_back({{"model", p.model}, {"params", p.params}, {"non_embedding_params", p.non_embedding},
                      {"data_tokens", p.data_tokens}, {"tokens_seen", p.tokens_seen}, {"epochs", p.epochs},
                      {"train_loss", p.train_loss}, {"val_loss", p.val_loss}, {"val_bits_per_byte", p.val_bpb},
                      {"seconds", p.seconds}});
        if (i % models.size() != 0 && p.val_loss >= points[i - 1].val_loss) {
            stops.push_back({{"data_tokens", p.data_tokens}, {"model", p.model}, {"val_loss", p.val_loss},
                             {"smaller_model_val_loss", points[i - 1].val_loss},
                             {"train_val_gap", p.val_loss - p.train_loss}});
            fmt::print("  on {} tokens the bigger {} no longer pays: val {:.3f} vs {:.3f} (train {:.3f})\n",
                       format_count(double(p.data_tokens)), p.model, p.val_loss, points[i - 1].val_loss, p.train_loss);
        }
    }
    fmt::print("\n");
    return {{"steps", steps},
            {"batch", B},
            {"context", T},
            {"val_tokens", val.size()},
            {"points", js},
            {"fit_params", {{"alpha", by_n.alpha}, {"a", by_n.a}, {"points", by_n.points}}},
            {"fit_tokens", {{"alpha", by_d.alpha}, {"a", by_d.a}, {"points", by_d.points}}},
            {"published", {{"paper", "Kaplan et al. 2020, Scaling Laws for Neural Language Models"},
                           {"alpha_params", 0.076}, {"alpha_tokens", 0.095}}},
            {"bigger_stops_paying", stops}};
}
// [/book]

}  // namespace ladder::ch08
