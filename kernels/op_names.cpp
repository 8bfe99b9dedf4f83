// op_names.cpp: tells core's Backend which ops this build registers, so that
// be.set_version("matmull", 2) is an error that lists them rather than a silent no-op.
// (core/ cannot ask the registry itself: it depends on nothing in kernels/.) Introduced in ch01.
#include <string>
#include <vector>

#include "core/backend.hpp"
#include "kernels/registry.hpp"

namespace {
// Asked on each set_version call; the registry is built on the first.
std::vector<std::string> registered_op_names() {
    std::vector<std::string> names;
    for (const auto& op : ladder::registry().ops()) names.push_back(op.name);
    return names;
}
}  // namespace

// Runs before main. Nothing refers to this symbol, so a linker would drop the file from a
// static library: kernels/CMakeLists.txt asks for it by name (-u).
extern "C" const bool ladder_known_ops_installed = (ladder::Backend::set_known_ops(registered_op_names), true);
