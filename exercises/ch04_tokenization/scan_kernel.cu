// Exercise 4.6: an exclusive scan of up to 512 int32 in one block of 256 threads
// (book: "Scan"). in (n) -> out (n), out[i] = in[0] + ... + in[i-1]. Introduced in ch04.
#include "core/kernel.hpp"
#include "exercises/ch04_tokenization/exercises.hpp"

namespace ladder::LADDER_GPU_NS::ex04 {

// Either scan from the chapter works. Hillis-Steele: each thread holds one or two
// elements in shared memory; in rounds d = 1, 2, 4, ... every element adds the one d
// places to its left (read into a register, __syncthreads(), then write, __syncthreads()).
// Or Blelloch's up-sweep and down-sweep. Elements past n count as 0; write only out[i <
// n]. Exclusive: shift by one (out[0] = 0).
static __global__ void scan_block(std::int32_t* out, const std::int32_t* in, std::size_t n) {
    // TODO(ex4.6): __shared__ std::int32_t s[512]; load, scan, store.
}

void scan_kernel(std::int32_t* out, const std::int32_t* in, std::size_t n) {
    // TODO(ex4.6): if n > 0, launch(scan_block, dim3(1), dim3(256), 0, 0, out, in, n);
    // and delete the throw below.
    throw NotImplemented("exercise 4.6: scan_kernel (exercises/ch04_tokenization/scan_kernel.cu)");
}

}  // namespace ladder::LADDER_GPU_NS::ex04
