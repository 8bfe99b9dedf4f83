// exercises.hpp: chapter 7's exercises (GPT-2). You write them in the files listed in
// exercises.txt; `./ladder exercise ch07` checks each against the reference.
// Arrays are row-major: inp (R,C) row r starts at inp + r * C; caches (BH,Tmax,hs) row t of head bh at
// cache + (bh * Tmax + t) * hs.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ladder::ex07 {
// Exercise 7.4 (top_p_filter.cpp): nucleus filtering at temperature 1, in place. logits (V);
// p in (0, 1] (anything else is an error). Keeps the fewest most likely tokens whose
// probabilities softmax(logits) sum to at least p (ties: the lower id first) and sets every
// other logit to -inf; the kept logits are left as they were.
void top_p_filter(float* logits, std::size_t V, float p);
// Exercise 7.6 (tied_embedding_grad.cpp): wte (V,C) is both the token embedding (x0 = wte[ids] + ...)
// and the output layer (logits = h wte^T). With dlogits (N,V), h (N,C), dx0 (N,C), ids (N):
//   dwte[v][c] += sum_n dlogits[n][v] h[n][c]  +  sum over the n with ids[n] = v of dx0[n][c]
// dwte accumulates (a gradient buffer).
void tied_embedding_grad(float* dwte, const float* dlogits, const float* h, const float* dx0, const std::int32_t* ids,
                         std::size_t N, std::size_t V, std::size_t C);
}  // namespace ladder::ex07

// Exercises 7.1, 7.2, 7.3 and 7.5 are CUDA: each .cu is compiled for the emulator (ladder::simt)
// and, with nvcc, for the GPU (ladder::cuda). Pointers are device pointers.
//   layernorm_forward_kernel:  inp (R,C), weight, bias (C) -> out (R,C), mean, rstd (R); all overwritten.
//   gelu_backward_kernel:      inp, dout (n); dinp (n) += gelu'(inp) dout.
//   residual_layernorm_kernel: x, y (R,C) -> residual (R,C) = x + y, then out (R,C), mean, rstd (R) its
//                              layernorm with weight, bias (C); all overwritten.
//   kv_cache_append_kernel:    k, v (BH,n,hs) -> rows pos .. pos + n - 1 of cache_k, cache_v (BH,Tmax,hs);
//                              the caches' other rows stay as they are.
#define LADDER_EX07_GPU_API                                                                                         \
    void layernorm_forward_kernel(float* out, float* mean, float* rstd, const float* inp, const float* weight,      \
                                  const float* bias, std::size_t R, std::size_t C, float eps);                      \
    void gelu_backward_kernel(float* dinp, const float* inp, const float* dout, std::size_t n);                     \
    void residual_layernorm_kernel(float* residual, float* out, float* mean, float* rstd, const float* x,           \
                                   const float* y, const float* weight, const float* bias, std::size_t R,           \
                                   std::size_t C, float eps);                                                       \
    void kv_cache_append_kernel(float* cache_k, float* cache_v, const float* k, const float* v, std::size_t BH,    \
                                std::size_t n, std::size_t Tmax, std::size_t hs, std::size_t pos);
namespace ladder::simt::ex07 {
LADDER_EX07_GPU_API
}
namespace ladder::cuda::ex07 {
LADDER_EX07_GPU_API
}
#undef LADDER_EX07_GPU_API
