// global_norm_cpu.cpp: the CPU reference of the squared global norm, out (1) = sum x^2 over
// x (n), accumulated in double (so the reference's own error is one final rounding). ch05.
#include <array>

#include <xtensor/xadapt.hpp>
#include <xtensor/xmath.hpp>
#include <xtensor/xreducer.hpp>

#include "kernels/global_norm/global_norm.hpp"

namespace ladder {

// [book:global-norm-cpu]
template <class T>
void global_norm_sq_cpu(T* out, const T* x, std::size_t n) {
    auto xs = xt::adapt(x, n, xt::no_ownership(), std::array{n});   // (n)
    const double sum = xt::sum(xt::square(xt::cast<double>(xs)))();  // ()  in double
    out[0] = static_cast<T>(sum);
}
// [/book]

template void global_norm_sq_cpu<float>(float*, const float*, std::size_t);
template void global_norm_sq_cpu<double>(double*, const double*, std::size_t);

}  // namespace ladder
