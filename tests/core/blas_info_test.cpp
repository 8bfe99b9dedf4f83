// blas_info_test.cpp: the OpenBLAS fallback check (which core name on which CPU gets which
// OPENBLAS_CORETYPE, and the warning's words), and blas_info() against the linked OpenBLAS.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/blas_info.hpp"

using namespace ladder;

// The test links OpenBLAS and calls it directly, to check what blas_info() finds by name.
extern "C" char* openblas_get_corename(void);
extern "C" char* openblas_get_config(void);
extern "C" int openblas_get_num_threads(void);

namespace {
constexpr CpuFeatures kAvx512{.avx2 = true, .fma = true, .avx512 = true};
constexpr CpuFeatures kAvx2{.avx2 = true, .fma = true, .avx512 = false};
constexpr CpuFeatures kSse{};
}  // namespace

TEST_CASE("better_coretype: a generic core on an AVX-512 CPU gets SKYLAKEX, on an AVX2 CPU HASWELL", "[blas]") {
    // The case seen on an Intel Xeon family 6 model 207 with Debian 12's OpenBLAS 0.3.21.
    REQUIRE(better_coretype("Prescott", kAvx512) == "SKYLAKEX");
    REQUIRE(better_coretype("Prescott", kAvx2) == "HASWELL");
    for (const char* generic : {"Core2", "Katmai", "Nehalem", "Sandybridge", "Unknown", "generic", "Barcelona"}) {
        INFO(generic);
        REQUIRE(better_coretype(generic, kAvx512) == "SKYLAKEX");
        REQUIRE(better_coretype(generic, kAvx2) == "HASWELL");
    }
    REQUIRE(better_coretype("PRESCOTT", kAvx512) == "SKYLAKEX");   // names compare without case
    REQUIRE(better_coretype("prescott", kAvx2) == "HASWELL");
}

TEST_CASE("better_coretype: a core OpenBLAS chose for a CPU it knows is left alone", "[blas]") {
    for (const char* known : {"Haswell", "Zen", "SkylakeX", "Cooperlake", "SapphireRapids", "Excavator"}) {
        INFO(known);
        REQUIRE_FALSE(better_coretype(known, kAvx512));
        REQUIRE_FALSE(better_coretype(known, kAvx2));
    }
    REQUIRE_FALSE(better_coretype("Prescot", kAvx512));   // not a prefix match
    REQUIRE_FALSE(better_coretype("", kAvx512));
}

TEST_CASE("better_coretype: a CPU without AVX2 and FMA keeps OpenBLAS's generic core", "[blas]") {
    REQUIRE_FALSE(better_coretype("Prescott", kSse));
    REQUIRE_FALSE(better_coretype("Sandybridge", {.avx2 = false, .fma = true}));
    REQUIRE_FALSE(better_coretype("Prescott", {.avx2 = true, .fma = false}));
    // AVX-512 alone (without the AVX2 + FMA every such CPU has) is not trusted.
    REQUIRE_FALSE(better_coretype("Prescott", {.avx2 = false, .fma = false, .avx512 = true}));
}

TEST_CASE("blas_fallback_warning names the core, the CPU's vector unit and the fix in one line", "[blas]") {
    const auto w = blas_fallback_warning("Prescott", kAvx512);
    REQUIRE(w);
    REQUIRE(w->find('\n') == std::string::npos);
    REQUIRE_THAT(*w, Catch::StartsWith("warning: ") && Catch::Contains("'Prescott'") && Catch::Contains("AVX-512") &&
                         Catch::Contains("OPENBLAS_CORETYPE=SKYLAKEX") && Catch::Contains("./ladder"));
    const auto w2 = blas_fallback_warning("Core2", kAvx2);
    REQUIRE(w2);
    REQUIRE_THAT(*w2, Catch::Contains("'Core2'") && Catch::Contains("AVX2") &&
                          Catch::Contains("OPENBLAS_CORETYPE=HASWELL"));
    REQUIRE_FALSE(blas_fallback_warning("Haswell", kAvx512));
    REQUIRE_FALSE(blas_fallback_warning("Prescott", kSse));
}

TEST_CASE("suggested_coretype: only for an OpenBLAS with DYNAMIC_ARCH, and never over OPENBLAS_CORETYPE", "[blas]") {
    BlasInfo b;
    b.config = "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Prescott MAX_THREADS=64";
    b.core = "Prescott";
    b.threads = 1;
    REQUIRE(suggested_coretype(b, kAvx512) == "SKYLAKEX");
    REQUIRE(suggested_coretype(b, kAvx2) == "HASWELL");
    BlasInfo set_by_user = b;
    set_by_user.coretype_env = "PRESCOTT";   // the user's choice wins, even a slow one
    REQUIRE_FALSE(suggested_coretype(set_by_user, kAvx512));
    BlasInfo fixed_build = b;                // built for one CPU: OPENBLAS_CORETYPE does nothing
    fixed_build.config = "OpenBLAS 0.3.21 NO_LAPACKE NO_AFFINITY Prescott MAX_THREADS=64";
    REQUIRE_FALSE(suggested_coretype(fixed_build, kAvx512));
    REQUIRE_FALSE(suggested_coretype(BlasInfo{}, kAvx512));   // no OpenBLAS in the process
    b.core = "SkylakeX";
    REQUIRE_FALSE(suggested_coretype(b, kAvx512));
}

