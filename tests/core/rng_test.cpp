// rng_test.cpp: the generator is reproducible, and its distributions have the moments
// they claim (bounds are several standard errors wide, derived below).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>

#include "core/rng.hpp"

using ladder::Rng;

TEST_CASE("the same seed gives the same stream and other seeds differ", "[rng]") {
    Rng a(42), b(42), c(43);
    for (int i = 0; i < 1000; ++i) {
        const auto x = a.next();
        REQUIRE(x == b.next());
        if (i == 0) REQUIRE(x != c.next());
    }
    a.reseed(42);
    Rng d(42);
    REQUIRE(a.uniform() == d.uniform());
}

TEST_CASE("uniform floats lie in 0 <= u < 1 with mean 1/2 and variance 1/12", "[rng]") {
    Rng rng(1);
    const int n = 200000;
    double sum = 0, sq = 0;
    for (int i = 0; i < n; ++i) {
        const float u = rng.uniform();
        REQUIRE(u >= 0.0f);
        REQUIRE(u < 1.0f);
        sum += u;
        sq += u * u;
    }
    const double mean = sum / n, var = sq / n - mean * mean;
    // Standard error of the mean: sqrt(1/12 / n) = 6.5e-4; allow 5 of them.
    REQUIRE(std::fabs(mean - 0.5) < 5 * std::sqrt(1.0 / 12 / n));
    // Standard error of the variance: sqrt((mu4 - sigma^4) / n) with mu4 = 1/80 and sigma^4 =
    // 1/144 for a uniform: sqrt((1/80 - 1/144) / n) = 1.7e-4; allow 5 of them (8.3e-4). (A
    // uniform on [0, 0.99) has variance 0.0817, 1.7e-3 off: the bound must be below that.)
    REQUIRE(std::fabs(var - 1.0 / 12) < 5 * std::sqrt((1.0 / 80 - 1.0 / 144) / n));
}

TEST_CASE("below(n) is unbiased (chi-square over 10 bins)", "[rng]") {
    Rng rng(2);
    const int n = 100000, bins = 10;
    std::vector<int> count(bins);
    for (int i = 0; i < n; ++i) {
        const auto k = rng.below(bins);
        REQUIRE(k < static_cast<std::uint64_t>(bins));
        ++count[k];
    }
    double chi2 = 0;
    for (int c : count) chi2 += (c - n / bins) * double(c - n / bins) / (n / bins);
    // 9 degrees of freedom: P(chi2 > 27.9) = 0.001.
    REQUIRE(chi2 < 27.9);
    REQUIRE_THROWS(rng.below(0));
}

TEST_CASE("normal() has mean 0 and variance 1", "[rng]") {
    Rng rng(3);
    const int n = 200000;
    double sum = 0, sq = 0;
    for (int i = 0; i < n; ++i) {
        const double x = rng.normal();
        sum += x;
        sq += x * x;
    }
    const double mean = sum / n, var = sq / n - mean * mean;
    REQUIRE(std::fabs(mean) < 5 / std::sqrt(n));          // s.e. 1/sqrt(n)
    REQUIRE(std::fabs(var - 1) < 5 * std::sqrt(2.0 / n));  // s.e. of the variance sqrt(2/n)
}

TEST_CASE("permutation() is a permutation, and split streams are independent", "[rng]") {
    Rng rng(4);
    auto p = rng.permutation(1000);
    std::vector<std::size_t> sorted = p;
    std::sort(sorted.begin(), sorted.end());
    for (std::size_t i = 0; i < sorted.size(); ++i) REQUIRE(sorted[i] == i);
    REQUIRE(p != sorted);   // the chance of the identity is 1/1000!
    Rng parent(5);
    Rng child1 = parent.split(1), child2 = parent.split(2);
    std::set<std::uint64_t> seen;
    for (int i = 0; i < 100; ++i) {
        seen.insert(child1.next());
        seen.insert(child2.next());
    }
    REQUIRE(seen.size() == 200);
}
