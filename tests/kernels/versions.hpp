// tests/kernels/versions.hpp: the places a kernel test runs an op: the cpu reference, then each of
// its GPU versions on the emulator, each with a Backend that picks that version.
#pragma once

#include <initializer_list>
#include <string>
#include <vector>

#include "core/backend.hpp"

namespace ladder::testing {

struct Run {
    Device device;
    int version;   // 0: the cpu reference (the cpu has one version)

    std::string str() const { return version == 0 ? std::string("cpu") : "simt v" + std::to_string(version); }
    // A backend on `device` that runs each of `ops` in `version`. Ops that share their kernels
    // (an op and its backward, say) take the same number.
    Backend backend(std::initializer_list<const char*> ops) const {
        Backend be(device);
        if (version > 0)
            for (const char* op : ops) be.set_version(op, version);
        return be;
    }
};

// The cpu reference, then simt v1 .. v`gpu_versions`.
inline std::vector<Run> cpu_and_simt(int gpu_versions) {
    std::vector<Run> runs{{Device::cpu, 0}};
    for (int v = 1; v <= gpu_versions; ++v) runs.push_back({Device::simt, v});
    return runs;
}

}  // namespace ladder::testing