TEST_CASE("BlasInfo's summary and JSON", "[blas]") {
    BlasInfo b;
    REQUIRE(b.summary() == "no OpenBLAS in this process");
    b.config = "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY SkylakeX MAX_THREADS=64";
    b.core = "SkylakeX";
    b.threads = 1;
    REQUIRE(b.library() == "OpenBLAS 0.3.21");
    REQUIRE(b.summary() == "OpenBLAS 0.3.21, core SkylakeX, 1 thread");
    b.threads = 2;
    b.coretype_env = "SKYLAKEX";
    REQUIRE(b.summary() == "OpenBLAS 0.3.21, core SkylakeX, 2 threads, OPENBLAS_CORETYPE=SKYLAKEX");
    const nlohmann::json j = b;
    REQUIRE(j["library"] == "OpenBLAS 0.3.21");
    REQUIRE(j["core"] == "SkylakeX");
    REQUIRE(j["threads"] == 2);
    REQUIRE(j["coretype_env"] == "SKYLAKEX");
    REQUIRE(peer_blas_env(b) == "OPENBLAS_CORETYPE=SkylakeX");   // the core it runs, not only what was asked
    b.core = "Sky lake; rm -rf";
    REQUIRE(peer_blas_env(b) == "");                             // never anything a shell would split
    REQUIRE(peer_blas_env(BlasInfo{}) == "");
}

TEST_CASE("blas_info finds the OpenBLAS this test links, as it reports itself", "[blas]") {
    const BlasInfo b = blas_info();
    REQUIRE(b.openblas());
    REQUIRE(b.config == openblas_get_config());
    REQUIRE(b.core == openblas_get_corename());
    REQUIRE(b.threads == openblas_get_num_threads());
    REQUIRE_THAT(b.library(), Catch::StartsWith("OpenBLAS "));
    const char* env = std::getenv("OPENBLAS_CORETYPE");
    REQUIRE(b.coretype_env == (env ? env : ""));
}

TEST_CASE("cpu_features agrees with the flags the kernel reports in /proc/cpuinfo", "[blas]") {
    std::ifstream in("/proc/cpuinfo");
    std::string line;
    while (std::getline(in, line) && line.rfind("flags", 0) != 0) {}
    if (line.empty()) {
        WARN("SKIPPED: no flags line in /proc/cpuinfo (not Linux on x86)");
        return;
    }
    std::istringstream words(line.substr(line.find(':') + 1));
    std::set<std::string> flags;
    for (std::string w; words >> w;) flags.insert(w);
    const CpuFeatures f = cpu_features();
    REQUIRE(f.avx2 == (flags.count("avx2") > 0));
    REQUIRE(f.fma == (flags.count("fma") > 0));
    const bool avx512 =
        flags.count("avx512f") && flags.count("avx512bw") && flags.count("avx512dq") && flags.count("avx512vl");
    REQUIRE(f.avx512 == avx512);
}

// Hidden ([.]): tests/core/CMakeLists.txt runs it alone, in a process started with
// OPENBLAS_CORETYPE=Prescott, so OpenBLAS really runs its generic kernels; the variable is
// then removed, as if OpenBLAS had chosen them itself (the case on a CPU it does not know).
TEST_CASE("warn_if_blas_fallback warns once, on stderr, when OpenBLAS runs its Prescott kernels", "[.][blas_fallback]") {
    const char* env = std::getenv("OPENBLAS_CORETYPE");
    REQUIRE(env != nullptr);
    REQUIRE(std::string(env) == "Prescott");
    REQUIRE(blas_info().core == "Prescott");
    ::unsetenv("OPENBLAS_CORETYPE");
    std::ostringstream captured;
    std::streambuf* old = std::cerr.rdbuf(captured.rdbuf());
    warn_if_blas_fallback();
    warn_if_blas_fallback();
    std::cerr.rdbuf(old);
    const CpuFeatures cpu = cpu_features();
    const auto expected = blas_fallback_warning("Prescott", cpu);
    INFO("CPU: avx2 " << cpu.avx2 << ", fma " << cpu.fma << ", avx512 " << cpu.avx512);
    REQUIRE(captured.str() == (expected ? *expected + "\n" : std::string()));
    if (!expected) WARN("this CPU has no AVX2: Prescott's kernels are what it can run, so no warning");
}
