// Exercise 1.2: your first CUDA kernel: out[i] = a[i] + b[i] for i < n.
// out, a, b (n) are device pointers. Runs on the SIMT emulator (and a GPU if you have one).
// Introduced in ch01 (book/ch01_kernels.md, "Your first kernel").
#include "core/kernel.hpp"
#include "exercises/ch01_kernels/exercises.hpp"

namespace ladder::LADDER_GPU_NS::ex01 {

// Hint: thread threadIdx.x of block blockIdx.x has the global index
// blockIdx.x * blockDim.x + threadIdx.x. The last block may reach past n: guard it.
static __global__ void vector_add_ex_kernel(float* out, const float* a, const float* b, std::size_t n) {
    // TODO(ex1.2): compute this thread's index i and, if i < n, write out[i].
}

void vector_add_kernel(float* out, const float* a, const float* b, std::size_t n) {
    // TODO(ex1.2): choose a block size (256 is a good start) and enough blocks to cover n
    // (ceil_div from core/kernel.hpp), then:
    //   launch(vector_add_ex_kernel, dim3(blocks), dim3(threads), 0, 0, out, a, b, n);
    // and delete the throw below.
    throw NotImplemented("exercise 1.2: vector_add_kernel (exercises/ch01_kernels/vector_add_kernel.cu)");
}

}  // namespace ladder::LADDER_GPU_NS::ex01
