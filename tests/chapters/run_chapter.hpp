// run_chapter.hpp: runs a chapter program into a fresh directory and reads back its
// summary.json, for the end-to-end tests. The directory (and the program's log) live in a
// TempDir that goes away with the ChapterRun.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>
#include <unistd.h>

#include "core/fileio.hpp"
#include "tests/temp_dir.hpp"

namespace ladder::testing {

struct ChapterRun {
    explicit ChapterRun(const std::string& program) : dir(program + "_run"), out_dir(dir / "out") {}
    TempDir dir;                      // holds out_dir and the log; removed with the ChapterRun
    int exit_code = -1;
    std::string output;               // stdout and stderr together
    std::filesystem::path out_dir;    // what --out pointed at: dir / "out"
    nlohmann::json summary() const { return nlohmann::json::parse(read_file(out_dir / "summary.json")); }
};

// Runs bin/<program> --out <fresh dir> <args>; args are passed through the shell as given.
inline ChapterRun run_chapter(const std::string& program, const std::string& args) {
    ChapterRun r(program);
    const std::filesystem::path log = r.dir / "output.log";
    const std::string cmd = std::string(LADDER_BIN_DIR) + "/" + program + " --out " + r.out_dir.string() + " " + args +
                            " > " + log.string() + " 2>&1";
    const int status = std::system(cmd.c_str());
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.output = std::filesystem::exists(log) ? read_file(log) : "";
    return r;
}

}  // namespace ladder::testing
