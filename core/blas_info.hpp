// blas_info.hpp: which BLAS this process runs on (OpenBLAS's version, the CPU kernels it
// picked, its threads) and a warning when it fell back to slow generic kernels on a CPU
// that could run faster ones (OPENBLAS_CORETYPE fixes it). Introduced in ch01 (matmul's peer).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

namespace ladder {

// The vector units OpenBLAS's fast x86 kernels need, as this CPU and its OS enable them.
struct CpuFeatures {
    bool avx2 = false;       // with fma: OpenBLAS's Haswell kernels (Zen runs them too)
    bool fma = false;
    bool avx512 = false;     // AVX-512 F, BW, DQ and VL: OpenBLAS's SkylakeX kernels
};
CpuFeatures cpu_features();   // this CPU (all false on a non-x86 CPU)

// What the process's BLAS reports. The openblas_* functions are looked up in the running
// process (dlsym) rather than linked: ladder_core does not pull OpenBLAS into programs
// that never call BLAS, and those report "no OpenBLAS" instead of failing to link.
struct BlasInfo {
    std::string config;         // openblas_get_config(): "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH ... Haswell ..."
    std::string core;           // openblas_get_corename(): "Haswell", "SkylakeX", "Prescott", ...
    int threads = 0;            // openblas_get_num_threads()
    std::string coretype_env;   // OPENBLAS_CORETYPE as this process sees it ("" when unset)

    bool openblas() const { return !config.empty(); }
    // Built for every x86 core with the choice made at load time; only then does
    // OPENBLAS_CORETYPE change anything (Debian's build is).
    bool dynamic_arch() const { return config.find("DYNAMIC_ARCH") != std::string::npos; }
    std::string library() const;   // "OpenBLAS 0.3.21" (the config's first two words)
    // One line for benchmark headers: "OpenBLAS 0.3.21, core Haswell, 1 thread" (+ ", OPENBLAS_CORETYPE=X").
    std::string summary() const;
};
BlasInfo blas_info();

// {"library", "config", "core", "threads", "coretype_env"}, for benchmark summaries.
void to_json(nlohmann::json& j, const BlasInfo& b);

// What gives a peer process over the same OpenBLAS (numpy, scikit-learn, gensim, torch) the
// very kernels this process runs, found or set: "OPENBLAS_CORETYPE=SkylakeX", a shell
// assignment to put before its command ("" without OpenBLAS). OpenBLAS accepts every name
// openblas_get_corename returns.
std::string peer_blas_env(const BlasInfo& b);

// ---- the fallback check (pure: it takes the core name and the CPU's features) ----
// OpenBLAS picks its kernels from the CPU's family and model when it loads. A CPU newer than
// the library (Debian 12's 0.3.21 on an Intel Xeon family 6 model 207) is unknown to it, and
// it falls back to its SSE3 "Prescott" kernels: 512^3 sgemm ~25 GFLOP/s instead of ~150.
// better_coretype gives the OPENBLAS_CORETYPE that fixes it: SKYLAKEX on a CPU with AVX-512,
// else HASWELL on one with AVX2 and FMA, when `core` is one of OpenBLAS's pre-AVX2 cores
// (Prescott, Core2, Katmai, Nehalem, Sandybridge, ..., "Unknown", "generic"). A core it chose
// for a CPU it knows (Haswell, Zen, SkylakeX, Cooperlake, ...) is left alone.
//   better_coretype("Prescott", {.avx2 = true, .fma = true, .avx512 = true}) -> "SKYLAKEX"
//   better_coretype("Core2",    {.avx2 = true, .fma = true})                 -> "HASWELL"
//   better_coretype("Haswell",  {.avx2 = true, .fma = true, .avx512 = true}) -> nothing
std::optional<std::string> better_coretype(std::string_view core, const CpuFeatures& cpu);

// The one-line warning for that case (nothing when better_coretype has nothing): it names
// the core, what the CPU has, and the fix (OPENBLAS_CORETYPE=..., or run through ./ladder).
std::optional<std::string> blas_fallback_warning(std::string_view core, const CpuFeatures& cpu);

// What to set for this process's BLAS: better_coretype(b.core, cpu) when b is an OpenBLAS
// built with DYNAMIC_ARCH and OPENBLAS_CORETYPE is unset (a setting of yours always wins).
// bin/blas-info prints it for ./ladder, which exports it before starting any program.
std::optional<std::string> suggested_coretype(const BlasInfo& b, const CpuFeatures& cpu);

// Prints blas_fallback_warning to stderr, once per process, when suggested_coretype has a
// fix for this process. guarded_main calls it, so every chapter program and ladder-ops does.
void warn_if_blas_fallback();

// Sets the threads OpenBLAS's sgemm uses in this process (openblas_set_num_threads; no-op
// without OpenBLAS). n = 0: one per core. Returns the count OpenBLAS reports afterwards (0 without it).
int set_blas_threads(unsigned n);

}  // namespace ladder
