// Exercise 5.5: one AdamW step on the GPU, one thread per parameter. params, m, v, grads (n)
// are device pointers; params, m, v are updated in place. With g = grads[i] * grad_scale:
//   m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2;  mhat = m / (1 - b1^t);  vhat = v / (1 - b2^t)
//   p = p - lr * (mhat / (sqrt(vhat) + eps) + weight_decay * p)
// Introduced in ch05 (the training frame's optimizer, kernels/adamw).
#include "core/kernel.hpp"
#include "exercises/ch05_neural_lm/exercises.hpp"

namespace ladder::LADDER_GPU_NS::ex05 {

// Hints:
//   - the bias corrections 1 - b1^t and 1 - b2^t are the same for every element: compute them
//     once on the host with adamw_bias_correction(cfg, step) (adamw.hpp, in double) and pass
//     them to the kernel as floats, as the reference does.
//   - read m[i] and v[i] once, update them, write them back; then update params[i].
//   - use sqrtf; weight decay multiplies the OLD parameter (read it before you write it).
//   - a frozen parameter (g = m = v = 0) must get 0 / (0 + eps) = 0, not NaN: add eps
//     after the sqrt, not inside it.
static __global__ void adamw_ex_kernel(float* params, float* m, float* v, const float* grads, std::size_t n, float lr,
                                       float beta1, float beta2, float eps, float weight_decay, float bc1, float bc2,
                                       float grad_scale) {
    // TODO(ex5.5): i, return past n, then the five lines of the update above.
}

void adamw_kernel(float* params, float* m, float* v, const float* grads, std::size_t n, const AdamWConfig& cfg,
                  int step, float grad_scale) {
    // TODO(ex5.5): const auto [c1, c2] = adamw_bias_correction(cfg, step); then launch adamw_ex_kernel
    // with ceil_div(n, 256) blocks of 256 threads (none when n is 0), and delete the throw below.
    throw NotImplemented("exercise 5.5: adamw_kernel (exercises/ch05_neural_lm/adamw_kernel.cu)");
}

}  // namespace ladder::LADDER_GPU_NS::ex05
