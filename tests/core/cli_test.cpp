// cli_test.cpp: number and duration formatting, CSV quoting, error messages with file:line.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <regex>
#include <sstream>

#include "core/cli.hpp"
#include "core/fileio.hpp"
#include "tests/temp_dir.hpp"

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
    const testing::TempDir tmp("cli");
    const auto dir = tmp / "run";
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
        for (int i = 1; i <= 1000; ++i) p.update(i, {{"loss", 2.5}});
        p.finish({{"loss", 1.25}});
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

TEST_CASE("Progress shows named fields after the rate, in the order given, with their decimals", "[cli][progress]") {
    std::ostringstream captured;
    std::streambuf* old = std::cout.rdbuf(captured.rdbuf());
    const double lr0 = 0.025;
    {
        Progress p("train", 200, "words");
        for (int i = 1; i <= 200; ++i) p.update(i, {{"loss", 3.0 - i / 100.0}, {"lr", lr0 * (1 - i / 400.0), 5}});
        p.finish({{"loss", 0.5}, {"lr", 0.0001, 5}, {"val acc", 0.875, 3}});
    }
    std::cout.rdbuf(old);
    std::istringstream in(captured.str());
    std::vector<std::string> lines;
    for (std::string l; std::getline(in, l);) lines.push_back(l);
    REQUIRE(lines.size() >= 2);
    // The first update (i = 1) is printed: its figures, computed here from the same formulas.
    const std::string first_loss = fmt::format("| loss {:.4f} |", 3.0 - 1 / 100.0);
    const std::string first_lr = fmt::format("| lr {:.5f} |", lr0 * (1 - 1 / 400.0));
    REQUIRE_THAT(lines.front(), Catch::StartsWith("train 1/200") && Catch::Contains("words/s | loss ") &&
                                    Catch::Contains(first_loss) && Catch::Contains(first_lr));
    REQUIRE(lines.front().find("| loss") < lines.front().find("| lr"));
    for (const auto& l : lines) REQUIRE_THAT(l, Catch::Contains("| loss ") && Catch::Contains("| lr "));
    REQUIRE_THAT(lines.back(), Catch::StartsWith("train 200/200 100%") &&
                                   Catch::Contains("| loss 0.5000 | lr 0.00010 | val acc 0.875 | ") &&
                                   Catch::EndsWith(" total"));
}

TEST_CASE("Progress without fields shows counts, rate and ETA only", "[cli][progress]") {
    std::ostringstream captured;
    std::streambuf* old = std::cout.rdbuf(captured.rdbuf());
    {
        Progress p("merge", 10, "merges");
        for (int i = 1; i <= 10; ++i) p.update(i);
        p.finish();
    }
    std::cout.rdbuf(old);
    const std::string out = captured.str();
    REQUIRE_THAT(out, Catch::Contains("merge 10/10 100% | ") && Catch::Contains("merges/s | ") &&
                          Catch::Contains(" total\n"));
    // Nothing between the rate and the ETA or the total time.
    const std::regex plain(R"(merge \d+/10 +\d+% \| \S+ merges/s( \| (ETA \S+|\S+ total))?)");
    std::istringstream in(out);
    for (std::string l; std::getline(in, l);) REQUIRE(std::regex_match(l, plain));
}
