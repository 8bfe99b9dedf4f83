// blas_info.cpp: OpenBLAS's version, core and threads, looked up in the running process, and
// the check for its slow fallback kernels on a CPU that could do better.
#include "core/blas_info.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <iostream>
#include <iterator>
#include <mutex>
#include <thread>

#include <dlfcn.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace ladder {

CpuFeatures cpu_features() {
    CpuFeatures f;
#if defined(__x86_64__) || defined(__i386__)
    // GCC's checks read CPUID and, for AVX and AVX-512, that the OS saves those registers.
    __builtin_cpu_init();
    f.avx2 = __builtin_cpu_supports("avx2");
    f.fma = __builtin_cpu_supports("fma");
    f.avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
               __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
#endif
    return f;
}

namespace {
// A C function of the running process by name, or nullptr when no loaded library has it.
template <class Fn>
Fn* find_function(const char* name) {
    return reinterpret_cast<Fn*>(::dlsym(RTLD_DEFAULT, name));
}

bool equal_nocase(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

// OpenBLAS's x86 cores older than AVX2 (the names openblas_get_corename returns), plus what a
// build without DYNAMIC_ARCH or an unknown CPU reports. On a CPU with AVX2 any of them is a
// fallback: OpenBLAS picks them only for CPU models that have no AVX2.
constexpr std::string_view kPreAvx2Cores[] = {
    "Unknown", "generic",   "Katmai",   "Coppermine", "Northwood",    "Prescott",  "Banias",      "Atom",
    "Core2",   "Penryn",    "Dunnington", "Nehalem",  "Athlon",       "Opteron",   "Opteron_SSE3", "Barcelona",
    "Nano",    "Sandybridge", "Bobcat", "Bulldozer",  "Piledriver",   "Steamroller"};
}  // namespace

std::string BlasInfo::library() const {
    const auto first = config.find(' ');
    if (first == std::string::npos) return config;
    return config.substr(0, config.find(' ', first + 1));
}

std::string BlasInfo::summary() const {
    if (!openblas()) return "no OpenBLAS in this process";
    std::string s = fmt::format("{}, core {}, {} thread{}", library(), core, threads, threads == 1 ? "" : "s");
    if (!coretype_env.empty()) s += fmt::format(", OPENBLAS_CORETYPE={}", coretype_env);
    return s;
}

BlasInfo blas_info() {
    BlasInfo b;
    if (const char* env = std::getenv("OPENBLAS_CORETYPE")) b.coretype_env = env;
    auto* config = find_function<char*()>("openblas_get_config");
    auto* corename = find_function<char*()>("openblas_get_corename");
    auto* threads = find_function<int()>("openblas_get_num_threads");
    if (!config || !corename) return b;
    if (const char* c = config()) b.config = c;
    if (const char* c = corename()) b.core = c;
    if (threads) b.threads = threads();
    return b;
}

void to_json(nlohmann::json& j, const BlasInfo& b) {
    j = {{"library", b.openblas() ? b.library() : "none"}, {"config", b.config}, {"core", b.core},
         {"threads", b.threads}, {"coretype_env", b.coretype_env}};
}

std::string peer_blas_env(const BlasInfo& b) {
    const bool plain = !b.core.empty() && std::all_of(b.core.begin(), b.core.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
    });
    return b.openblas() && plain ? "OPENBLAS_CORETYPE=" + b.core : "";
}

std::optional<std::string> better_coretype(std::string_view core, const CpuFeatures& cpu) {
    const bool fallback = std::any_of(std::begin(kPreAvx2Cores), std::end(kPreAvx2Cores),
                                      [&](std::string_view c) { return equal_nocase(c, core); });
    if (!fallback) return std::nullopt;
    if (cpu.avx512 && cpu.avx2 && cpu.fma) return "SKYLAKEX";
    if (cpu.avx2 && cpu.fma) return "HASWELL";
    return std::nullopt;
}

std::optional<std::string> blas_fallback_warning(std::string_view core, const CpuFeatures& cpu) {
    const auto fix = better_coretype(core, cpu);
    if (!fix) return std::nullopt;
    return fmt::format(
        "warning: OpenBLAS runs its generic '{}' kernels on this {} CPU (it does not know the CPU), several times "
        "slower at matrix products; start the program with OPENBLAS_CORETYPE={}, or run it through ./ladder, "
        "which sets it",
        core, cpu.avx512 ? "AVX-512" : "AVX2", *fix);
}

std::optional<std::string> suggested_coretype(const BlasInfo& b, const CpuFeatures& cpu) {
    if (!b.openblas() || !b.dynamic_arch() || !b.coretype_env.empty()) return std::nullopt;
    return better_coretype(b.core, cpu);
}

void warn_if_blas_fallback() {
    static std::once_flag once;
    std::call_once(once, [] {
        const BlasInfo b = blas_info();
        const CpuFeatures cpu = cpu_features();
        if (!suggested_coretype(b, cpu)) return;
        if (const auto w = blas_fallback_warning(b.core, cpu)) std::cerr << *w << '\n';
    });
}

int set_blas_threads(unsigned n) {
    auto* set = find_function<void(int)>("openblas_set_num_threads");
    auto* get = find_function<int()>("openblas_get_num_threads");
    if (!set || !get) return 0;
    set(n == 0 ? static_cast<int>(std::max(1u, std::thread::hardware_concurrency())) : static_cast<int>(n));
    return get();
}

}  // namespace ladder
