// testing.hpp: helpers shared by the Catch2 tests: skipping without a CUDA device and
// checking every registered implementation of an op against its CPU reference.
// Introduced in ch01.
#pragma once

#include <string>

#include <catch2/catch.hpp>

#include "core/device.hpp"
#include "kernels/harness.hpp"

namespace ladder::testing {

// Catch2 v2 has no SKIP(): print "SKIPPED: <why>" (ctest's SKIP_REGULAR_EXPRESSION turns
// that into a skipped test) and return true when `d` cannot run here.
inline bool skip_unless_available(Device d) {
    if (d != Device::cuda || cuda_available()) return false;
    WARN("SKIPPED: " << cuda_unavailable_reason());
    return true;
}

// Every GPU version of `op` on `device`, every test case, every seed.
inline void require_gpu_versions_match(const std::string& op_name, Device device) {
    if (skip_unless_available(device)) return;
    const OpSpec& op = registry().get(op_name);
    REQUIRE_FALSE(op.versions.empty());
    for (const auto& v : op.versions) {
        for (const auto& c : op.test_cases) {
            for (auto seed : op.seeds) {
                INFO(op.name << " " << v.name << " on " << device_name(device) << ", " << c.str() << ", seed " << seed);
                const CheckResult r = check_gpu(op, v, device, c, seed);
                INFO(r.failure);
                CHECK(r.ok);
            }
        }
    }
}

// Every CPU peer of `op` (naive loops, direct library calls) against the reference.
inline void require_cpu_peers_match(const std::string& op_name) {
    const OpSpec& op = registry().get(op_name);
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
