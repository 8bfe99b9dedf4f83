// core/peer.cpp: running a benchmark's peer and reading its result (peer.hpp).
#include "core/peer.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include <fmt/format.h>

#include "core/error.hpp"

namespace ladder {

bool python_has(const std::string& module) {
    return std::system(fmt::format("/usr/bin/python3 -c 'import {}' >/dev/null 2>&1", module).c_str()) == 0;
}

nlohmann::json run_peer(const std::string& cmd, const std::string& label, std::string* log) {
    const std::string full = cmd + " 2>&1";
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(full.c_str(), "r"), ::pclose);
    LADDER_CHECK(pipe, "cannot run {}", full);
    std::array<char, 4096> buf{};
    nlohmann::json result;
    if (log) log->clear();
    while (std::fgets(buf.data(), buf.size(), pipe.get())) {
        const std::string line = buf.data();
        if (line.starts_with("{")) {
            result = nlohmann::json::parse(line, nullptr, false);
        } else {
            const std::string said = fmt::format("    {}: {}", label, line);
            if (log) *log += said;
            else fmt::print("{}", said);
        }
    }
    if (result.is_discarded()) result = nullptr;
    return result;
}

double median(std::vector<double> v) {
    if (v.empty()) return std::nan("");
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

}  // namespace ladder
