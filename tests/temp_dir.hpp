// temp_dir.hpp: a fresh folder for the files one test writes, removed when the test ends
// (kept, and its path printed, when LADDER_KEEP_TEST_FILES=1). Every test that writes files
// uses it, so `./ladder test` leaves nothing behind in $TMPDIR (or /tmp).
#pragma once

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include <unistd.h>

#include "core/error.hpp"

namespace ladder::testing {

// True when LADDER_KEEP_TEST_FILES is set to anything but "" or "0": tests keep their folders
// for debugging and say where they are.
inline bool keep_test_files() {
    const char* v = std::getenv("LADDER_KEEP_TEST_FILES");
    return v && *v && std::string_view(v) != "0";
}

// TempDir dir("ch03_lib");   // $TMPDIR/ladder_ch03_lib_Ab3xYz, made by mkdtemp: unique even
//                            // when ctest -j runs the tests of several processes at once
// dir.write("v.txt", "...")  // -> the path of the file it wrote
// dir / "out"                // -> a path inside (nothing created)
// The folder and everything in it are removed when `dir` goes out of scope, also when a
// REQUIRE fails and unwinds the test.
class TempDir {
public:
    explicit TempDir(std::string_view tag = "test") {
        std::string pattern = (std::filesystem::temp_directory_path() / ("ladder_" + std::string(tag) + "_XXXXXX")).string();
        LADDER_CHECK(::mkdtemp(pattern.data()) != nullptr, "cannot create a temporary folder {}: {}", pattern,
                     std::error_code(errno, std::generic_category()).message());
        path_ = pattern;
    }
    ~TempDir() { release(); }
    TempDir(TempDir&& other) noexcept : path_(std::exchange(other.path_, {})) {}
    TempDir& operator=(TempDir&& other) noexcept {
        if (this != &other) {
            release();
            path_ = std::exchange(other.path_, {});
        }
        return *this;
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path operator/(const std::filesystem::path& name) const { return path_ / name; }

    // Writes `content` byte for byte to path()/name (creating folders in `name`); returns its path.
    std::filesystem::path write(const std::filesystem::path& name, std::string_view content) const {
        const std::filesystem::path p = path_ / name;
        if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path());
        std::ofstream out(p, std::ios::binary);
        out.write(content.data(), static_cast<std::streamsize>(content.size()));
        LADDER_CHECK(out.good(), "cannot write the test file {}", p.string());
        return p;
    }

private:
    void release() noexcept {
        if (path_.empty()) return;
        if (keep_test_files()) {
            std::cerr << "LADDER_KEEP_TEST_FILES: kept " << path_.string() << '\n';
        } else {
            std::error_code ec;   // never throw from a destructor; a leftover folder is not a test failure
            std::filesystem::remove_all(path_, ec);
        }
        path_.clear();
    }

    std::filesystem::path path_;
};

}  // namespace ladder::testing
