// layernorm.cu: layer normalisation on the GPU, forward v1..v2 and backward v1..v2 (layouts in
// layernorm.hpp). Introduced in ch07; the same file runs on the emulator.
//
// forward  v1  one thread per row, three passes over it: mean,          (baseline: a warp's 32 loads
//              variance of the deviations, write                         hit 32 rows, C apart)
// forward  v2  one warp per row (8 rows per block): each lane takes      (C-way parallel per row, each
//              every 32nd value, the sums reduced by shuffle butterflies  pass coalesced; no barrier)
// backward v1  one thread per row for dinp (two passes: the row's two    (baseline)
//              means, then the write); then one thread per column c for
//              dweight_c and dbias_c, summing the R rows in order
// backward v2  the same with one warp per row for dinp                  (coalesced, C-way parallel)
// residual_layernorm (the residual add, then the next layernorm):
//          v1  an add kernel, then forward v2 on the sum                  (baseline: two launches; the sum
//                                                                           written, then read back 3x)
//          v2  one warp per row: each lane adds its values, writes them   (one launch; the first pass reads
//              to sum and starts the mean; then forward v2's two passes    a and b once and the sum comes
//              read back its own writes                                    back from L1/L2, not DRAM)
// Sums run in a fixed order and the column kernel owns its column, so no atomics are needed and
// the results do not depend on thread timing.
#include "core/kernel.hpp"
#include "kernels/layernorm/layernorm.hpp"
#include "kernels/warp_reduce.hpp"

namespace ladder::LADDER_GPU_NS {

namespace {
constexpr unsigned kThreads = 256;
constexpr unsigned kWarp = 32;
}  // namespace

// ---- forward ----

// [book:layernorm-forward-v1]
static __global__ void layernorm_forward_v1_kernel(float* out, float* mean, float* rstd, const float* inp,
                                                   const float* weight, const float* bias, std::size_t R,
                                                   std::size_t C, float eps) {
    const std::size_t r = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (r >= R) return;
    const float* x = inp + r * C;
    float* y = out + r * C;
    float m = 0.0f;
    for (std::size_t c = 0; c < C; ++c) m += x[c];
    m /= static_cast<float>(C);
    float v = 0.0f;
    for (std::size_t c = 0; c < C; ++c) v += (x[c] - m) * (x[c] - m);
    v /= static_cast<float>(C);
    const float s = 1.0f / sqrtf(v + eps);
    for (std::size_t c = 0; c < C; ++c) y[c] = (x[c] - m) * s * weight[c] + bias[c];
    mean[r] = m;
    rstd[r] = s;
}
// [/book]

// [book:layernorm-forward-v2]
// The rest of a row once each lane has its partial sum of x: the mean, the variance of the
// deviations (a second pass), the normalised row, and lane 0 keeps mean and rstd.
static __device__ void warp_normalise_row(float* y, float* mean, float* rstd, const float* x, float m_part,
                                          const float* weight, const float* bias, std::size_t C, float eps,
                                          unsigned lane) {
    const float m = warp_sum(m_part) / static_cast<float>(C);
    float v = 0.0f;
    for (std::size_t c = lane; c < C; c += kWarp) v += (x[c] - m) * (x[c] - m);
    v = warp_sum(v) / static_cast<float>(C);
    const float s = 1.0f / sqrtf(v + eps);
    for (std::size_t c = lane; c < C; c += kWarp) y[c] = (x[c] - m) * s * weight[c] + bias[c];
    if (lane == 0) {
        *mean = m;
        *rstd = s;
    }
}

static __global__ void layernorm_forward_v2_kernel(float* out, float* mean, float* rstd, const float* inp,
                                                   const float* weight, const float* bias, std::size_t R,
                                                   std::size_t C, float eps) {
    const std::size_t r = (static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x) / kWarp;
    const unsigned lane = threadIdx.x % kWarp;
    if (r >= R) return;   // whole warps leave together: the shuffles see all 32 lanes
    const float* x = inp + r * C;
    float m = 0.0f;
    for (std::size_t c = lane; c < C; c += kWarp) m += x[c];
    warp_normalise_row(out + r * C, mean + r, rstd + r, x, m, weight, bias, C, eps, lane);
}
// [/book]

// ---- the residual add fused with the next layernorm ----

static __global__ void residual_add_kernel(float* sum, const float* a, const float* b, std::size_t n) {
    const std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i < n) sum[i] = a[i] + b[i];
}

// [book:residual-layernorm-v2]
// forward v2 with its first pass reading a + b instead of x, and keeping the sum: each lane
// later reads back only the values it wrote itself, so no barrier is needed (and sum may be a or
// b: a lane reads its element before it overwrites it).
static __global__ void residual_layernorm_v2_kernel(float* sum, float* out, float* mean, float* rstd, const float* a,
                                                    const float* b, const float* weight, const float* bias,
                                                    std::size_t R, std::size_t C, float eps) {
    const std::size_t r = (static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x) / kWarp;
    const unsigned lane = threadIdx.x % kWarp;
    if (r >= R) return;
    const float *xa = a + r * C, *xb = b + r * C;
    float* x = sum + r * C;
    float m = 0.0f;
    for (std::size_t c = lane; c < C; c += kWarp) {
        const float s = xa[c] + xb[c];
        x[c] = s;
        m += s;
    }
    warp_normalise_row(out + r * C, mean + r, rstd + r, x, m, weight, bias, C, eps, lane);
}
// [/book]

// ---- backward ----

