// testing.hpp: helpers shared by the Catch2 tests: skipping without a CUDA device and
// checking every registered implementation of an op against its CPU reference.
// Introduced in ch01.
#pragma once

#include <string>

#include <catch2/catch.hpp>

#include "core/device.hpp"
#include "kernels/gradcheck.hpp"
#include "kernels/harness.hpp"

namespace ladder::testing {

// Catch2 v2 has no SKIP(): print "SKIPPED: <why>" (ctest's SKIP_REGULAR_EXPRESSION turns
// that into a skipped test) and return true when `d` cannot run here.
inline bool skip_unless_available(Device d) {
    if (d != Device::cuda || cuda_available()) return false;
    WARN("SKIPPED: " << cuda_unavailable_reason());
    return true;
}

// Every GPU version of `op` on `device`, every test case, every seed; on simt each seed
// under the emulator's checks (harness.hpp: simt_modes, the race check first).
inline void require_gpu_versions_match(const OpSpec& op, Device device) {
    if (skip_unless_available(device)) return;
    REQUIRE_FALSE(op.versions.empty());
    for (const auto& v : op.versions) {
        check_gpu_all(op, v, device, [&](const std::string& what, const CheckResult& r) {
            INFO(op.name << " " << what);
            INFO(r.failure);
            CHECK(r.ok);
        });
    }
}

// A backward op's reference against central finite differences of its forward, in
// double, on every case the op names for it (kernels/gradcheck.hpp).
inline void require_gradients_match(const OpSpec& op) {
    REQUIRE(op.differentiates);
    for (const auto& c : op.differentiates->cases) {
        for (auto seed : op.seeds) {
            INFO(op.name << " vs finite differences of " << op.differentiates->forward << ", " << c.str() << ", seed "
                         << seed);
            const GradResult r = check_gradient(op, c, seed);
            INFO(r.failure);
            CHECK(r.ok);
            CHECK(r.checked > 0);
        }
    }
}

// Every CPU peer of `op` (naive loops, direct library calls) against the reference.
inline void require_cpu_peers_match(const OpSpec& op) {
    for (const auto& impl : op.cpu_peers) {
        for (const auto& c : op.test_cases) {
            for (auto seed : op.seeds) {
                INFO(op.name << " cpu " << impl.name << ", " << c.str() << ", seed " << seed);
                const CheckResult r = check_cpu(op, impl, c, seed);
                INFO(r.failure);
                CHECK(r.ok);
            }
        }
    }
}

}  // namespace ladder::testing
