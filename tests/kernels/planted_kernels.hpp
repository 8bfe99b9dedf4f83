// planted_kernels.hpp: kernels with a planted bug, for the harness's own tests. Built for
// the SIMT emulator only. c (M,N) = a (M,K) b (K,N), row-major.
#pragma once

#include <cstddef>

namespace ladder::simt {
// matmul v2's 16x16 shared-memory tiles without the second __syncthreads: a fast thread
// loads the next tiles while slower ones still read the current ones.
void planted_tiled_matmul_missing_sync(float* c, const float* a, const float* b, std::size_t M, std::size_t N,
                                       std::size_t K);
}  // namespace ladder::simt