// [book:layernorm-backward]
// dinp of row r, a thread per row: the row's two means, then the write (accumulating).
static __global__ void layernorm_dinp_v1_kernel(float* dinp, const float* dout, const float* inp, const float* weight,
                                                const float* mean, const float* rstd, std::size_t R, std::size_t C) {
    const std::size_t r = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (r >= R) return;
    const float *x = inp + r * C, *dy = dout + r * C;
    float* dx = dinp + r * C;
    const float m = mean[r], s = rstd[r];
    float mean_dn = 0.0f, mean_dn_n = 0.0f;
    for (std::size_t c = 0; c < C; ++c) {
        const float dn = dy[c] * weight[c];
        mean_dn += dn;
        mean_dn_n += dn * ((x[c] - m) * s);
    }
    mean_dn /= static_cast<float>(C);
    mean_dn_n /= static_cast<float>(C);
    for (std::size_t c = 0; c < C; ++c) dx[c] += s * (dy[c] * weight[c] - mean_dn - (x[c] - m) * s * mean_dn_n);
}

// The same, a warp per row.
static __global__ void layernorm_dinp_v2_kernel(float* dinp, const float* dout, const float* inp, const float* weight,
                                                const float* mean, const float* rstd, std::size_t R, std::size_t C) {
    const std::size_t r = (static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x) / kWarp;
    const unsigned lane = threadIdx.x % kWarp;
    if (r >= R) return;
    const float *x = inp + r * C, *dy = dout + r * C;
    float* dx = dinp + r * C;
    const float m = mean[r], s = rstd[r];
    float mean_dn = 0.0f, mean_dn_n = 0.0f;
    for (std::size_t c = lane; c < C; c += kWarp) {
        const float dn = dy[c] * weight[c];
        mean_dn += dn;
        mean_dn_n += dn * ((x[c] - m) * s);
    }
    mean_dn = warp_sum(mean_dn) / static_cast<float>(C);
    mean_dn_n = warp_sum(mean_dn_n) / static_cast<float>(C);
    for (std::size_t c = lane; c < C; c += kWarp)
        dx[c] += s * (dy[c] * weight[c] - mean_dn - (x[c] - m) * s * mean_dn_n);
}

// dweight_c and dbias_c, a thread per column: consecutive threads read consecutive columns of
// each row (coalesced), and each sums its column's R rows in order.
static __global__ void layernorm_dparams_kernel(float* dweight, float* dbias, const float* dout, const float* inp,
                                                const float* mean, const float* rstd, std::size_t R, std::size_t C) {
    const std::size_t c = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (c >= C) return;
    float dw = 0.0f, db = 0.0f;
    for (std::size_t r = 0; r < R; ++r) {
        const float dy = dout[r * C + c];
        dw += dy * ((inp[r * C + c] - mean[r]) * rstd[r]);
        db += dy;
    }
    dweight[c] += dw;
    dbias[c] += db;
}
// [/book]

// ---- launchers ----

void layernorm_forward(int version, float* out, float* mean, float* rstd, const float* inp, const float* weight,
                       const float* bias, std::size_t R, std::size_t C, float eps) {
    if (version < 1 || version > layernorm_forward_gpu_versions)
        LADDER_NO_SUCH_VERSION("layernorm_forward", version, layernorm_forward_gpu_versions);
    if (R == 0) return;
    if (version == 1)
        launch(layernorm_forward_v1_kernel, dim3(ceil_div(R, kThreads)), dim3(kThreads), 0, 0, out, mean, rstd, inp,
               weight, bias, R, C, eps);
    else
        launch(layernorm_forward_v2_kernel, dim3(ceil_div(R * kWarp, kThreads)), dim3(kThreads), 0, 0, out, mean, rstd,
               inp, weight, bias, R, C, eps);
}

void residual_layernorm_forward(int version, float* sum, float* out, float* mean, float* rstd, const float* a,
                                const float* b, const float* weight, const float* bias, std::size_t R, std::size_t C,
                                float eps) {
    if (version < 1 || version > residual_layernorm_gpu_versions)
        LADDER_NO_SUCH_VERSION("residual_layernorm_forward", version, residual_layernorm_gpu_versions);
    if (R == 0) return;
    const dim3 warps(ceil_div(R * kWarp, kThreads));
    if (version == 1) {
        launch(residual_add_kernel, dim3(ceil_div(R * C, kThreads)), dim3(kThreads), 0, 0, sum, a, b, R * C);
        launch(layernorm_forward_v2_kernel, warps, dim3(kThreads), 0, 0, out, mean, rstd, sum, weight, bias, R, C, eps);
    } else {
        launch(residual_layernorm_v2_kernel, warps, dim3(kThreads), 0, 0, sum, out, mean, rstd, a, b, weight, bias, R, C,
               eps);
    }
}

void layernorm_backward(int version, float* dinp, float* dweight, float* dbias, const float* dout, const float* inp,
                        const float* weight, const float* mean, const float* rstd, std::size_t R, std::size_t C) {
    if (version < 1 || version > layernorm_backward_gpu_versions)
        LADDER_NO_SUCH_VERSION("layernorm_backward", version, layernorm_backward_gpu_versions);
    if (R == 0 || C == 0) return;
    if (version == 1)
        launch(layernorm_dinp_v1_kernel, dim3(ceil_div(R, kThreads)), dim3(kThreads), 0, 0, dinp, dout, inp, weight,
               mean, rstd, R, C);
    else
        launch(layernorm_dinp_v2_kernel, dim3(ceil_div(R * kWarp, kThreads)), dim3(kThreads), 0, 0, dinp, dout, inp,
               weight, mean, rstd, R, C);
    launch(layernorm_dparams_kernel, dim3(ceil_div(C, kThreads)), dim3(kThreads), 0, 0, dweight, dbias, dout, inp, mean,
           rstd, R, C);
}

}  // namespace ladder::LADDER_GPU_NS
