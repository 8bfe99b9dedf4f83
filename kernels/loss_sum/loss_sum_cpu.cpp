// loss_sum_cpu.cpp: the CPU reference of the losses' total, out (1) = sum of losses (R), in index
// order in double. Introduced in ch08.
#include "kernels/loss_sum/loss_sum.hpp"

namespace ladder {

// [book:loss-sum-cpu]
template <class T>
void loss_sum_cpu(T* out, const T* losses, std::size_t R) {
    double s = 0;  // 2^-53 per addition: R = 10^6 losses still leave the total correct to ~1e-10
    for (std::size_t i = 0; i < R; ++i) s += static_cast<double>(losses[i]);
    out[0] = static_cast<T>(s);
}
// [/book]

template void loss_sum_cpu<float>(float*, const float*, std::size_t);
template void loss_sum_cpu<double>(double*, const double*, std::size_t);

}  // namespace ladder
