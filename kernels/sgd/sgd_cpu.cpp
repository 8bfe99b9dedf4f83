// sgd_cpu.cpp: the CPU reference of one SGD-with-momentum step, as xtensor expressions.
// params, velocity, grads (n), updated in place. Introduced in ch05.
#include <array>

#include <xtensor/xadapt.hpp>
#include <xtensor/xnoalias.hpp>

#include "kernels/sgd/sgd.hpp"

namespace ladder {

// [book:sgd-cpu]
template <class T>
void sgd_update_cpu(T* params, T* velocity, const T* grads, std::size_t n, const SgdConfig& cfg, float grad_scale) {
    auto p = xt::adapt(params, n, xt::no_ownership(), std::array{n});      // (n)
    auto buf = xt::adapt(velocity, n, xt::no_ownership(), std::array{n});  // (n)
    auto dp = xt::adapt(grads, n, xt::no_ownership(), std::array{n});      // (n)
    const T lr = cfg.lr, momentum = cfg.momentum, wd = cfg.weight_decay, scale = grad_scale;
    auto g = dp * scale + wd * p;             // (n)  lazy: read by the next line, before p changes
    xt::noalias(buf) = momentum * buf + g;    // (n)
    xt::noalias(p) -= lr * buf;               // (n)
}
// [/book]

template void sgd_update_cpu<float>(float*, float*, const float*, std::size_t, const SgdConfig&, float);
template void sgd_update_cpu<double>(double*, double*, const double*, std::size_t, const SgdConfig&, float);

}  // namespace ladder
