// adamw_cpu.cpp: the CPU reference of one AdamW step, one fused loop.
// params, m, v, grads (n), updated in place. Introduced in ch05.
#include <cmath>

#include "kernels/adamw/adamw.hpp"

namespace ladder {

// [book:adamw-cpu]
// One loop, every element read and written once (an expression per line would pass over the
// buffers once per line): the same arithmetic, in the same order, as the GPU versions.
template <class T>
void adamw_update_cpu(T* params, T* m, T* v, const T* grads, std::size_t n, const AdamWConfig& cfg, int step,
                      float grad_scale) {
    const T lr = cfg.lr, b1 = cfg.beta1, b2 = cfg.beta2, eps = cfg.eps, wd = cfg.weight_decay, scale = grad_scale;
    const auto [c1, c2] = adamw_bias_correction(cfg, step);
    const T bc1 = static_cast<T>(c1), bc2 = static_cast<T>(c2);
    for (std::size_t i = 0; i < n; ++i) {
        const T g = grads[i] * scale;                                   // the clipped gradient
        const T mi = b1 * m[i] + (T(1) - b1) * g;                       // first moment
        const T vi = b2 * v[i] + (T(1) - b2) * g * g;                   // second moment
        m[i] = mi;
        v[i] = vi;
        const T mhat = mi / bc1, vhat = vi / bc2;                       // bias-corrected
        params[i] = params[i] - lr * (mhat / (std::sqrt(vhat) + eps) + wd * params[i]);
    }
}
// [/book]

template void adamw_update_cpu<float>(float*, float*, float*, const float*, std::size_t, const AdamWConfig&, int,
                                      float);
template void adamw_update_cpu<double>(double*, double*, double*, const double*, std::size_t, const AdamWConfig&,
                                       int, float);

}  // namespace ladder
