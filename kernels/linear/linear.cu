// linear.cu: the linear layer on the GPU: forward v1..v2 (bias add), backward v1..v2 (bias gradient).
// inp (N,C), weight (OC,C), bias (OC) -> out (N,OC); the matmuls are kernels/matmul's default version.
// Introduced in ch05; the same file runs on the emulator.
//
// forward  v1  one thread per element of out: out[n][o] += bias[o]        (baseline)
// forward  v2  a thread per column o striding over the rows, bias[o] read  (one bias load per thread, not per
//              once into a register                                        element; no n*OC+o division)
// backward v1  one thread per column o sums dout[.][o] over all N rows     (baseline: coalesced across the warp,
//                                                                           but only OC threads, each N long)
// backward v2  a block per 32 columns: 16 rows of threads each sum every   (16x the threads per column; the
//              16th row, then a tree reduction over them in shared memory   N-long serial loop is N/16 long)
// Both reductions are in a fixed order (no atomics): the result does not depend on thread timing.
#include <algorithm>

#include "core/kernel.hpp"
#include "kernels/linear/linear.hpp"
#include "kernels/matmul/matmul.hpp"

namespace ladder::LADDER_GPU_NS {

// ---- kernels ----

// [book:linear-bias-v1]
// forward: out[n][o] = (inp weight^T)[n][o] + bias[o]; the matmul wrote the first term.
static __global__ void linear_bias_add_v1_kernel(float* out, const float* bias, std::size_t N, std::size_t OC) {
    const std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i < N * OC) out[i] += bias[i % OC];
}

// forward: out[n][o] = ... + bias[o]  =>  dbias[o] += sum_n dout[n][o]
static __global__ void linear_bias_grad_v1_kernel(float* dbias, const float* dout, std::size_t N, std::size_t OC) {
    const std::size_t o = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (o >= OC) return;
    float acc = 0.0f;
    for (std::size_t n = 0; n < N; ++n) acc += dout[n * OC + o];
    dbias[o] += acc;
}
// [/book]

constexpr unsigned kCols = 32;      // columns per block (a warp's width: coalesced rows)
constexpr unsigned kAddRows = 8;    // forward v2: rows of threads per block
constexpr unsigned kSumRows = 16;   // backward v2: rows of threads per block, a power of two

static __global__ void linear_bias_add_v2_kernel(float* out, const float* bias, std::size_t N, std::size_t OC) {
    const std::size_t o = static_cast<std::size_t>(blockIdx.x) * kCols + threadIdx.x;
    if (o >= OC) return;
    const float b = bias[o];
    const std::size_t stride = static_cast<std::size_t>(gridDim.y) * kAddRows;
    for (std::size_t n = static_cast<std::size_t>(blockIdx.y) * kAddRows + threadIdx.y; n < N; n += stride) {
        float* out_no = out + n * OC + o;
        *out_no += b;
    }
}

// [book:linear-bias-grad-v2]
static __global__ void linear_bias_grad_v2_kernel(float* dbias, const float* dout, std::size_t N, std::size_t OC) {
    __shared__ float partial[kSumRows][kCols];   // partial[r][c]: rows r, r + 16, ... of column o0 + c
    const unsigned tx = threadIdx.x, ty = threadIdx.y;
    const std::size_t o = static_cast<std::size_t>(blockIdx.x) * kCols + tx;
    // Threads past the last column sum nothing but still take part in every barrier.
    float acc = 0.0f;
    if (o < OC)
        for (std::size_t n = ty; n < N; n += kSumRows) acc += dout[n * OC + o];
    partial[ty][tx] = acc;
    __syncthreads();   // every partial sum is in shared memory before the tree reads them
    for (unsigned half = kSumRows / 2; half > 0; half /= 2) {
        if (ty < half) partial[ty][tx] += partial[ty + half][tx];
        __syncthreads();   // this level is done before the next one reads it
    }
    if (ty == 0 && o < OC) dbias[o] += partial[0][tx];
}
// [/book]

// ---- launchers ----

constexpr unsigned kThreads = 256;
// Forward v2's grid rows: enough blocks to fill a big GPU, each thread then loops over rows.
static unsigned add_grid_rows(std::size_t N) { return std::min<unsigned>(ceil_div(N, kAddRows), 256u); }

static void bias_add(int version, float* out, const float* bias, std::size_t N, std::size_t OC) {
    switch (version) {
        case 1:
            launch(linear_bias_add_v1_kernel, dim3(ceil_div(N * OC, kThreads)), dim3(kThreads), 0, 0, out, bias, N, OC);
            return;
        case 2:
            launch(linear_bias_add_v2_kernel, dim3(ceil_div(OC, kCols), add_grid_rows(N)), dim3(kCols, kAddRows), 0, 0,
                   out, bias, N, OC);
            return;
    }
}

static void bias_grad(int version, float* dbias, const float* dout, std::size_t N, std::size_t OC) {
    switch (version) {
        case 1:
            launch(linear_bias_grad_v1_kernel, dim3(ceil_div(OC, kThreads)), dim3(kThreads), 0, 0, dbias, dout, N, OC);
            return;
        case 2:
            launch(linear_bias_grad_v2_kernel, dim3(ceil_div(OC, kCols)), dim3(kCols, kSumRows), 0, 0, dbias, dout, N,
                   OC);
            return;
    }
}

void linear_forward(int version, float* out, const float* inp, const float* weight, const float* bias, std::size_t N,
                    std::size_t C, std::size_t OC) {
    if (version < 1 || version > linear_forward_gpu_versions)
        LADDER_NO_SUCH_VERSION("linear_forward", version, linear_forward_gpu_versions);
    if (N == 0 || OC == 0) return;
    MatmulDims d;   // out (N,OC) = inp (N,C) weight^T, weight stored (OC,C)
    d.M = N;
    d.N = OC;
    d.K = C;
    d.tb = true;
    matmul(matmul_gpu_default, out, inp, weight, d);
    if (bias != nullptr) bias_add(version, out, bias, N, OC);
}

void linear_backward(int version, float* dinp, float* dweight, float* dbias, const float* dout, const float* inp,
                     const float* weight, std::size_t N, std::size_t C, std::size_t OC) {
    if (version < 1 || version > linear_backward_gpu_versions)
        LADDER_NO_SUCH_VERSION("linear_backward", version, linear_backward_gpu_versions);
    if (N == 0 || OC == 0) return;
    MatmulDims dw;   // dweight (OC,C) += dout^T inp, dout stored (N,OC)
    dw.M = OC;
    dw.N = C;
    dw.K = N;
    dw.ta = true;
    dw.beta = 1.0f;
    matmul(matmul_gpu_default, dweight, dout, inp, dw);
    if (dinp != nullptr) {
        MatmulDims dx;   // dinp (N,C) += dout (N,OC) weight (OC,C)
        dx.M = N;
        dx.N = C;
        dx.K = OC;
        dx.beta = 1.0f;
        matmul(matmul_gpu_default, dinp, dout, weight, dx);
    }
    if (dbias != nullptr) bias_grad(version, dbias, dout, N, OC);
}

}  // namespace ladder::LADDER_GPU_NS
