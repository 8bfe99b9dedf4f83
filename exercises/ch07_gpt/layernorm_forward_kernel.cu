// Exercise 7.1: layer normalisation's forward pass on the GPU, one warp per row. For each row r
// of inp (R,C), with the biased variance (divided by C, as GPT-2 and PyTorch do):
//   mean_r = sum_c x_rc / C,   rstd_r = 1 / sqrt(sum_c (x_rc - mean_r)^2 / C + eps)
//   out_rc = (x_rc - mean_r) rstd_r weight_c + bias_c            mean, rstd (R) are saved for the backward
// All pointers are device pointers; out, mean and rstd are overwritten. Introduced in ch07 (the
// layernorm op, kernels/layernorm, is the reference: its v2 is this kernel).
#include "core/kernel.hpp"
#include "exercises/ch07_gpt/exercises.hpp"
#include "kernels/warp_reduce.hpp"

namespace ladder::LADDER_GPU_NS::ex07 {

constexpr unsigned kThreads = 256;   // threads per block: 8 warps, so 8 rows per block
constexpr unsigned kWarp = 32;

// Requirements:
//   * warp w of the grid owns row r = (blockIdx.x * blockDim.x + threadIdx.x) / 32 (in
//     std::size_t); its lane = threadIdx.x % 32 takes the entries c = lane, lane + 32, ...
//     (consecutive lanes read consecutive floats: coalesced).
//   * two passes for the variance: first the mean, then the sum of (x - mean)^2. The one-pass
//     E[x^2] - E[x]^2 cancels when the mean is large next to the spread; the test's rows have
//     mean 3, which costs that formula most of its digits.
//   * each lane's partial sum is combined with warp_sum (kernels/warp_reduce.hpp: a shuffle
//     butterfly, every lane gets the total). All 32 lanes must call it, so a warp past the last
//     row returns as a whole, before the first shuffle, and no lane may return on its own.
//   * lane 0 writes mean[r] and rstd[r] (one write per row).
// Code plan: r, lane; return if r >= R; m = warp_sum(my x's) / C; v = warp_sum(my (x - m)^2) / C;
// s = 1.0f / sqrtf(v + eps); out = (x - m) * s * weight + bias for my entries; lane 0 saves m, s.
// Hint: C = 1 is allowed (variance 0: out = bias), and C need not be a multiple of 32 (a lane
// with no entries adds 0).
static __global__ void layernorm_forward_ex_kernel(float* out, float* mean, float* rstd, const float* inp,
                                                   const float* weight, const float* bias, std::size_t R,
                                                   std::size_t C, float eps) {
    // TODO(ex7.1): the row and the lane, the mean, the variance, the outputs, mean and rstd.
}

void layernorm_forward_kernel(float* out, float* mean, float* rstd, const float* inp, const float* weight,
                              const float* bias, std::size_t R, std::size_t C, float eps) {
    // TODO(ex7.1): if (R == 0) return; then one warp per row:
    // launch(layernorm_forward_ex_kernel, dim3(ceil_div(R * kWarp, kThreads)), dim3(kThreads), 0, 0,
    //        out, mean, rstd, inp, weight, bias, R, C, eps);
    // and delete the throw below.
    throw NotImplemented("exercise 7.1: layernorm_forward_kernel (exercises/ch07_gpt/layernorm_forward_kernel.cu)");
}

}  // namespace ladder::LADDER_GPU_NS::ex07
