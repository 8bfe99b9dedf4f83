// kernel.hpp: the first include of every .cu file. One kernel source, two builds:
// nvcc (real GPU, namespace ladder::cuda) and the host compiler against the SIMT
// emulator's shim (namespace ladder::simt). Introduced in ch01; see core/simt/README.md.
#pragma once

#include <cstddef>
#include <string>

#include "core/device.hpp"
#include "core/error.hpp"

#if defined(__CUDACC__)
// ---- real CUDA ----
#include <cuda_runtime.h>
#include <math_constants.h>   // CUDART_INF_F and friends (the emulator's shim defines them too)

// The namespace the entry points of this translation unit are compiled into.
#define LADDER_GPU_NS cuda
#define LADDER_DEVICE ::ladder::Device::cuda

// Dynamic shared memory (the size is the launch's `shmem` argument), the same
// spelling in both builds: LADDER_DYNAMIC_SHARED(float, smem); smem[i] = ...
#define LADDER_DYNAMIC_SHARED(T, name) extern __shared__ T name[]

// Checks a CUDA runtime call; throws ladder::Error naming the call, file and line.
#define LADDER_CUDA_CHECK(call)                                                            \
    do {                                                                                   \
        cudaError_t ladder_err_ = (call);                                                  \
        if (ladder_err_ != cudaSuccess)                                                    \
            ::ladder::throw_error(__FILE__, __LINE__,                                      \
                                  std::string(#call) + " failed: " + cudaGetErrorName(ladder_err_) + \
                                      " (" + cudaGetErrorString(ladder_err_) + ")");       \
    } while (0)

namespace ladder::cuda {
// Launches kernel<<<grid, block, shmem, stream>>>(args...) and checks the launch.
// Every kernel goes through here, so the emulator can run the same call.
template <class... Params, class... Args>
void launch(void (*kernel)(Params...), dim3 grid, dim3 block, std::size_t shmem, cudaStream_t stream,
            Args&&... args) {
    kernel<<<grid, block, shmem, stream>>>(static_cast<Params>(args)...);
    LADDER_CUDA_CHECK(cudaGetLastError());
}
}  // namespace ladder::cuda

#else
// ---- the SIMT emulator: the same source, compiled as C++ ----
#include "core/simt/simt.hpp"
#define LADDER_GPU_NS simt
#define LADDER_DEVICE ::ladder::Device::simt
#endif

// An entry point asked for a version that does not exist (works in both builds; nvcc
// does not see the fmt library, so the message is built with std::string).
#define LADDER_NO_SUCH_VERSION(op, version, count)                                         \
    ::ladder::throw_error(__FILE__, __LINE__,                                              \
                          std::string(op) + ": no GPU version v" + std::to_string(version) + \
                              " (there are v1..v" + std::to_string(count) + ")")

namespace ladder {
// Blocks needed to cover n items with `per_block` items each: ceil(n / per_block).
constexpr unsigned ceil_div(std::size_t n, std::size_t per_block) {
    return static_cast<unsigned>((n + per_block - 1) / per_block);
}
}  // namespace ladder
