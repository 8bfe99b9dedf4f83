// softmax_xent.hpp: softmax cross-entropy, forward and backward, for B rows of V classes.
//   forward:  logits (B,V), targets (B) int32 -> losses (B) = -log softmax(logits_b)[target_b],
//             probs (B,V) = softmax(logits_b)
//   backward: probs (B,V), targets (B), dlosses (B), scale -> dlogits (B,V) =
//             (probs - onehot(target)) * dlosses[b] / scale     (scale = B gives the mean loss)
// Every output is overwritten; nothing accumulates (add into a gradient yourself if needed).
// Introduced in ch02 (logistic regression); ch05's language models reuse it.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/backend.hpp"
#include "core/tensor.hpp"

namespace ladder {

// ---- CPU ----
// References, T = float or double (double for the finite-difference check of backward).
// Targets must be in [0, V) (checked here; the GPU versions do not check).
template <class T>
void softmax_xent_forward_cpu(T* losses, T* probs, const T* logits, const std::int32_t* targets, std::size_t B,
                              std::size_t V);
template <class T>
void softmax_xent_backward_cpu(T* dlogits, const T* probs, const std::int32_t* targets, const T* dlosses, std::size_t B,
                               std::size_t V, T scale);

// ---- GPU (softmax_xent.cu) ----
// forward: v1 one thread per row, v2 one warp per row; backward: v1 one thread per element.
inline constexpr int softmax_xent_gpu_versions = 2;
inline constexpr int softmax_xent_gpu_default = 2;
inline constexpr int softmax_xent_backward_gpu_versions = 1;
inline constexpr int softmax_xent_backward_gpu_default = 1;
#define LADDER_SOFTMAX_XENT_GPU_API                                                                                    \
    void softmax_xent_forward(int version, float* losses, float* probs, const float* logits,                           \
                              const std::int32_t* targets, std::size_t B, std::size_t V);                              \
    void softmax_xent_backward(int version, float* dlogits, const float* probs, const std::int32_t* targets,           \
                               const float* dlosses, std::size_t B, std::size_t V, float scale);
namespace simt { LADDER_SOFTMAX_XENT_GPU_API }
namespace cuda { LADDER_SOFTMAX_XENT_GPU_API }
#undef LADDER_SOFTMAX_XENT_GPU_API

// ---- on Tensors ----
// losses (B), probs (B,V) from logits (B,V) and targets (B) int32.
void softmax_xent_forward(const Backend& be, Tensor& losses, Tensor& probs, const Tensor& logits, const Tensor& targets);
// dlogits (B,V) = (probs - onehot(targets)) * dlosses[b] / scale.
void softmax_xent_backward(const Backend& be, Tensor& dlogits, const Tensor& probs, const Tensor& targets,
                           const Tensor& dlosses, float scale);

}  // namespace ladder
