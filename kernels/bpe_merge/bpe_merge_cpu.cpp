// bpe_merge_cpu.cpp: the CPU reference for bpe_merge: one left-to-right pass, as BPE
// training does it (xtensor has no word for "replace a pair"). Introduced in ch04.
#include "kernels/bpe_merge/bpe_merge.hpp"

namespace ladder {

// [book:bpe-merge-cpu]
void bpe_merge_cpu(std::int32_t* out, std::int32_t* out_len, const std::int32_t* tokens, std::size_t n, MergeRule rule) {
    std::size_t m = 0;
    for (std::size_t i = 0; i < n; ++i) {
        if (i + 1 < n && tokens[i] == rule.left && tokens[i + 1] == rule.right) {
            out[m++] = rule.result;   // the pair becomes one token...
            ++i;                      // ...and its right half is consumed
        } else {
            out[m++] = tokens[i];
        }
    }
    *out_len = static_cast<std::int32_t>(m);
    for (std::size_t i = m; i < n; ++i) out[i] = -1;
}
// [/book]

}  // namespace ladder
