// scan_cpu.cpp: the CPU reference for scan: one running sum. std::exclusive_scan says it
// in one line; xtensor would add nothing to a loop over integers (and ~3 s of compile).
// in (n) -> out (n). Introduced in ch04.
#include <numeric>

#include "kernels/scan/scan.hpp"

namespace ladder {

// [book:scan-cpu]
template <class T>
void scan_exclusive_cpu(T* out, const T* in, std::size_t n) {
    std::exclusive_scan(in, in + n, out, T{0});   // out[i] = in[0] + ... + in[i-1]
}
// [/book]

template void scan_exclusive_cpu<std::int32_t>(std::int32_t*, const std::int32_t*, std::size_t);
template void scan_exclusive_cpu<std::int64_t>(std::int64_t*, const std::int64_t*, std::size_t);

}  // namespace ladder
