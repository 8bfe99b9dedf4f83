// harness.hpp: the equivalence harness. Runs any implementation of a registered op on
// fresh random inputs, with outputs poisoned (NaN) and guard zones after every buffer,
// and compares with the CPU reference: guard zones, then NaN, then Inf, then tolerance.
// Introduced in ch01; tests, `ladder compare`, `ladder bench` and the exercises use it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "kernels/registry.hpp"

namespace ladder {

struct Mismatch {
    std::string buffer;          // "c"
    std::size_t index = 0;       // flat index into the buffer
    double expected = 0;
    double got = 0;
    std::string str() const;     // "c[17]: expected 3.25, got nan"
};

struct CheckResult {
    bool ok = true;
    std::string failure;         // the first problem found, as a sentence (empty when ok)
    double max_abs = 0;          // over every float output element
    double max_rel = 0;          // |got - expected| / max(|expected|, tiny)
    std::size_t bad = 0;         // elements outside the tolerance
    std::size_t checked = 0;     // output elements compared
    std::optional<Mismatch> first;   // the first element outside the tolerance
    std::optional<Mismatch> worst;   // the element furthest outside it (relative to the tolerance)
};

// Elements added after every device buffer; filled with kGuardBits and checked after the run.
inline constexpr std::size_t kGuardElements = 64;

// The inputs of one check: the op's maker on Rng(mix(seed, case)), on the host.
Problem make_problem(const OpSpec& op, const Case& c, std::uint64_t seed);
// A copy of `host` on `device`: inputs copied, outputs poisoned, guard zones after each.
Problem upload_problem(const Problem& host, Device device);
// Copies a device problem back into a host problem (no guard zones).
Problem download_problem(const Problem& dev);
// Runs the CPU reference on a copy of `host` (outputs poisoned first).
Problem run_reference(const OpSpec& op, const Problem& host);
// Compares `got` (host) with `expected` (host) under the op's tolerance; `dev` (optional)
// is the device problem whose guard zones are checked first.
CheckResult compare_outputs(const OpSpec& op, const Problem& expected, const Problem& got, const Problem* dev = nullptr);

// How the SIMT emulator runs a check (ignored on cuda):
//   configured  the options in force (LADDER_SIMT_SCHEDULE etc.; forward by default)
//   race_check  twice, threads of a block in forward then reverse order, one worker; every
//               byte of device memory must agree (core/simt: a missing __syncthreads)
//   forward, reverse, random   that thread order between barriers (random: seeded)
enum class SimtMode { configured, race_check, forward, reverse, random };
const char* simt_mode_name(SimtMode m);

// The modes the tests check the `seed_index`-th seed of every case under, on simt: the
// first under the race check (or, for an op that opts out, in forward and in reverse
// order), the second in a random order seeded by the seed, the others as configured.
// So every version meets forward, reverse and random thread orders on every case.
std::vector<SimtMode> simt_modes(const OpSpec& op, std::size_t seed_index);

// One call: make inputs, run the reference and the implementation, compare. An error the
// implementation throws (a race, a bad launch, an exercise stub) is a failed check.
CheckResult check_gpu(const OpSpec& op, const GpuVersion& v, Device device, const Case& c, std::uint64_t seed,
                      SimtMode mode = SimtMode::configured);
CheckResult check_cpu(const OpSpec& op, const CpuImpl& impl, const Case& c, std::uint64_t seed);

// Every check the tests make of one GPU version on one device: each test case and seed,
// on simt under each of simt_modes(). `report` gets what was run, as text
// ("v2 on simt, M=7 N=5 K=3, seed 1, race check"), and its result.
void check_gpu_all(const OpSpec& op, const GpuVersion& v, Device device,
                   const std::function<void(const std::string& what, const CheckResult& r)>& report);

struct Timing {
    double min_ms = 0;
    double median_ms = 0;
    int repeats = 0;
};
// Times `run` after one warm-up: at least `min_repeats` runs and about `min_seconds` in all.
// GPU time comes from CUDA events on cuda; wall time elsewhere.
Timing time_runs(Device device, const std::function<void()>& run, int min_repeats = 3, double min_seconds = 0.2);

// Runs `run` once on a guarded copy of `host` on `device`, compares with `expected`, then
// times further runs on that copy. What bench and the chapter programs report.
struct Measured {
    CheckResult check;
    Timing timing;
};
Measured measure(const OpSpec& op, const Problem& host, const Problem& expected, Device device,
                 const std::function<void(Problem&)>& run, int min_repeats = 3, double min_seconds = 0.2);

}  // namespace ladder
