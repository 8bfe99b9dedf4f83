// tests/nn/sampling_test.cpp: sample_token is the argmax at temperature 0, draws softmax
// frequencies at temperature 1 (a chi-square bound), is near uniform when hot, and refuses bad input.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "core/nn/sampling.hpp"
#include "core/rng.hpp"

using namespace ladder;

namespace {

// Counts of `draws` samples of sample_token(logits, t) over the ids.
std::vector<double> counts(const std::vector<float>& logits, float t, int draws, std::uint64_t seed) {
    Rng rng(seed);
    std::vector<double> c(logits.size());
    for (int i = 0; i < draws; ++i) {
        const auto id = sample_token(logits, t, rng);
        REQUIRE(id >= 0);
        REQUIRE(static_cast<std::size_t>(id) < logits.size());
        ++c[static_cast<std::size_t>(id)];
    }
    return c;
}

// Pearson's statistic sum (O - E)^2 / E against probabilities p (computed here, independently).
double chi_square(const std::vector<double>& observed, const std::vector<double>& p, int draws) {
    double chi2 = 0;
    for (std::size_t i = 0; i < p.size(); ++i) {
        const double e = p[i] * draws;
        chi2 += (observed[i] - e) * (observed[i] - e) / e;
    }
    return chi2;
}

}  // namespace

TEST_CASE("temperature 0 is the argmax, the first of ties, and draws nothing", "[nn][sampling]") {
    Rng rng(1), untouched(1);
    CHECK(sample_token(std::vector<float>{0.5f, 2.0f, -1.0f, 2.0f}, 0.0f, rng) == 1);
    CHECK(sample_token(std::vector<float>{-INFINITY, -3.0f, -INFINITY}, 0.0f, rng) == 1);
    CHECK(sample_token(std::vector<float>{7.0f}, 0.0f, rng) == 0);
    CHECK(rng.next() == untouched.next());
}

TEST_CASE("at temperature 1 the frequencies are the softmax probabilities (chi-square)", "[nn][sampling]") {
    // Logits with a spread of probabilities (0.33% to 49%: the rarest still expects 330 draws).
    const std::vector<float> logits{1.0f, 2.5f, -0.5f, 0.0f, 3.0f, -2.0f, 1.5f};
    std::vector<double> p(logits.size());
    double z = 0;
    for (std::size_t i = 0; i < p.size(); ++i) z += p[i] = std::exp(static_cast<double>(logits[i]));
    for (double& x : p) x /= z;
    const int draws = 100000;
    for (std::uint64_t seed : {1, 2, 3}) {
        INFO("seed " << seed);
        // 7 ids, 6 degrees of freedom: P(chi2 > 22.46) = 0.001 under the right distribution. A
        // probability off by 5% relative on the 49% token shifts its count by ~2400, 15 standard
        // deviations (sqrt(N p (1 - p)) = 158), and adds ~120 to chi2: right and wrong separate.
        CHECK(chi_square(counts(logits, 1.0f, draws, seed), p, draws) < 22.46);
    }
    // Temperature 0.5 is softmax(2 logits): the same test with the probabilities squared.
    std::vector<double> p2(p.size());
    double z2 = 0;
    for (std::size_t i = 0; i < p.size(); ++i) z2 += p2[i] = p[i] * p[i];
    for (double& x : p2) x /= z2;
    // Squaring spreads the probabilities: ids 5 and 2 now expect ~3 and ~63 draws. The chi-square
    // approximation wants every expected count >= 5, so fold the ids expecting < 100 into one bin
    // (E ~ 66), leaving 6 bins and 5 degrees of freedom: P(chi2 > 20.52) = 0.001.
    const auto c = counts(logits, 0.5f, draws, 4);
    std::vector<double> obs, exp;
    double obs_rest = 0, p_rest = 0;
    for (std::size_t i = 0; i < p2.size(); ++i) {
        if (p2[i] * draws >= 100) {
            obs.push_back(c[i]);
            exp.push_back(p2[i]);
        } else {
            obs_rest += c[i];
            p_rest += p2[i];
        }
    }
    obs.push_back(obs_rest);
    exp.push_back(p_rest);
    REQUIRE(obs.size() == 6);
    CHECK(chi_square(obs, exp, draws) < 20.52);
}

TEST_CASE("a very high temperature is near uniform, and -inf logits are never drawn", "[nn][sampling]") {
    // At temperature 1e4 the logits (spread 10) give probability ratios of at most exp(10/1e4) =
    // 1.001: each p is within 0.1% of 1/10, a shift of <= 5 in a bin expecting 5000 draws whose
    // s.d. is sqrt(5000 * 0.9) = 67, so chi2 is that of a uniform draw.
    std::vector<float> logits{0, 1, 2, 3, 4, 5, 6, 7, 8, 10};
    const int draws = 50000;
    const std::vector<double> uniform(10, 0.1);
    // 9 degrees of freedom: P(chi2 > 27.88) = 0.001.
    CHECK(chi_square(counts(logits, 1e4f, draws, 5), uniform, draws) < 27.88);
    // The same logits at temperature 1 are far from uniform: the test can fail.
    CHECK(chi_square(counts(logits, 1.0f, draws, 5), uniform, draws) > 1000);
    logits[3] = -INFINITY;
    logits[9] = -INFINITY;
    const auto c = counts(logits, 1e4f, draws, 6);
    CHECK(c[3] == 0);
    CHECK(c[9] == 0);
}

