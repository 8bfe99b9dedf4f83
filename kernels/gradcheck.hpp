// gradcheck.hpp: the gradient check of a backward op. Runs the forward's CPU reference in
// double (T = double) and compares the backward reference's gradients with central
// finite differences of f = sum_y <dy, y>, for every element of every checked input.
// Introduced with the op frame (before ch05); `ladder-ops grad` and the tests use it.
#pragma once

#include <cstdint>
#include <string>

#include "kernels/registry.hpp"

namespace ladder {

struct GradResult {
    bool ok = true;
    std::string failure;      // the first element outside the allowed error, as a sentence
    std::size_t checked = 0;  // input elements checked
    double max_rel = 0;       // worst |analytic - numeric| / max(|analytic|, |numeric|)
    std::string worst;        // where: "dlogits[17]: analytic 0.25, numeric 0.2500001"
    double worst_ratio = 0;   // the worst error over the allowed error (<= 1 passes)
};

// `backward.differentiates` names `forward` (or backward itself, for a fused op).
GradResult check_gradient(const OpSpec& forward, const OpSpec& backward, const Case& c, std::uint64_t seed);
// The same, with the forward looked up in registry() (inline: registry() lives in ladder_kernels).
inline GradResult check_gradient(const OpSpec& backward, const Case& c, std::uint64_t seed) {
    const std::string& fwd = backward.differentiates ? backward.differentiates->forward : backward.name;
    return check_gradient(fwd == backward.name ? backward : registry().get(fwd), backward, c, seed);
}

}  // namespace ladder
