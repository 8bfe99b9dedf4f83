// ch01_test.cpp: chapter 1's program end to end (--quick): every implementation on every
// available backend is checked, and summary.json says so.
#include <catch2/catch.hpp>

#include <set>

#include "core/device.hpp"
#include "tests/chapters/run_chapter.hpp"

using namespace ladder;

TEST_CASE("ch01 multiplies on every backend and writes its summary", "[ch01][chapters]") {
    const auto run = testing::run_chapter("ch01", "--quick");
    INFO(run.output);
    REQUIRE(run.exit_code == 0);
    REQUIRE_THAT(run.output, Catch::Contains("What you just saw"));
    const auto s = run.summary();
    REQUIRE(s["chapter"] == "ch01");
    REQUIRE(s["all_correct"] == true);
    std::set<std::string> seen;
    for (const auto& row : s["matmul"]) {
        seen.insert(row["backend"].get<std::string>() + "/" + row["impl"].get<std::string>());
        REQUIRE(row["ok"] == true);
        REQUIRE(row["gflops"].get<double>() > 0);
        // The largest error any implementation may show on these sizes (n <= 128, inputs
        // ~N(0,1) with 20x outliers) is far below 1; a wrong kernel is off by O(10).
        REQUIRE(row["max_abs_err"].get<double>() < 0.05);
    }
    for (const char* impl : {"cpu/blas", "cpu/loops", "simt/v1", "simt/v2", "simt/v3", "simt/v4"}) REQUIRE(seen.count(impl) == 1);
    REQUIRE(seen.count("cuda/v4") == (cuda_available() ? 1u : 0u));
    REQUIRE(seen.count("cuda/cublas") == (cuda_available() ? 1u : 0u));
    REQUIRE(std::filesystem::exists(run.out_dir / "matmul.csv"));
}

TEST_CASE("ch01 rejects --backend cuda without a device, and unknown options", "[ch01][chapters]") {
    if (cuda_available()) {
        WARN("SKIPPED: this machine has a CUDA device");
        return;
    }
    const auto cuda = testing::run_chapter("ch01", "--quick --backend cuda");
    REQUIRE(cuda.exit_code == 1);
    REQUIRE_THAT(cuda.output, Catch::Contains("backend cuda is not available") && Catch::Contains("--backend simt"));
    const auto bad = testing::run_chapter("ch01", "--no-such-option");
    REQUIRE(bad.exit_code != 0);
    REQUIRE_THAT(bad.output, Catch::Contains("--no-such-option"));
}
