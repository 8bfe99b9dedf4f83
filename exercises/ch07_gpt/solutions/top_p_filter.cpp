// Solution to exercise 7.4: sort the ids by logit, walk down until the kept mass reaches p.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "core/error.hpp"
#include "exercises/ch07_gpt/exercises.hpp"

namespace ladder::ex07 {

void top_p_filter(float* logits, std::size_t V, float p) {
    LADDER_CHECK(p > 0 && p <= 1, "top_p_filter: p = {} must be in (0, 1]", p);
    if (p == 1 || V == 0) return;
    std::vector<std::size_t> order(V);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return logits[a] > logits[b]; });
    const double max = logits[order[0]];
    std::vector<double> q(V);
    double sum = 0;
    for (std::size_t r = 0; r < V; ++r) sum += q[r] = std::exp(logits[order[r]] - max);
    double kept = 0;
    std::size_t r = 0;
    while (r < V && kept < p * sum) kept += q[r++];
    for (; r < V; ++r) logits[order[r]] = -INFINITY;
}

}  // namespace ladder::ex07
