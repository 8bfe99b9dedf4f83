// backend.cpp: Backend construction and per-op version choice.
#include "core/backend.hpp"

namespace ladder {

Backend::Backend(Device device) : device_(device) { require_device(device); }

Backend Backend::parse(const std::string& name) { return Backend(parse_device(name)); }

int Backend::version(const std::string& op, int fallback) const {
    auto it = versions_.find(op);
    return it == versions_.end() ? fallback : it->second;
}

}  // namespace ladder
