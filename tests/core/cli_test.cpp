// cli_test.cpp: number and duration formatting, CSV quoting, error messages with file:line.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "core/cli.hpp"
#include "core/fileio.hpp"

using namespace ladder;

TEST_CASE("durations and counts print the way the progress line shows them", "[cli]") {
    REQUIRE(format_duration(7) == "0:07");
    REQUIRE(format_duration(125) == "2:05");
    REQUIRE(format_duration(3723) == "1:02:03");
    REQUIRE(format_count(999) == "999");
    REQUIRE(format_count(1234) == "1.23k");
    REQUIRE(format_count(5.6e6) == "5.60M");
}

TEST_CASE("CSV fields with commas, quotes or newlines are quoted", "[cli]") {
    const auto dir = std::filesystem::temp_directory_path() / ("ladder_cli_test_" + std::to_string(::getpid()));
    const RunDir run(dir);
    {
        CsvWriter csv = run.csv("t.csv", {"word", "count"});
        csv.row(std::string("a,b"), 3);
        csv.row(std::string("say \"hi\""), 1.5);
    }
    REQUIRE(read_file(dir / "t.csv") == "word,count\n\"a,b\",3\n\"say \"\"hi\"\"\",1.5\n");
    run.write_summary({{"accuracy", 0.5}});
    REQUIRE(nlohmann::json::parse(read_file(dir / "summary.json"))["accuracy"] == 0.5);
}

TEST_CASE("LADDER_CHECK throws ladder::Error with file:line and the message", "[cli][error]") {
    try {
        LADDER_CHECK(1 + 1 == 3, "arithmetic is broken: {} != {}", 2, 3);
        FAIL("no throw");
    } catch (const Error& e) {
        REQUIRE_THAT(std::string(e.what()), Catch::StartsWith("tests/core/cli_test.cpp:") &&
                                                 Catch::EndsWith("arithmetic is broken: 2 != 3"));
        REQUIRE(e.message() == "arithmetic is broken: 2 != 3");
    }
}

TEST_CASE("guarded_main turns errors into exit codes", "[cli][error]") {
    REQUIRE(guarded_main([] { return 0; }) == 0);
    REQUIRE(guarded_main([]() -> int { LADDER_THROW("bad input {}", 1); }) == 1);
    REQUIRE(guarded_main([]() -> int { throw NotImplemented("exercise 1.1"); }) == 2);
}

TEST_CASE("Progress prints plain lines, about one per tenth, when stdout is not a terminal", "[cli][progress]") {
    // The test's stdout is a pipe or a file under ctest, so Progress takes the plain-line path.
    std::ostringstream captured;
    std::streambuf* old = std::cout.rdbuf(captured.rdbuf());
    {
        Progress p("train", 1000, "words");
        for (int i = 1; i <= 1000; ++i) p.update(i, 2.5);
        p.finish(1.25);
    }
    std::cout.rdbuf(old);
    const std::string out = captured.str();
    const auto lines = std::count(out.begin(), out.end(), '\n');
    REQUIRE(lines >= 10);     // one per tenth (0%..100%) plus the final line
    REQUIRE(lines <= 12);
    REQUIRE(out.find('\r') == std::string::npos);
    REQUIRE_THAT(out, Catch::Contains("train 1.00k/1.00k 100%") && Catch::Contains("words/s") &&
                          Catch::Contains("loss 1.2500") && Catch::Contains("total"));
}
