// heads.cu: the head permutes on the GPU, v1 and v2 (layouts in heads.hpp). Introduced in
// ch06; the same file runs on the emulator. Nothing is computed: every element is read once
// and written once, so the only costs are the memory traffic and the index arithmetic.
// Both permutes are one pair of kernels, written for G tensors of heads side by side in a row:
//   rows (B,T,G*C) = (B,T,G,NH,hs)  <->  G tensors of heads (B,NH,T,hs), C = NH*hs
//   split_qkv: rows -> heads, G = 3; its backward heads -> rows, G = 3
//   split_qkv_bias: the same rows -> heads kernels, adding bias (G*C) to each row on the way
//   merge_heads: heads -> rows, G = 1; its backward rows -> heads, G = 1
//
// v1  one thread per element of the output, its index taken apart with     (baseline: coalesced writes;
//     64-bit divisions and remainders by T, NH, hs (and G): about five      the reads are contiguous within
//     per thread, each a long instruction sequence on a GPU                 each hs-long run)
// v2  a block per row (b, t) and per g (grid B*T x G), its threads striding (the row's offset is the block's:
//     over the row's C values: one 32-bit division and remainder by hs      one division by hs per element,
//     per element; the block reads (or writes) one contiguous C-float row,  in 32 bits; a warp stays within
//     and each warp stays within one hs-long run on the heads side when     one run of both layouts)
//     hs is a multiple of 32
#include <algorithm>

#include "core/kernel.hpp"
#include "kernels/heads/heads.hpp"

