// backend.cpp: Backend construction and per-op version choice.
#include "core/backend.hpp"

#include <algorithm>

#include "core/error.hpp"

namespace ladder {

namespace {
// Empty in a program that links no ops (core's own tests).
std::function<std::vector<std::string>()>& known_ops() {
    static std::function<std::vector<std::string>()> names;
    return names;
}
}  // namespace

void Backend::set_known_ops(std::function<std::vector<std::string>()> names) { known_ops() = std::move(names); }

Backend::Backend(Device device) : device_(device) { require_device(device); }

Backend Backend::parse(const std::string& name) { return Backend(parse_device(name)); }

int Backend::version(const std::string& op, int fallback) const {
    auto it = versions_.find(op);
    return it == versions_.end() ? fallback : it->second;
}

void Backend::set_version(const std::string& op, int version) {
    const std::vector<std::string> names = known_ops() ? known_ops()() : std::vector<std::string>{};
    if (std::find(names.begin(), names.end(), op) == names.end()) {
        if (names.empty()) LADDER_THROW("set_version: no op named '{}' (this program registers no ops)", op);
        std::string list;
        for (const auto& name : names) list += (list.empty() ? "" : ", ") + name;
        LADDER_THROW("set_version: no op named '{}' (registered: {})", op, list);
    }
    LADDER_CHECK(version >= 1, "set_version: {} version {}: versions are numbered from 1 (v1)", op, version);
    versions_[op] = version;
}

}  // namespace ladder
