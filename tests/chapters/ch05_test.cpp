// ch05_test.cpp: chapter 5's program end to end (--quick, on the hand-written sample): the
// data directory, the count and neural models, the experiments, the leaderboard and
// summary.json; resuming from the checkpoint it wrote; and its named errors on bad input.
#include <cmath>
#include <filesystem>

#include <catch2/catch.hpp>

#include "core/fileio.hpp"
#include "tests/chapters/run_chapter.hpp"

using namespace ladder;
namespace fs = std::filesystem;

TEST_CASE("ch05 --quick trains the three models and writes what the book shows", "[ch05]") {
    const auto run = testing::run_chapter("ch05", "--quick --no-progress --threads 1");
    INFO(run.output);
    REQUIRE(run.exit_code == 0);
    const auto s = run.summary();
    const std::size_t V = s["data"]["vocab"];
    REQUIRE(V == 320);
    REQUIRE(s["data"]["train_tokens"].get<std::size_t>() > 500);
    REQUIRE(s["data"]["val_tokens"].get<std::size_t>() > 50);
    const double uniform = std::log(static_cast<double>(V));
    REQUIRE(s["count_bigram"]["val_loss"].get<double>() < uniform);
    for (const char* kind : {"bigram", "mlp", "rnn"}) {
        INFO(kind);
        const auto& m = s["models"][kind];
        // Each learned something: below the uniform guess's loss, log V nats per token.
        REQUIRE(m["val_loss"].get<double>() < uniform - 0.3);
        REQUIRE(m["tokens_per_s"].get<double>() > 0);
        REQUIRE(m["parameters"].get<std::size_t>() > 0);
        REQUIRE(fs::exists(run.out_dir / (std::string(kind) + "_loss.csv")));
        REQUIRE(fs::exists(run.out_dir / (std::string(kind) + ".safetensors")));
        // bits per byte = nats per token * tokens / bytes / ln 2
        const double bpb = m["val_loss"].get<double>() * s["data"]["val_tokens"].get<double>() /
                           s["data"]["val_bytes"].get<double>() / std::log(2.0);
        REQUIRE(m["bits_per_byte"].get<double>() == Approx(bpb).epsilon(1e-9));
    }
    const auto& ex = s["experiments"];
    REQUIRE(ex["mlp_context"].size() == 2);
    REQUIRE(ex["rnn"]["loss_by_position"].size() == 8);
    REQUIRE(ex["rnn"]["grad_norm_by_distance"].size() == 8);
    REQUIRE(ex["samples"].size() == 4);
    REQUIRE(fs::exists(run.out_dir / "rnn_positions.csv"));
    REQUIRE(fs::exists(run.out_dir / "mlp_context.csv"));
    // The leaderboard holds the four rows of this run and is printed.
    const auto board = nlohmann::json::parse(read_file(run.out_dir / "leaderboard.json"));
    REQUIRE(board["rows"].size() == 4);
    REQUIRE_THAT(run.output, Catch::Contains("Leaderboard on sample-bpe320"));

    // Resuming the MLP from its checkpoint for more steps continues from where it stopped.
    const fs::path ckpt = run.out_dir / "mlp.safetensors";
    const auto resumed = testing::run_chapter(
        "ch05", "--quick --no-progress --threads 1 --model mlp --no-experiments --steps 120 --data " +
                    (run.out_dir / "data").string() + " --resume " + ckpt.string());
    INFO(resumed.output);
    REQUIRE(resumed.exit_code == 0);
    REQUIRE(resumed.summary()["models"]["mlp"]["steps"] == 120);
}

TEST_CASE("ch05 on the emulator runs the same model code", "[ch05]") {
    const auto run = testing::run_chapter("ch05", "--quick --no-progress --backend simt --model mlp --steps 3 --no-experiments");
    INFO(run.output);
    REQUIRE(run.exit_code == 0);
    REQUIRE(run.summary()["models"]["mlp"]["steps"] == 3);
}

TEST_CASE("ch05 names what is wrong with its input", "[ch05]") {
    SECTION("a context longer than the corpus") {
        const auto r = testing::run_chapter("ch05", "--quick --no-progress --model mlp --context 5000 --no-experiments");
        REQUIRE(r.exit_code == 1);
        REQUIRE_THAT(r.output, Catch::Contains("5001") && Catch::Contains("longer than"));
    }
    SECTION("a corrupt token file") {
        const auto good = testing::run_chapter("ch05", "--quick --no-progress --model bigram --steps 2 --no-experiments");
        REQUIRE(good.exit_code == 0);
        const fs::path tok = good.out_dir / "data" / "train.tok";
        const std::string bytes = read_file(tok);
        write_file_atomic(tok, bytes.substr(0, bytes.size() - 3));
        const auto r = testing::run_chapter("ch05", "--quick --no-progress --model bigram --steps 2 --no-experiments --data " +
                                                        (good.out_dir / "data").string());
        REQUIRE(r.exit_code == 1);
        REQUIRE_THAT(r.output, Catch::Contains("train.tok"));
    }
    SECTION("a resume checkpoint of another size") {
        const auto good = testing::run_chapter("ch05", "--quick --no-progress --model mlp --steps 2 --no-experiments");
        REQUIRE(good.exit_code == 0);
        const auto r = testing::run_chapter("ch05", "--quick --no-progress --model mlp --hidden 40 --no-experiments --data " +
                                                        (good.out_dir / "data").string() + " --resume " +
                                                        (good.out_dir / "mlp.safetensors").string());
        REQUIRE(r.exit_code == 1);
        REQUIRE_THAT(r.output, Catch::Contains("fc1.weight") && Catch::Contains("(40, 64)") && Catch::Contains("(32, 64)"));
    }
    SECTION("a text too small for the vocabulary") {
        const auto r = testing::run_chapter("ch05", "--quick --no-progress --vocab 5000 --model bigram --no-experiments");
        REQUIRE(r.exit_code == 1);
        REQUIRE_THAT(r.output, Catch::Contains("too small for a vocabulary of 5000"));
    }
}

TEST_CASE("ch05_bench --quick times our step and writes its tables", "[ch05]") {
    const auto r = testing::run_chapter("ch05_bench", "--quick --no-peer");
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    REQUIRE(fs::exists(r.out_dir / "bench_summary.json"));
    REQUIRE(fs::exists(r.out_dir / "bench_train.csv"));
}