namespace ladder::LADDER_GPU_NS {

// ---- kernels ----

// [book:heads-v1]
// rows -> heads (split_qkv, merge_heads_backward): thread i writes element i of the G
// concatenated head tensors h0, h1, h2 (those past G are null), plus the row's bias when there
// is one (split_qkv_bias; null otherwise).
static __global__ void rows_to_heads_v1_kernel(float* h0, float* h1, float* h2, const float* rows, const float* bias,
                                               std::size_t B, std::size_t T, std::size_t NH, std::size_t hs,
                                               std::size_t G) {
    const std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    const std::size_t per_tensor = B * NH * T * hs;
    if (i >= G * per_tensor) return;
    const std::size_t g = i / per_tensor, e = i % per_tensor;   // e = ((b*NH + h)*T + t)*hs + j
    const std::size_t j = e % hs, t = e / hs % T, h = e / (hs * T) % NH, b = e / (hs * T * NH);
    float* dst = g == 0 ? h0 : (g == 1 ? h1 : h2);
    const std::size_t c = g * NH * hs + h * hs + j;   // the column within the row
    const float x = rows[(b * T + t) * G * NH * hs + c];
    dst[e] = bias ? x + bias[c] : x;
}

// heads -> rows (merge_heads, split_qkv_backward): thread i writes element i of the rows,
// i = ((b*T + t)*G + g)*C + h*hs + j.
static __global__ void heads_to_rows_v1_kernel(float* rows, const float* h0, const float* h1, const float* h2,
                                               std::size_t B, std::size_t T, std::size_t NH, std::size_t hs,
                                               std::size_t G) {
    const std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    const std::size_t C = NH * hs;
    if (i >= B * T * G * C) return;
    const std::size_t j = i % hs, h = i / hs % NH, g = i / C % G, t = i / (C * G) % T, b = i / (C * G * T);
    const float* src = g == 0 ? h0 : (g == 1 ? h1 : h2);
    rows[i] = src[((b * NH + h) * T + t) * hs + j];
}
// [/book]

// [book:heads-v2]
// Block (bt, g) owns the C values of row bt's part g: rows[bt][g*C + c], c = h*hs + j, and
// their places in head tensor g, [b][h][t][j]. The 64-bit offsets are the block's, computed
// once; a thread only splits c by hs.
static __global__ void rows_to_heads_v2_kernel(float* h0, float* h1, float* h2, const float* rows, const float* bias,
                                               std::size_t T, std::size_t NH, std::size_t hs) {
    const std::size_t bt = blockIdx.x, g = blockIdx.y, G = gridDim.y;
    const std::size_t b = bt / T, t = bt % T;
    const unsigned C = static_cast<unsigned>(NH * hs), hs32 = static_cast<unsigned>(hs);
    const float* src = rows + (bt * G + g) * C;                          // the row's part g
    float* dst = (g == 0 ? h0 : (g == 1 ? h1 : h2)) + (b * NH * T + t) * hs;   // head 0's run at (b, t)
    const std::size_t head_stride = T * hs;                               // from head h to h + 1
    const float* add = bias ? bias + g * C : nullptr;                     // part g of the bias, or none
    for (unsigned c = threadIdx.x; c < C; c += blockDim.x)
        dst[(c / hs32) * head_stride + c % hs32] = add ? src[c] + add[c] : src[c];
}

static __global__ void heads_to_rows_v2_kernel(float* rows, const float* h0, const float* h1, const float* h2,
                                               std::size_t T, std::size_t NH, std::size_t hs) {
    const std::size_t bt = blockIdx.x, g = blockIdx.y, G = gridDim.y;
    const std::size_t b = bt / T, t = bt % T;
    const unsigned C = static_cast<unsigned>(NH * hs), hs32 = static_cast<unsigned>(hs);
    float* dst = rows + (bt * G + g) * C;
    const float* src = (g == 0 ? h0 : (g == 1 ? h1 : h2)) + (b * NH * T + t) * hs;
    const std::size_t head_stride = T * hs;
    for (unsigned c = threadIdx.x; c < C; c += blockDim.x) dst[c] = src[(c / hs32) * head_stride + c % hs32];
}
// [/book]

// ---- launchers ----

constexpr unsigned kThreads = 256;

// v2's block: the row's C values in warps, at most kThreads (a small C gets one warp, not
// 256 threads of which most would idle).
static unsigned row_threads(std::size_t C) { return static_cast<unsigned>(std::min<std::size_t>(kThreads, (C + 31) / 32 * 32)); }

static void rows_to_heads(const char* op, int version, float* h0, float* h1, float* h2, const float* rows,
                          const float* bias, std::size_t B, std::size_t T, std::size_t NH, std::size_t hs, std::size_t G) {
    const std::size_t n = G * B * T * NH * hs;
    if (version < 1 || version > heads_gpu_versions) LADDER_NO_SUCH_VERSION(op, version, heads_gpu_versions);
    if (n == 0) return;
    if (version == 1) {
        launch(rows_to_heads_v1_kernel, dim3(ceil_div(n, kThreads)), dim3(kThreads), 0, 0, h0, h1, h2, rows, bias, B, T, NH,
               hs, G);
    } else {
        launch(rows_to_heads_v2_kernel, dim3(static_cast<unsigned>(B * T), static_cast<unsigned>(G)),
               dim3(row_threads(NH * hs)), 0, 0, h0, h1, h2, rows, bias, T, NH, hs);
    }
}

static void heads_to_rows(const char* op, int version, float* rows, const float* h0, const float* h1, const float* h2,
                          std::size_t B, std::size_t T, std::size_t NH, std::size_t hs, std::size_t G) {
    const std::size_t n = G * B * T * NH * hs;
    if (version < 1 || version > heads_gpu_versions) LADDER_NO_SUCH_VERSION(op, version, heads_gpu_versions);
    if (n == 0) return;
    if (version == 1) {
        launch(heads_to_rows_v1_kernel, dim3(ceil_div(n, kThreads)), dim3(kThreads), 0, 0, rows, h0, h1, h2, B, T, NH, hs,
               G);
    } else {
        launch(heads_to_rows_v2_kernel, dim3(static_cast<unsigned>(B * T), static_cast<unsigned>(G)),
               dim3(row_threads(NH * hs)), 0, 0, rows, h0, h1, h2, T, NH, hs);
    }
}

void split_qkv(int version, float* q, float* k, float* v, const float* qkv, std::size_t B, std::size_t T,
               std::size_t NH, std::size_t hs) {
    rows_to_heads("split_qkv", version, q, k, v, qkv, nullptr, B, T, NH, hs, 3);
}

void split_qkv_bias(int version, float* q, float* k, float* v, const float* qkv, const float* bias, std::size_t B,
                    std::size_t T, std::size_t NH, std::size_t hs) {
    rows_to_heads("split_qkv_bias", version, q, k, v, qkv, bias, B, T, NH, hs, 3);
}

void split_qkv_backward(int version, float* dqkv, const float* dq, const float* dk, const float* dv, std::size_t B,
                        std::size_t T, std::size_t NH, std::size_t hs) {
    heads_to_rows("split_qkv_backward", version, dqkv, dq, dk, dv, B, T, NH, hs, 3);
}

void merge_heads(int version, float* out, const float* inp, std::size_t B, std::size_t T, std::size_t NH,
                 std::size_t hs) {
    heads_to_rows("merge_heads", version, out, inp, nullptr, nullptr, B, T, NH, hs, 1);
}

void merge_heads_backward(int version, float* dinp, const float* dout, std::size_t B, std::size_t T, std::size_t NH,
                          std::size_t hs) {
    rows_to_heads("merge_heads_backward", version, dinp, nullptr, nullptr, dout, nullptr, B, T, NH, hs, 1);
}

}  // namespace ladder::LADDER_GPU_NS
