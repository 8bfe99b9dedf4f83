// blas_info_main.cpp: bin/blas-info, which BLAS a program of this build gets: OpenBLAS's
// version, the core it picked on this CPU, its threads, and the OPENBLAS_CORETYPE that would
// be faster when it fell back to generic kernels. `--coretype` prints only that (or nothing):
// ./ladder runs it after each build and exports what it prints. Introduced in ch01.
#include <fmt/format.h>

#include "core/blas_info.hpp"
#include "core/cli.hpp"

// A direct call keeps OpenBLAS among this program's libraries even where the linker drops
// unused ones (--as-needed, Ubuntu's default), as it is in every program that calls BLAS.
extern "C" int openblas_get_num_threads(void);

int main(int argc, char** argv) {
    CLI::App app{"blas-info: the BLAS library, the CPU kernels OpenBLAS picked, the OPENBLAS_CORETYPE that would help"};
    bool coretype_only = false;
    app.add_flag("--coretype", coretype_only,
                 "print only the OPENBLAS_CORETYPE to set (nothing when OpenBLAS's own choice is right or it is set)");
    if (auto code = ladder::parse_args(app, argc, argv)) return *code;
    const ladder::BlasInfo b = ladder::blas_info();
    const ladder::CpuFeatures cpu = ladder::cpu_features();
    const auto fix = ladder::suggested_coretype(b, cpu);
    if (coretype_only) {
        if (fix) fmt::print("{}\n", *fix);
        return 0;
    }
    fmt::print("blas:     {}\nconfig:   {}\ncpu:      {}{}{}\n", b.summary(), b.config, cpu.avx512 ? "AVX-512 " : "",
               cpu.avx2 ? "AVX2 " : "", cpu.fma ? "FMA" : "");
    fmt::print("coretype: {}\n", fix ? fmt::format("OPENBLAS_CORETYPE={} would be faster", *fix)
                                     : std::string(b.coretype_env.empty() ? "OpenBLAS's own choice is right"
                                                                          : "set by OPENBLAS_CORETYPE"));
    return openblas_get_num_threads() > 0 ? 0 : 1;   // an OpenBLAS with no threads is broken
}
