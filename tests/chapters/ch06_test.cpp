// ch06_test.cpp: chapter 6's program end to end (--quick, on the hand-written sample): the attention
// models on the leaderboard, every experiment's table in summary.json and its CSV, the emulator run,
// and the named errors on bad input.
#include <cmath>
#include <filesystem>

#include <catch2/catch.hpp>

#include "core/fileio.hpp"
#include "tests/chapters/run_chapter.hpp"

using namespace ladder;
namespace fs = std::filesystem;

TEST_CASE("ch06 --quick trains the attention models and writes what the book shows", "[ch06]") {
    const auto run = testing::run_chapter("ch06", "--quick --no-progress --threads 1");
    INFO(run.output);
    REQUIRE(run.exit_code == 0);
    const auto s = run.summary();
    const double uniform = std::log(s["data"]["vocab"].get<double>());
    for (const char* pos : {"learned", "sinusoidal", "none"}) {
        INFO(pos);
        const auto& m = s["models"][pos];
        REQUIRE(m["val_loss"].get<double>() < uniform - 0.3);   // each learned something
        REQUIRE(m["tokens_per_s"].get<double>() > 0);
    }
    REQUIRE(fs::exists(run.out_dir / "attention_loss.csv"));
    REQUIRE(fs::exists(run.out_dir / "attention.safetensors"));
    const auto& ex = s["experiments"];
    REQUIRE(ex["sqrt_d"].size() == 5);
    for (const auto& row : ex["sqrt_d"]) {
        // Unscaled scores of d-dimensional unit vectors spread as sqrt(d); scaled ones as 1. 256 x 64
        // draws: the sample standard deviation is within a few percent of its expectation.
        const double d = row["d"];
        REQUIRE(row["score_std"].get<double>() == Approx(std::sqrt(d)).epsilon(0.1));
        REQUIRE(row["scaled_score_std"].get<double>() == Approx(1.0).epsilon(0.1));
        REQUIRE(row["entropy"].get<double>() < row["scaled_entropy"].get<double>());
    }
    REQUIRE(ex["scaling"]["rows"].size() == 3);   // T = 64, 128, 256
    for (const auto& row : ex["scaling"]["rows"]) {
        const double T = row["T"];
        // The (T,T) matrix of one layer of 4 heads, B = 1: exactly 4 T^2 floats.
        REQUIRE(row["attention_matrix_bytes"].get<double>() == 4 * T * T * 4);
        REQUIRE(row["rnn_recurrence_bytes"].get<double>() < row["attention_matrix_bytes"].get<double>());
    }
    REQUIRE(ex["scaling"]["slopes"]["attention_memory"].get<double>() == Approx(2.0).margin(1e-9));
    REQUIRE(ex["scaling"]["slopes"]["rnn_memory"].get<double>() == Approx(1.0).margin(0.05));
    REQUIRE(ex["recall"]["accuracy"].size() >= 4);
    REQUIRE(ex["heads"]["heads"].size() == 2 * 2);   // 2 layers x 2 heads
    REQUIRE(ex["meaning"]["sentences"].size() == 8);
    REQUIRE(ex["samples"].size() == 2);
    for (const char* csv : {"sqrt_d.csv", "scaling.csv", "recall.csv", "heads.csv", "heads_tokens.csv", "meaning.csv", "order.csv"})
        REQUIRE(fs::exists(run.out_dir / csv));
    const auto board = nlohmann::json::parse(read_file(run.out_dir / "leaderboard.json"));
    REQUIRE(board["rows"].size() == 3);
    REQUIRE_THAT(run.output, Catch::Contains("Leaderboard on sample-bpe320"));
}

TEST_CASE("ch06 on the emulator runs the same model code", "[ch06]") {
    const auto run = testing::run_chapter("ch06", "--quick --no-progress --backend simt --steps 2 --no-experiments");
    INFO(run.output);
    REQUIRE(run.exit_code == 0);
    REQUIRE(run.summary()["models"]["learned"]["steps"] == 2);
}

TEST_CASE("ch06 names what is wrong with its input", "[ch06]") {
    SECTION("a head count that does not divide the width") {
        const auto r = testing::run_chapter("ch06", "--quick --no-progress --heads 5 --no-experiments");
        REQUIRE(r.exit_code == 1);
        REQUIRE_THAT(r.output, Catch::Contains("5 heads do not divide the width C = 32"));
    }
    SECTION("a chapter 5 checkpoint resumed as chapter 6's model") {
        const auto five = testing::run_chapter("ch05", "--quick --no-progress --model rnn --steps 2 --no-experiments");
        REQUIRE(five.exit_code == 0);
        const auto r = testing::run_chapter("ch06", "--quick --no-progress --no-experiments --data " +
                                                        (five.out_dir / "data").string() + " --resume " +
                                                        (five.out_dir / "rnn.safetensors").string());
        INFO(r.output);
        REQUIRE(r.exit_code == 1);
        REQUIRE_THAT(r.output, Catch::Contains("rnn.safetensors"));
    }
}

TEST_CASE("ch06_bench --quick times naive and fused attention and writes its tables", "[ch06]") {
    const auto r = testing::run_chapter("ch06_bench", "--quick --no-peer --threads 1");
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    const auto s = nlohmann::json::parse(read_file(r.out_dir / "bench_summary.json"));
    REQUIRE(s["bench"]["rows"].size() == 6);   // T = 64, 128 x naive, fused, torch (NaN without the peer)
    for (const auto& row : s["bench"]["rows"])
        if (row["contender"] != "torch") REQUIRE(row["forward_backward_ms"].get<double>() > 0);
    REQUIRE(fs::exists(r.out_dir / "bench_attention.csv"));
}
