// core/peer.hpp: what the benchmarks need to time a peer beside our code: whether the system's
// Python has a module (the peers run through /usr/bin/python3: Debian's torch and gensim), a
// peer command's JSON result line, and the median of repeated timings. Introduced in ch05's
// benchmark; chapters 6-8 and their peers share it.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ladder {

// True when `/usr/bin/python3 -c 'import <module>'` succeeds.
bool python_has(const std::string& module);

// Runs `cmd` through the shell with its stderr joined to its stdout and returns the last line
// that starts with '{' parsed as JSON (null when there is none, or it does not parse). Every
// other line is the peer talking (progress, the reason it gave up): it goes to `log` when given,
// else to our stdout, each prefixed with "    <label>: ".
nlohmann::json run_peer(const std::string& cmd, const std::string& label, std::string* log = nullptr);

// The median of the values (the mean of the middle two for an even count); NaN for none.
double median(std::vector<double> v);

}  // namespace ladder
