// vector_add_cpu.cpp: the CPU reference for vector_add, an xtensor expression.
// out (n) = a (n) + b (n). Introduced in ch01.
#include <array>

#include <xtensor/xadapt.hpp>
#include <xtensor/xnoalias.hpp>

#include "kernels/vector_add/vector_add.hpp"

namespace ladder {

// [book:vector-add-cpu]
template <class T>
void vector_add_cpu(T* out, const T* a, const T* b, std::size_t n) {
    auto x = xt::adapt(a, n, xt::no_ownership(), std::array{n});     // (n)
    auto y = xt::adapt(b, n, xt::no_ownership(), std::array{n});     // (n)
    auto z = xt::adapt(out, n, xt::no_ownership(), std::array{n});   // (n)
    xt::noalias(z) = x + y;
}
// [/book]

template void vector_add_cpu<float>(float*, const float*, const float*, std::size_t);
template void vector_add_cpu<double>(double*, const double*, const double*, std::size_t);

}  // namespace ladder
