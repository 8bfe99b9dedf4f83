// sgns.cu: skip-gram negative-sampling forward + backward for a batch of pairs, versions v1..v2.
// w_in (V,D), w_out (V,D), in_ids (B), out_ids (B,K1) -> loss (B), d_in (B,D), d_out (B,K1,D).
// Introduced in ch03 (word2vec); the same file runs on the SIMT emulator.
//
// v1  one thread per pair: K1 dot products of length D, then the gradients      (baseline)
// v2  one warp per pair: lanes split D, dot products reduced with __shfl_xor_sync (32x the threads, coalesced rows)
//
// Neither version uses atomics: every output element is written by exactly one thread, so
// a batch's result does not depend on thread order. Applying the gradients to the tables
// is embedding_scatter_add's job.
#include "core/kernel.hpp"
#include "kernels/sgns/sgns.hpp"

namespace ladder::LADDER_GPU_NS {

// ---- kernels ----

// sigmoid and softplus in a form that never overflows.
__device__ __forceinline__ float sigmoid(float x) {
    return x >= 0 ? 1.0f / (1.0f + expf(-x)) : expf(x) / (1.0f + expf(x));
}
__device__ __forceinline__ float softplus(float x) {   // log(1 + e^x) = -log sigmoid(-x)
    return fmaxf(x, 0.0f) + log1pf(expf(-fabsf(x)));
}

// [book:sgns-v1]
// v1: thread b does pair b alone. It keeps the K1 gradients g_k in registers, writes
// d_out[b][k] = g_k u, then sums d_in[b] = sum_k g_k v_k one element at a time.
static __global__ void sgns_v1_kernel(float* loss, float* d_in, float* d_out, const float* w_in, const float* w_out,
                                      const std::int32_t* in_ids, const std::int32_t* out_ids, SgnsDims d) {
    const std::size_t b = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (b >= d.B) return;
    const float* u = w_in + static_cast<std::size_t>(in_ids[b]) * d.D;
    const std::int32_t* ids_b = out_ids + b * d.K1;
    float g[sgns_max_k1];
    float loss_b = 0.0f;
    for (std::size_t k = 0; k < d.K1; ++k) {
        const float* v_k = w_out + static_cast<std::size_t>(ids_b[k]) * d.D;
        float s = 0.0f;
        for (std::size_t j = 0; j < d.D; ++j) s += u[j] * v_k[j];
        g[k] = sigmoid(s) - (k == 0 ? 1.0f : 0.0f);
        loss_b += softplus(k == 0 ? -s : s);
    }
    loss[b] = loss_b;
    float* d_out_b = d_out + b * d.K1 * d.D;
    for (std::size_t k = 0; k < d.K1; ++k)
        for (std::size_t j = 0; j < d.D; ++j) d_out_b[k * d.D + j] = g[k] * u[j];
    for (std::size_t j = 0; j < d.D; ++j) {
        float acc = 0.0f;
        for (std::size_t k = 0; k < d.K1; ++k) acc += g[k] * w_out[static_cast<std::size_t>(ids_b[k]) * d.D + j];
        d_in[b * d.D + j] = acc;
    }
}
// [/book]

// [book:sgns-v2]
// v2: a warp per pair. Lane l handles elements l, l + 32, ... of every row, so the 32
// lanes read 32 consecutive floats at a time (coalesced). Each dot product ends with a
// butterfly reduction: after the five __shfl_xor_sync steps every lane holds the full sum.
static __global__ void sgns_v2_kernel(float* loss, float* d_in, float* d_out, const float* w_in, const float* w_out,
                                      const std::int32_t* in_ids, const std::int32_t* out_ids, SgnsDims d) {
    const unsigned lane = threadIdx.x % 32;
    const std::size_t b = (static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x) / 32;
    if (b >= d.B) return;   // the whole warp leaves together: b is the same for its 32 lanes
    const float* u = w_in + static_cast<std::size_t>(in_ids[b]) * d.D;
    const std::int32_t* ids_b = out_ids + b * d.K1;
    float g[sgns_max_k1];
    float loss_b = 0.0f;
    for (std::size_t k = 0; k < d.K1; ++k) {
        const float* v_k = w_out + static_cast<std::size_t>(ids_b[k]) * d.D;
        float s = 0.0f;
        for (std::size_t j = lane; j < d.D; j += 32) s += u[j] * v_k[j];
        for (int offset = 16; offset > 0; offset /= 2) s += __shfl_xor_sync(0xffffffffu, s, offset);
        g[k] = sigmoid(s) - (k == 0 ? 1.0f : 0.0f);
        loss_b += softplus(k == 0 ? -s : s);
    }
    if (lane == 0) loss[b] = loss_b;
    float* d_out_b = d_out + b * d.K1 * d.D;
    for (std::size_t j = lane; j < d.D; j += 32) {
        const float u_j = u[j];
        float acc = 0.0f;
        for (std::size_t k = 0; k < d.K1; ++k) {
            d_out_b[k * d.D + j] = g[k] * u_j;
            acc += g[k] * w_out[static_cast<std::size_t>(ids_b[k]) * d.D + j];
        }
        d_in[b * d.D + j] = acc;
    }
}
// [/book]

// ---- launchers ----

void sgns(int version, float* loss, float* d_in, float* d_out, const float* w_in, const float* w_out,
          const std::int32_t* in_ids, const std::int32_t* out_ids, const SgnsDims& d) {
    if (d.B == 0) return;
    if (d.K1 == 0 || d.K1 > sgns_max_k1)
        ::ladder::throw_error(__FILE__, __LINE__, "sgns: K1 = " + std::to_string(d.K1) + " must be in 1.." +
                                                      std::to_string(sgns_max_k1));
    constexpr unsigned threads = 128;
    switch (version) {
        case 1:
            launch(sgns_v1_kernel, dim3(ceil_div(d.B, threads)), dim3(threads), 0, 0, loss, d_in, d_out, w_in, w_out,
                   in_ids, out_ids, d);
            return;
        case 2:   // 4 warps (pairs) per block of 128 threads
            launch(sgns_v2_kernel, dim3(ceil_div(d.B, threads / 32)), dim3(threads), 0, 0, loss, d_in, d_out, w_in,
                   w_out, in_ids, out_ids, d);
            return;
        default:
            LADDER_NO_SUCH_VERSION("sgns", version, sgns_gpu_versions);
    }
}

}  // namespace ladder::LADDER_GPU_NS
