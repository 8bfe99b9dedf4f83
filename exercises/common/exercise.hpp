// exercise.hpp: what exercise tests share: run the learner's function on fresh inputs
// through the equivalence harness and fail with the first mismatch and a hint.
// Introduced in ch01; every chapter's exercises use it.
#pragma once

#include <string>

#include <catch2/catch.hpp>

#include "kernels/harness.hpp"

namespace ladder::exercise {

// Fails the current test with "<id> on <backend>, <case>: <first problem>" and the hint.
inline void require_ok(const std::string& id, const std::string& where, const CheckResult& r, const std::string& hint) {
    if (r.ok) return;
    std::string msg = id + " on " + where + ": " + r.failure;
    if (r.first && r.failure.find("first ") == std::string::npos)
        msg += "\n  first mismatch: " + r.first->str();
    FAIL(msg << "\n  hint: " << hint);
}

// The learner's CPU implementation, on every test case of `op` (seeded, reproducible).
inline void check_cpu_exercise(const std::string& id, const OpSpec& op, const std::vector<Case>& cases,
                               const std::function<void(Problem&)>& run, const std::string& hint) {
    const CpuImpl impl{id, "", run};
    for (const Case& c : cases) require_ok(id, "cpu, " + c.str(), check_cpu(op, impl, c, 1), hint);
}

// The learner's kernel, on the emulator always and on a GPU when there is one. On the
// emulator it runs under the race check (forward and reverse thread order, every byte
// compared: a missing __syncthreads shows), or for an op whose result depends on thread
// order, in both orders apart (harness.hpp: simt_modes).
inline void check_gpu_exercise(const std::string& id, const OpSpec& op, const std::vector<Case>& cases,
                               const std::function<void(Device, Problem&)>& run, const std::string& hint) {
    const GpuVersion v{id, "", run};
    for (Device d : available_devices()) {
        if (d == Device::cpu) continue;
        const auto modes = d == Device::simt ? simt_modes(op, 0) : std::vector{SimtMode::configured};
        for (const Case& c : cases)
            for (SimtMode m : modes)
                require_ok(id, std::string(device_name(d)) + ", " + c.str(), check_gpu(op, v, d, c, 1, m), hint);
    }
}

}  // namespace ladder::exercise
