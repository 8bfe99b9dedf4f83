// ops_test.cpp: the one test loop over the registry. Every registered op gets a test per
// device it runs on, so `ctest -R matmul` selects matmul's, and a run without a GPU reports
// the cuda ones as skipped, never passed:
//   op <name> on simt        every GPU version x case x seed, under the race check and the
//                            reverse and random thread orders (harness.hpp: simt_modes)
//   op <name> on cuda        the same on a real GPU (skipped without one)
//   op <name> on cpu         the CPU peers (backend path, library calls, loops), if any
//   op <name>: gradient      a backward op against finite differences of its forward
// A per-op test file keeps only what is specific to its op. Introduced with the op frame.
#include <catch2/catch.hpp>

#include <deque>
#include <functional>
#include <string>

#include <fmt/format.h>

#include "tests/testing.hpp"

using namespace ladder;

namespace {

class OpTest : public Catch::ITestInvoker {
public:
    explicit OpTest(std::function<void()> body) : body_(std::move(body)) {}
    void invoke() const override { body_(); }

private:
    std::function<void()> body_;
};

// Catch keeps StringRefs to a test's name and tags: they live here for the whole run.
std::deque<std::string>& names() {
    static std::deque<std::string> n;
    return n;
}

void add_test(const std::string& name, const std::string& tags, std::function<void()> body) {
    const std::string& n = names().emplace_back(name);
    const std::string& t = names().emplace_back(tags);
    Catch::AutoReg(new OpTest(std::move(body)), CATCH_INTERNAL_LINEINFO, Catch::StringRef(), Catch::NameAndTags{n, t});
}

// Registered during static initialisation, before Catch lists or runs anything.
const bool registered = [] {
    for (const OpSpec& op : registry().ops()) {
        const std::string& name = op.name;
        if (!op.versions.empty()) {
            for (Device d : {Device::simt, Device::cuda}) {
                add_test(fmt::format("op {} on {}", name, device_name(d)),
                         fmt::format("[ops][{}][{}]", name, device_name(d)),
                         [&op, d] { testing::require_gpu_versions_match(op, d); });
            }
        }
        if (!op.cpu_peers.empty())
            add_test(fmt::format("op {} on cpu", name), fmt::format("[ops][{}][cpu]", name),
                     [&op] { testing::require_cpu_peers_match(op); });
        if (op.differentiates)
            add_test(fmt::format("op {}: gradient", name), fmt::format("[ops][{}][grad]", name),
                     [&op] { testing::require_gradients_match(op); });
    }
    return true;
}();

}  // namespace
