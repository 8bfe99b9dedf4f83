// bpe_merge.cu: apply one BPE merge to a token array in parallel, versions v1..v2.
// tokens (n) -> out (n) (merged tokens, then -1), out_len (1). Introduced in ch04.
//
// Stream compaction in three kernels: mark (does a merge start at i? does i survive?),
// exclusive scan of the survivor flags (the position each survivor moves to), scatter.
// v1  the scan is scan v2: block scans combined in levels (two more passes)  (baseline)
// v2  the scan is scan v3: one pass with decoupled look-back       (less memory traffic)
#include <cstdint>

#include "core/kernel.hpp"
#include "kernels/bpe_merge/bpe_merge.hpp"
#include "kernels/scan/scan.hpp"

namespace ladder::LADDER_GPU_NS {

namespace {
constexpr unsigned kThreads = 256;
}

// ---- kernels ----

// [book:bpe-merge-mark]
// Does a merge start at i? For left != right, exactly when (tokens[i], tokens[i+1]) is
// the pair: two occurrences can never overlap. For left == right ("a a a"), a run of a's
// is merged left to right, so a merge starts at i only an even number of places into
// the run: walk back to the run's start (runs are short in real text).
static __device__ bool merge_starts(const std::int32_t* tokens, std::size_t n, std::size_t i, MergeRule rule) {
    if (i + 1 >= n || tokens[i] != rule.left || tokens[i + 1] != rule.right) return false;
    if (rule.left != rule.right) return true;
    std::size_t run_start = i;
    while (run_start > 0 && tokens[run_start - 1] == rule.left) --run_start;
    return (i - run_start) % 2 == 0;
}

static __global__ void mark_kernel(std::int32_t* keep, const std::int32_t* tokens, std::size_t n, MergeRule rule) {
    const std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i >= n) return;
    // i disappears when it is the right half of a merge that starts at i - 1.
    keep[i] = (i > 0 && merge_starts(tokens, n, i - 1, rule)) ? 0 : 1;
}
// [/book]

// [book:bpe-merge-scatter]
static __global__ void scatter_kernel(std::int32_t* out, std::int32_t* out_len, const std::int32_t* tokens,
                                      const std::int32_t* keep, const std::int32_t* where, std::size_t n, MergeRule rule) {
    const std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i >= n) return;
    if (keep[i]) out[where[i]] = merge_starts(tokens, n, i, rule) ? rule.result : tokens[i];
    if (i == n - 1) *out_len = where[i] + keep[i];
}
// [/book]

static __global__ void pad_kernel(std::int32_t* out, const std::int32_t* out_len, std::size_t n) {
    const std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i < n && i >= static_cast<std::size_t>(*out_len)) out[i] = -1;
}

// ---- launchers ----

void bpe_merge(int version, std::int32_t* out, std::int32_t* out_len, const std::int32_t* tokens, std::size_t n, MergeRule rule) {
    if (version < 1 || version > bpe_merge_gpu_versions) LADDER_NO_SUCH_VERSION("bpe_merge", version, bpe_merge_gpu_versions);
    if (n == 0) {
        LADDER_CUDA_CHECK(cudaMemset(out_len, 0, sizeof(std::int32_t)));
        return;
    }
    std::int32_t *keep = nullptr, *where = nullptr;
    LADDER_CUDA_CHECK(cudaMalloc(&keep, n * sizeof(std::int32_t)));
    LADDER_CUDA_CHECK(cudaMalloc(&where, n * sizeof(std::int32_t)));
    const dim3 grid(ceil_div(n, kThreads)), block(kThreads);
    launch(mark_kernel, grid, block, 0, 0, keep, tokens, n, rule);
    scan_exclusive(version == 1 ? 2 : 3, where, keep, n);
    launch(scatter_kernel, grid, block, 0, 0, out, out_len, tokens, static_cast<const std::int32_t*>(keep),
           static_cast<const std::int32_t*>(where), n, rule);
    launch(pad_kernel, grid, block, 0, 0, out, static_cast<const std::int32_t*>(out_len), n);
    LADDER_CUDA_CHECK(cudaFree(keep));
    LADDER_CUDA_CHECK(cudaFree(where));
}

}  // namespace ladder::LADDER_GPU_NS
