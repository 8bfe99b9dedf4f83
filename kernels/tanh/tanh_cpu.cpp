// tanh_cpu.cpp: the CPU references for tanh, forward and backward.
// inp, out, dout, dinp (n). Introduced in ch05.
#include <array>
#include <type_traits>

#include <xtensor/xadapt.hpp>
#include <xtensor/xmath.hpp>
#include <xtensor/xnoalias.hpp>

#include "kernels/fast_math.hpp"
#include "kernels/tanh/tanh.hpp"

namespace ladder {

// [book:tanh-cpu]
// In float, tanh_fast (kernels/fast_math.hpp: a vectorised loop, within 2 ulp like tanhf);
// in double (the gradient check), std::tanh.
template <class T>
void tanh_forward_cpu(T* out, const T* inp, std::size_t n) {
    if constexpr (std::is_same_v<T, float>) {
        for (std::size_t i = 0; i < n; ++i) out[i] = tanh_fast(inp[i]);
    } else {
        auto x = xt::adapt(inp, n, xt::no_ownership(), std::array{n});   // (n)
        auto y = xt::adapt(out, n, xt::no_ownership(), std::array{n});   // (n)
        xt::noalias(y) = xt::tanh(x);
    }
}

// forward: out = tanh(inp), so d out / d inp = 1 - tanh(inp)^2 = 1 - out^2.
template <class T>
void tanh_backward_cpu(T* dinp, const T* out, const T* dout, std::size_t n) {
    auto y = xt::adapt(out, n, xt::no_ownership(), std::array{n});     // (n)
    auto dy = xt::adapt(dout, n, xt::no_ownership(), std::array{n});   // (n)
    auto dx = xt::adapt(dinp, n, xt::no_ownership(), std::array{n});   // (n)
    xt::noalias(dx) += (T(1) - y * y) * dy;
}
// [/book]

template void tanh_forward_cpu<float>(float*, const float*, std::size_t);
template void tanh_forward_cpu<double>(double*, const double*, std::size_t);
template void tanh_backward_cpu<float>(float*, const float*, const float*, std::size_t);
template void tanh_backward_cpu<double>(double*, const double*, const double*, std::size_t);

}  // namespace ladder
