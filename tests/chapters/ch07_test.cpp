// ch07_test.cpp: chapter 7's program end to end (--quick, on the hand-written sample): GPT-2 on the
// leaderboard, summary.json's figures (counts, KV cache, samples, ablation) and CSVs, the exported
// model opened again by `ch07 generate` (the command `./ladder generate` runs), the emulator run,
// and the named errors on bad input.
#include <cmath>
#include <filesystem>

#include <catch2/catch.hpp>

#include "core/fileio.hpp"
#include "tests/chapters/run_chapter.hpp"

using namespace ladder;
namespace fs = std::filesystem;

TEST_CASE("ch07 --quick trains GPT-2, writes what the book shows, and generate reads its model back", "[ch07]") {
    const auto run = testing::run_chapter("ch07", "--quick --no-progress --threads 1");
    INFO(run.output);
    REQUIRE(run.exit_code == 0);
    const auto s = run.summary();
    const double uniform = std::log(s["data"]["vocab"].get<double>());
    REQUIRE(s["val_loss"].get<double>() < uniform - 0.3);   // it learned something
    REQUIRE(s["bits_per_byte"].get<double>() > 0);
    REQUIRE(s["tokens_per_s_train"].get<double>() > 0);
    REQUIRE(s["tokens_per_s_generate"].get<double>() > 0);
    const auto& ex = s["experiments"];
    REQUIRE(ex["counts"]["model"]["parameters"] == ex["counts"]["model"]["formula"]);
    REQUIRE(ex["counts"]["gpt2_124m"]["parameters"] == 124439808);
    REQUIRE(ex["kv_cache"]["same_tokens"] == true);
    REQUIRE(ex["generation"]["samples"].size() == 8);
    for (const auto& row : ex["generation"]["samples"]) {
        REQUIRE(row["text"].get<std::string>().starts_with("And God said"));
        REQUIRE(row["distinct_tokens"].get<double>() > 0);
    }
    REQUIRE(ex["ablation"].size() == 4);
    REQUIRE(ex["ablation"][0]["variant"] == "full");
    REQUIRE(ex["ablation"][0]["cost"].get<double>() == 0.0);
    for (const char* f : {"gpt2_loss.csv", "gpt2.safetensors", "gpt2_hf.safetensors", "samples.csv", "ablation.csv",
                          "tokenizer/encoder.json", "tokenizer/vocab.bpe"})
        REQUIRE(fs::exists(run.out_dir / f));
    const auto board = nlohmann::json::parse(read_file(run.out_dir / "leaderboard.json"));
    REQUIRE(board["rows"].size() == 1);

    // The exported model and the training checkpoint, through `ch07 generate`: greedy is
    // deterministic, so both files (the same weights) give the same completion.
    const std::string hf = (run.out_dir / "gpt2_hf.safetensors").string();
    const std::string ours = (run.out_dir / "gpt2.safetensors").string();
    const std::string args = " --prompt 'And God said' --max-tokens 8 --greedy";
    const auto a = testing::run_chapter("ch07", "generate --checkpoint " + hf + args);
    INFO(a.output);
    REQUIRE(a.exit_code == 0);
    REQUIRE_THAT(a.output, Catch::Contains("Hugging Face safetensors") && Catch::Contains("And God said"));
    const auto b = testing::run_chapter("ch07", "generate --checkpoint " + ours + " --tokenizer " +
                                                    (run.out_dir / "tokenizer").string() + args);
    INFO(b.output);
    REQUIRE(b.exit_code == 0);
    const auto completion = [](const std::string& out) { return out.substr(out.find("And God said")); };
    REQUIRE(completion(a.output).substr(0, 40) == completion(b.output).substr(0, 40));
    const auto c = testing::run_chapter("ch07", "generate --checkpoint " + hf + args + " --no-cache");
    REQUIRE(c.exit_code == 0);
    REQUIRE(completion(c.output).substr(0, 40) == completion(a.output).substr(0, 40));   // the cache changes nothing

    SECTION("a prompt longer than the window is cropped from the left, and says so") {
        std::string longp;
        for (int i = 0; i < 30; ++i) longp += "and the ";
        const auto r = testing::run_chapter("ch07", "generate --checkpoint " + hf + " --max-tokens 2 --prompt '" +
                                                        longp + "'");
        INFO(r.output);
        REQUIRE(r.exit_code == 0);
        REQUIRE_THAT(r.output, Catch::Contains("longer than the 16-token context window: cropped from the left"));
    }
    SECTION("bad knobs and prompts are named") {
        const std::string g = "generate --checkpoint " + hf + " ";
        const auto empty = testing::run_chapter("ch07", g + "--prompt ''");
        REQUIRE(empty.exit_code == 1);
        REQUIRE_THAT(empty.output, Catch::Contains("the prompt is empty"));
        const auto p = testing::run_chapter("ch07", g + "--prompt x --top-p 1.5");
        REQUIRE(p.exit_code == 1);
        REQUIRE_THAT(p.output, Catch::Contains("top-p 1.5 must be in (0, 1]"));
        const auto t = testing::run_chapter("ch07", g + "--prompt x --temperature -1");
        REQUIRE(t.exit_code == 1);
        REQUIRE_THAT(t.output, Catch::Contains("temperature -1 must be finite and >= 0"));
        const auto k = testing::run_chapter("ch07", g + "--prompt x --top-k -2");
        REQUIRE(k.exit_code == 1);
        REQUIRE_THAT(k.output, Catch::Contains("top-k -2 must be >= 0"));
        const auto missing = testing::run_chapter("ch07", "generate --prompt x --checkpoint /nonexistent/m.safetensors");
        REQUIRE(missing.exit_code == 1);
        REQUIRE_THAT(missing.output, Catch::Contains("no checkpoint at /nonexistent/m.safetensors"));
    }
}

TEST_CASE("ch07 on the emulator runs the same model code", "[ch07]") {
    const auto run = testing::run_chapter("ch07", "--quick --no-progress --backend simt --steps 2 --no-experiments");
    INFO(run.output);
    REQUIRE(run.exit_code == 0);
    REQUIRE(run.summary()["model"]["steps"] == 2);
}

TEST_CASE("ch07 names what is wrong with its input", "[ch07]") {
    const auto r = testing::run_chapter("ch07", "--quick --no-progress --heads 5 --no-experiments");
    REQUIRE(r.exit_code == 1);
    REQUIRE_THAT(r.output, Catch::Contains("5 heads do not divide the width C = 32"));
}
