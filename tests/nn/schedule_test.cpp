// tests/nn/schedule_test.cpp: learning-rate schedules at the points the formulas fix (start,
// warmup end, middle, end, past the end), monotone decay, and the errors.
#include <catch2/catch.hpp>

#include <cmath>
#include <numbers>

#include "core/nn/schedule.hpp"

using namespace ladder;
using Kind = LrSchedule::Kind;

// Values the formulas give exactly or to one rounding: each is a few operations on doubles, so
// they agree with the hand computation to ~1e-16 relative; 1e-12 leaves room and still fails any
// formula error (the smallest wrong answer below, a missed warmup step, is off by 1e-3).
TEST_CASE("constant: lr at every step, after a linear warmup", "[nn][schedule]") {
    const LrSchedule s{Kind::constant, 0.5, 0, 0, 0};
    CHECK(s.at(0) == 0.5);
    CHECK(s.at(123456) == 0.5);
    const LrSchedule w{Kind::constant, 0.5, 0, 4, 0};
    CHECK(w.at(0) == 0.0);
    CHECK(w.at(1) == 0.125);
    CHECK(w.at(4) == 0.5);
    CHECK(w.at(99) == 0.5);
}

TEST_CASE("cosine: warmup from 0, lr at the warmup's end, halfway at the middle, min_lr at the end", "[nn][schedule]") {
    // warmup 10, total 110: the decay runs over steps 10..110, its middle is step 60.
    const LrSchedule s{Kind::cosine, 1.0, 0.1, 10, 110};
    CHECK(s.at(0) == 0.0);
    CHECK(s.at(5) == Approx(0.5).epsilon(1e-12));
    CHECK(s.at(10) == 1.0);
    CHECK(s.at(60) == Approx(0.55).epsilon(1e-12));   // 0.1 + 0.9 (1 + cos(pi/2)) / 2
    CHECK(s.at(35) == Approx(0.1 + 0.9 * (1 + std::cos(std::numbers::pi / 4)) / 2).epsilon(1e-12));
    CHECK(s.at(110) == 0.1);
    CHECK(s.at(5000) == 0.1);
}

TEST_CASE("linear: warmup, then a straight line to min_lr", "[nn][schedule]") {
    const LrSchedule s{Kind::linear, 2.0, 0.5, 4, 14};
    CHECK(s.at(0) == 0.0);
    CHECK(s.at(2) == 1.0);
    CHECK(s.at(4) == 2.0);
    CHECK(s.at(9) == Approx(1.25).epsilon(1e-12));   // 2 - 1.5 * 5/10
    CHECK(s.at(13) == Approx(0.65).epsilon(1e-12));  // 2 - 1.5 * 9/10
    CHECK(s.at(14) == 0.5);
    CHECK(s.at(15) == 0.5);
}

TEST_CASE("ch03's word2vec decay is the linear schedule, bit for bit", "[nn][schedule]") {
    // trainer_cpu.cpp had max(min_alpha, alpha - (alpha - min_alpha) * done / (total + 1)).
    const double alpha = 0.025, min_alpha = 0.0001;
    const std::size_t total = 98765;
    const LrSchedule s{Kind::linear, alpha, min_alpha, 0, total + 1};
    for (std::size_t done = 0; done <= total; done += 997) {
        const double progress = static_cast<double>(done) / static_cast<double>(total + 1);
        REQUIRE(s.at(done) == std::max(min_alpha, alpha - (alpha - min_alpha) * progress));
    }
}

TEST_CASE("cosine and linear rise through the warmup and never rise after it", "[nn][schedule]") {
    for (Kind k : {Kind::cosine, Kind::linear}) {
        INFO(LrSchedule::name(k));
        const LrSchedule s{k, 3e-4, 3e-5, 20, 300};
        for (std::size_t t = 1; t <= 20; ++t) REQUIRE(s.at(t) > s.at(t - 1));
        for (std::size_t t = 21; t <= 310; ++t) REQUIRE(s.at(t) <= s.at(t - 1));
        CHECK(s.at(299) > s.at(300));   // still decaying at the last step
        for (std::size_t t = 0; t <= 310; t += 7) {
            REQUIRE(s.at(t) <= 3e-4);
            if (t >= 20) REQUIRE(s.at(t) >= 3e-5);
        }
    }
}

TEST_CASE("schedule names parse, and bad names and settings are errors", "[nn][schedule]") {
    CHECK(LrSchedule::parse("constant") == Kind::constant);
    CHECK(LrSchedule::parse("cosine") == Kind::cosine);
    CHECK(LrSchedule::parse("linear") == Kind::linear);
    for (Kind k : {Kind::constant, Kind::cosine, Kind::linear}) CHECK(LrSchedule::parse(LrSchedule::name(k)) == k);
    CHECK_THROWS_WITH(LrSchedule::parse("Cosine"),
                      Catch::Contains("\"Cosine\"") && Catch::Contains("constant, cosine or linear"));
    CHECK_THROWS_WITH(LrSchedule::parse(""), Catch::Contains("unknown learning-rate schedule"));
    CHECK_THROWS_WITH((LrSchedule{Kind::cosine, 1.0, 0.0, 20, 10}.at(0)), Catch::Contains("20 warmup steps"));
    CHECK_THROWS_WITH((LrSchedule{Kind::linear, 1.0, 2.0, 0, 10}.at(0)), Catch::Contains("min_lr 2"));
    CHECK_THROWS_WITH((LrSchedule{Kind::constant, -1.0, 0.0, 0, 0}.at(0)), Catch::Contains("lr -1"));
    CHECK_THROWS_WITH((LrSchedule{Kind::constant, NAN, 0.0, 0, 0}.at(0)), Catch::Contains("finite"));
}
