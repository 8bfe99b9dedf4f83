// gelu_cpu.cpp: the CPU references for GELU (tanh approximation), forward and backward.
// inp, out, dout, dinp (n). Introduced in ch07.
#include <cmath>
#include <type_traits>

#include "kernels/fast_math.hpp"
#include "kernels/gelu/gelu.hpp"

namespace ladder {

namespace {
// tanh in float by the vectorisable tanh_fast (within 2 ulp, like tanhf), std::tanh in double.
template <class T>
T tanh_t(T x) {
    if constexpr (std::is_same_v<T, float>) return tanh_fast(x);
    else return std::tanh(x);
}
}  // namespace

// [book:gelu-cpu]
template <class T>
void gelu_forward_cpu(T* out, const T* inp, std::size_t n) {
    const T k = static_cast<T>(gelu_k), c = static_cast<T>(gelu_c);
    for (std::size_t i = 0; i < n; ++i) {
        const T x = inp[i];
        const T t = tanh_t(k * (x + c * x * x * x));
        out[i] = T(0.5) * x * (T(1) + t);
    }
}

// d/dx [0.5 x (1 + t(x))] = 0.5 (1 + t) + 0.5 x t'(x), t' = (1 - t^2) k (1 + 3 c x^2).
template <class T>
void gelu_backward_cpu(T* dinp, const T* inp, const T* dout, std::size_t n) {
    const T k = static_cast<T>(gelu_k), c = static_cast<T>(gelu_c);
    for (std::size_t i = 0; i < n; ++i) {
        const T x = inp[i];
        const T t = tanh_t(k * (x + c * x * x * x));
        const T grad = T(0.5) * (T(1) + t) + T(0.5) * x * (T(1) - t * t) * k * (T(1) + T(3) * c * x * x);
        dinp[i] += grad * dout[i];
    }
}
// [/book]

template void gelu_forward_cpu<float>(float*, const float*, std::size_t);
template void gelu_forward_cpu<double>(double*, const double*, std::size_t);
template void gelu_backward_cpu<float>(float*, const float*, const float*, std::size_t);
template void gelu_backward_cpu<double>(double*, const double*, const double*, std::size_t);

}  // namespace ladder