TEST_CASE("sample_token refuses empty logits, bad temperatures and NaN or +inf logits", "[nn][sampling]") {
    Rng rng(7);
    const std::vector<float> ok{1.0f, 2.0f, 3.0f};
    CHECK_THROWS_WITH(sample_token(std::vector<float>{}, 1.0f, rng), Catch::Contains("logits are empty"));
    CHECK_THROWS_WITH(sample_token(ok, -0.5f, rng), Catch::Contains("temperature -0.5"));
    CHECK_THROWS_WITH(sample_token(ok, NAN, rng), Catch::Contains("temperature nan"));
    CHECK_THROWS_WITH(sample_token(ok, INFINITY, rng), Catch::Contains("temperature inf"));
    CHECK_THROWS_WITH(sample_token(std::vector<float>{1.0f, NAN, 0.0f}, 1.0f, rng), Catch::Contains("logit 1 is NaN"));
    CHECK_THROWS_WITH(sample_token(std::vector<float>{1.0f, 0.0f, NAN}, 0.0f, rng), Catch::Contains("logit 2 is NaN"));
    CHECK_THROWS_WITH(sample_token(std::vector<float>{INFINITY, 0.0f}, 1.0f, rng), Catch::Contains("logit 0 is +inf"));
    CHECK_THROWS_WITH(sample_token(std::vector<float>{-INFINITY, -INFINITY}, 1.0f, rng), Catch::Contains("all 2 logits are -inf"));
}

TEST_CASE("sampling is reproducible by seed", "[nn][sampling]") {
    const std::vector<float> logits{0.3f, -1.2f, 0.9f, 0.0f, 2.2f};
    Rng a(11), b(11), c(12);
    std::vector<std::int32_t> sa, sb, sc;
    for (int i = 0; i < 200; ++i) {
        sa.push_back(sample_token(logits, 0.8f, a));
        sb.push_back(sample_token(logits, 0.8f, b));
        sc.push_back(sample_token(logits, 0.8f, c));
    }
    CHECK(sa == sb);
    CHECK(sa != sc);
}

// ---- ch07: top-k, top-p ----

TEST_CASE("top-k keeps the k largest logits, ties by the lower id", "[nn][sampling]") {
    std::vector<float> l{1.0f, 3.0f, 2.0f, 3.0f, -1.0f};
    top_k_filter(l, 2);
    CHECK(l == std::vector<float>{-INFINITY, 3.0f, -INFINITY, 3.0f, -INFINITY});
    std::vector<float> t{5.0f, 5.0f, 5.0f};
    top_k_filter(t, 1);   // a three-way tie at the cut: the lowest id stays
    CHECK(t == std::vector<float>{5.0f, -INFINITY, -INFINITY});
    std::vector<float> all{1.0f, 2.0f};
    top_k_filter(all, 0);
    top_k_filter(all, 5);
    CHECK(all == std::vector<float>{1.0f, 2.0f});   // 0 and k >= V keep everything
}

TEST_CASE("top-p keeps the fewest most likely tokens whose probability reaches p", "[nn][sampling]") {
    // Probabilities 0.5, 0.25, 0.125, 0.125 (logits log2-spaced): p = 0.7 needs the first two
    // (0.5 < 0.7 <= 0.75), p = 0.75 too, p = 0.76 three; p below the top token's 0.5 keeps only it.
    const float l2 = std::log(2.0f);
    const std::vector<float> base{3 * l2, 2 * l2, l2, l2};
    const auto kept = [&](float p, float temperature = 1.0f) {
        std::vector<float> l = base;
        top_p_filter(l, p, temperature);
        std::size_t n = 0;
        for (float x : l) n += x != -INFINITY;
        return n;
    };
    CHECK(kept(0.7f) == 2);
    CHECK(kept(0.76f) == 3);
    CHECK(kept(0.3f) == 1);
    CHECK(kept(1.0f) == 4);
    // A hotter temperature flattens the distribution: the same p needs more tokens.
    CHECK(kept(0.7f, 4.0f) == 3);
}

TEST_CASE("sampling with top-k and top-p draws only the tokens kept, in proportion", "[nn][sampling]") {
    const float l2 = std::log(2.0f);
    const std::vector<float> logits{3 * l2, 2 * l2, l2, l2};
    SamplingConfig s;
    s.top_p = 0.7f;
    Rng rng(3);
    const int draws = 20000;
    std::vector<double> c(4);
    for (int i = 0; i < draws; ++i) ++c[static_cast<std::size_t>(sample_token(logits, s, rng))];
    CHECK(c[2] == 0);
    CHECK(c[3] == 0);
    // Renormalised over the nucleus: 2/3 and 1/3. Chi-square with 1 degree of freedom: 15 is
    // beyond its 99.99th percentile, so a correct sampler fails once in 10^4 seeds.
    CHECK(chi_square({c[0], c[1]}, {2.0 / 3, 1.0 / 3}, draws) < 15);
    s.top_p = 1.0f;
    s.top_k = 1;
    for (int i = 0; i < 100; ++i) CHECK(sample_token(logits, s, rng) == 0);
}

TEST_CASE("sampling knobs out of range are named", "[nn][sampling]") {
    const std::vector<float> ok{1.0f, 2.0f};
    Rng rng(1);
    SamplingConfig s;
    s.top_p = 0.0f;
    CHECK_THROWS_WITH(sample_token(ok, s, rng), Catch::Contains("top-p 0 must be in (0, 1]"));
    s.top_p = 1.5f;
    CHECK_THROWS_WITH(sample_token(ok, s, rng), Catch::Contains("top-p 1.5"));
    s.top_p = 1.0f;
    s.top_k = -3;
    CHECK_THROWS_WITH(sample_token(ok, s, rng), Catch::Contains("top-k -3 must be >= 0"));
    s.top_k = 0;
    s.temperature = -1.0f;
    CHECK_THROWS_WITH(sample_token(ok, s, rng), Catch::Contains("temperature -1 must be finite and >= 0"));
}
