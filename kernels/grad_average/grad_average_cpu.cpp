// grad_average_cpu.cpp: the CPU reference of the ranks' gradient average, out (n) = (1/N) sum_r
// in[r], in (N, n). Introduced in ch08.
#include <algorithm>

#include "core/error.hpp"
#include "kernels/grad_average/grad_average.hpp"

namespace ladder {

// [book:grad-average-cpu]
// A row at a time, so every pass is a contiguous, vectorisable loop; each element still sees the
// ranks in order 0, 1, ..., N-1, which is the order the GPU versions use.
template <class T>
void grad_average_cpu(T* out, const T* in, std::size_t N, std::size_t n) {
    LADDER_CHECK(N >= 1, "grad_average_cpu: an average over N = 0 ranks");
    if (out != in) std::copy(in, in + n, out);  // rank 0
    for (std::size_t r = 1; r < N; ++r) {
        const T* g = in + r * n;  // rank r's gradient (n)
        for (std::size_t i = 0; i < n; ++i) out[i] += g[i];
    }
    const T ranks = static_cast<T>(N);
    for (std::size_t i = 0; i < n; ++i) out[i] /= ranks;
}
// [/book]

template void grad_average_cpu<float>(float*, const float*, std::size_t, std::size_t);
template void grad_average_cpu<double>(double*, const double*, std::size_t, std::size_t);

}  // namespace ladder
