// adamw_cpu.cpp: the CPU reference of one AdamW step, as xtensor expressions.
// params, m, v, grads (n), updated in place. Introduced in ch05.
#include <array>

#include <xtensor/xadapt.hpp>
#include <xtensor/xmath.hpp>
#include <xtensor/xnoalias.hpp>

#include "kernels/adamw/adamw.hpp"

namespace ladder {

// [book:adamw-cpu]
template <class T>
void adamw_update_cpu(T* params, T* m, T* v, const T* grads, std::size_t n, const AdamWConfig& cfg, int step,
                      float grad_scale) {
    auto p = xt::adapt(params, n, xt::no_ownership(), std::array{n});   // (n)
    auto mt = xt::adapt(m, n, xt::no_ownership(), std::array{n});       // (n)
    auto vt = xt::adapt(v, n, xt::no_ownership(), std::array{n});       // (n)
    auto dp = xt::adapt(grads, n, xt::no_ownership(), std::array{n});   // (n)
    const T lr = cfg.lr, b1 = cfg.beta1, b2 = cfg.beta2, eps = cfg.eps, wd = cfg.weight_decay, scale = grad_scale;
    const auto [c1, c2] = adamw_bias_correction(cfg, step);
    const T bc1 = static_cast<T>(c1), bc2 = static_cast<T>(c2);
    auto g = dp * scale;                                                // (n)  lazy
    xt::noalias(mt) = b1 * mt + (T(1) - b1) * g;                        // (n)
    xt::noalias(vt) = b2 * vt + (T(1) - b2) * g * g;                    // (n)
    auto mhat = mt / bc1;                                               // (n)  lazy
    auto vhat = vt / bc2;                                               // (n)  lazy
    xt::noalias(p) = p - lr * (mhat / (xt::sqrt(vhat) + eps) + wd * p);  // (n)
}
// [/book]

template void adamw_update_cpu<float>(float*, float*, float*, const float*, std::size_t, const AdamWConfig&, int,
                                      float);
template void adamw_update_cpu<double>(double*, double*, double*, const double*, std::size_t, const AdamWConfig&,
                                       int, float);

}  // namespace ladder
