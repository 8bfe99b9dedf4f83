// rng_test.cpp: the generator is reproducible, and its distributions have the moments
// they claim (bounds are several standard errors wide, derived below).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <set>

#include "core/error.hpp"
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

TEST_CASE("state() and set_state() resume the stream exactly, the normal() spare included", "[rng][state]") {
    Rng rng(6);
    rng.next();
    rng.normal();   // an odd number of normals: the second Box-Muller value is pending
    const Rng::State saved = rng.state();
    REQUIRE(saved.has_spare);
    std::vector<double> first;
    for (int i = 0; i < 5; ++i) {
        first.push_back(rng.normal());   // the spare first, then a fresh pair, ...
        first.push_back(rng.uniform());
        first.push_back(static_cast<double>(rng.next()));
        first.push_back(static_cast<double>(rng.below(1000)));
    }
    rng.set_state(saved);
    REQUIRE(rng.state() == saved);
    Rng other(999);   // a generator on another stream takes the state over completely
    other.set_state(saved);
    for (Rng* r : {&rng, &other}) {
        std::vector<double> again;
        for (int i = 0; i < 5; ++i) {
            again.push_back(r->normal());
            again.push_back(r->uniform());
            again.push_back(static_cast<double>(r->next()));
            again.push_back(static_cast<double>(r->below(1000)));
        }
        REQUIRE(again == first);
    }
    // Without the spare the resumed stream would differ: the state really carries it.
    Rng::State no_spare = saved;
    no_spare.has_spare = false;
    rng.set_state(no_spare);
    REQUIRE(static_cast<double>(rng.normal()) != first[0]);
}

TEST_CASE("the Rng state's text form round trips bit-exactly and names what is malformed", "[rng][state]") {
    Rng rng(7);
    rng.normal();
    const Rng::State with_spare = rng.state();
    rng.normal();
    const Rng::State without = rng.state();
    REQUIRE(with_spare.has_spare);
    REQUIRE_FALSE(without.has_spare);
    for (const auto& st : {with_spare, without}) {
        const std::string text = to_string(st);
        const Rng::State back = ladder::rng_state_from_string(text);
        REQUIRE(back == st);
        REQUIRE(std::memcmp(&back.spare, &st.spare, sizeof(double)) == 0);   // every bit of the double
        REQUIRE(to_string(back) == text);
    }
    // The documented layout, on words whose hex we can write by hand.
    Rng::State hand;
    hand.s = {0x0123456789abcdefULL, 1, 0xffffffffffffffffULL, 0x10};
    hand.has_spare = true;
    hand.spare = 1.0;   // IEEE 754: 0x3ff0000000000000
    REQUIRE(to_string(hand) ==
            "xoshiro256** 0123456789abcdef 0000000000000001 ffffffffffffffff 0000000000000010 spare 3ff0000000000000");

    const std::string good = to_string(with_spare);
    const auto bad = [](const std::string& s) { return ladder::rng_state_from_string(s); };
    REQUIRE_THROWS_WITH(bad(""), Catch::Contains("malformed"));
    REQUIRE_THROWS_WITH(bad(good.substr(0, good.size() - 1)), Catch::Contains("the spare") && Catch::Contains("16 hex"));
    REQUIRE_THROWS_WITH(bad(good + " "), Catch::Contains("malformed"));
    REQUIRE_THROWS_WITH(bad("pcg32" + good.substr(12)), Catch::Contains("malformed"));
    std::string bad_digit = good;
    bad_digit[13] = 'g';   // the first digit of word 0
    REQUIRE_THROWS_WITH(bad(bad_digit), Catch::Contains("word 0") && Catch::Contains("16 hex"));
    REQUIRE_THROWS_WITH(bad("xoshiro256** 0000000000000000 0000000000000000 0000000000000000 0000000000000000 spare none"),
                        Catch::Contains("all zero"));
    REQUIRE_THROWS_WITH(bad("xoshiro256** 0000000000000001 0000000000000000 0000000000000000 0000000000000000 spare "
                            "7ff8000000000000"),
                        Catch::Contains("not finite"));
    REQUIRE_THROWS_AS(bad(good.substr(0, 40)), ladder::Error);
    Rng r(1);
    REQUIRE_THROWS_WITH(r.set_state(Rng::State{}), Catch::Contains("all zero"));
}
