// simt_cuda_api.hpp: the CUDA shim's runtime API subset our host code uses (cudaMalloc,
// cudaMemcpy, streams, errors, cudaFuncSetAttribute) and LADDER_CUDA_CHECK. Part of the SIMT
// emulator (ch01), included through simt.hpp; implemented in core/simt/runtime.cpp.
#pragma once

#include <cstddef>
#include <string>

#include "core/error.hpp"

// Same meaning as the nvcc branch of core/kernel.hpp: throw ladder::Error naming the call.
#define LADDER_CUDA_CHECK(call)                                                            \
    do {                                                                                   \
        ::cudaError_t ladder_err_ = (call);                                                \
        if (ladder_err_ != ::cudaSuccess)                                                  \
            ::ladder::throw_error(__FILE__, __LINE__,                                      \
                                  std::string(#call) + " failed: " + ::cudaGetErrorName(ladder_err_) + \
                                      " (" + ::cudaGetErrorString(ladder_err_) + ")");     \
    } while (0)

// ---- what these need from the emulator (core/simt/launch.cpp, memory.cpp) ----
namespace ladder::simt::detail {

// cudaFuncSetAttribute(k, cudaFuncAttributeMaxDynamicSharedMemorySize, bytes) opts a kernel in to
// more than 48 KiB of dynamic shared memory.
void set_max_dynamic_shared(void (*kernel)(), int bytes);

// Range checks for cudaMemcpy/cudaMemset: throws ladder::Error if [ptr, ptr + bytes) is not
// inside one live device allocation.
void check_device_range(const void* ptr, std::size_t bytes, const char* what);
bool is_device_pointer(const void* ptr);

}  // namespace ladder::simt::detail

namespace ladder::simt::shim {

// ---- the runtime API subset our host code uses ----
enum cudaError_t : int {
    cudaSuccess = 0,
    cudaErrorInvalidValue = 1,
    cudaErrorMemoryAllocation = 2,
    cudaErrorInvalidConfiguration = 9,
    cudaErrorInvalidDevicePointer = 17,
    cudaErrorInvalidMemcpyDirection = 21,
    cudaErrorNoDevice = 100,
    cudaErrorLaunchFailure = 719,
};
enum cudaMemcpyKind : int {
    cudaMemcpyHostToHost = 0,
    cudaMemcpyHostToDevice = 1,
    cudaMemcpyDeviceToHost = 2,
    cudaMemcpyDeviceToDevice = 3,
    cudaMemcpyDefault = 4,
};
enum cudaFuncAttribute : int { cudaFuncAttributeMaxDynamicSharedMemorySize = 8 };
struct SimtStream;                  // streams are accepted and ignored: every launch is synchronous
using cudaStream_t = SimtStream*;

struct cudaDeviceProp {
    char name[256];
    std::size_t totalGlobalMem;
    std::size_t sharedMemPerBlock;
    std::size_t sharedMemPerBlockOptin;
    int regsPerBlock;
    int warpSize;
    int maxThreadsPerBlock;
    int maxThreadsDim[3];
    int maxGridSize[3];
    int multiProcessorCount;
    int maxThreadsPerMultiProcessor;
    int major;
    int minor;
};

const char* cudaGetErrorString(cudaError_t error);
const char* cudaGetErrorName(cudaError_t error);
cudaError_t cudaGetLastError();
cudaError_t cudaPeekAtLastError();
cudaError_t cudaGetDeviceCount(int* count);
cudaError_t cudaSetDevice(int device);
cudaError_t cudaGetDevice(int* device);
cudaError_t cudaGetDeviceProperties(cudaDeviceProp* prop, int device);
cudaError_t cudaMalloc(void** ptr, std::size_t bytes);
cudaError_t cudaFree(void* ptr);
cudaError_t cudaMemcpy(void* dst, const void* src, std::size_t bytes, cudaMemcpyKind kind);
cudaError_t cudaMemset(void* ptr, int value, std::size_t bytes);
cudaError_t cudaDeviceSynchronize();
inline cudaError_t cudaMemcpyAsync(void* dst, const void* src, std::size_t bytes, cudaMemcpyKind kind,
                                   cudaStream_t = nullptr) {
    return cudaMemcpy(dst, src, bytes, kind);
}
inline cudaError_t cudaMemsetAsync(void* ptr, int value, std::size_t bytes, cudaStream_t = nullptr) {
    return cudaMemset(ptr, value, bytes);
}
inline cudaError_t cudaStreamSynchronize(cudaStream_t) { return cudaDeviceSynchronize(); }
inline cudaError_t cudaStreamCreate(cudaStream_t* stream) {
    *stream = nullptr;
    return cudaSuccess;
}
inline cudaError_t cudaStreamDestroy(cudaStream_t) { return cudaSuccess; }
template <class T>
cudaError_t cudaMalloc(T** ptr, std::size_t bytes) {
    return cudaMalloc(reinterpret_cast<void**>(ptr), bytes);
}
template <class... Params>
cudaError_t cudaFuncSetAttribute(void (*kernel)(Params...), cudaFuncAttribute attr, int value) {
    if (attr != cudaFuncAttributeMaxDynamicSharedMemorySize) return cudaErrorInvalidValue;
    detail::set_max_dynamic_shared(reinterpret_cast<void (*)()>(kernel), value);
    return cudaSuccess;
}

}  // namespace ladder::simt::shim

// ---- into the global namespace, where CUDA code expects them ----
using ladder::simt::shim::cudaError_t;
using ladder::simt::shim::cudaSuccess;
using ladder::simt::shim::cudaErrorInvalidValue;
using ladder::simt::shim::cudaErrorMemoryAllocation;
using ladder::simt::shim::cudaErrorInvalidConfiguration;
using ladder::simt::shim::cudaErrorInvalidDevicePointer;
using ladder::simt::shim::cudaErrorInvalidMemcpyDirection;
using ladder::simt::shim::cudaErrorNoDevice;
using ladder::simt::shim::cudaErrorLaunchFailure;
using ladder::simt::shim::cudaMemcpyKind;
using ladder::simt::shim::cudaMemcpyHostToHost;
using ladder::simt::shim::cudaMemcpyHostToDevice;
using ladder::simt::shim::cudaMemcpyDeviceToHost;
using ladder::simt::shim::cudaMemcpyDeviceToDevice;
using ladder::simt::shim::cudaMemcpyDefault;
using ladder::simt::shim::cudaFuncAttribute;
using ladder::simt::shim::cudaFuncAttributeMaxDynamicSharedMemorySize;
using ladder::simt::shim::cudaStream_t;
using ladder::simt::shim::cudaDeviceProp;
using ladder::simt::shim::cudaGetErrorString;
using ladder::simt::shim::cudaGetErrorName;
using ladder::simt::shim::cudaGetLastError;
using ladder::simt::shim::cudaPeekAtLastError;
using ladder::simt::shim::cudaGetDeviceCount;
using ladder::simt::shim::cudaSetDevice;
using ladder::simt::shim::cudaGetDevice;
using ladder::simt::shim::cudaGetDeviceProperties;
using ladder::simt::shim::cudaMalloc;
using ladder::simt::shim::cudaFree;
using ladder::simt::shim::cudaMemcpy;
using ladder::simt::shim::cudaMemcpyAsync;
using ladder::simt::shim::cudaMemset;
using ladder::simt::shim::cudaMemsetAsync;
using ladder::simt::shim::cudaDeviceSynchronize;
using ladder::simt::shim::cudaStreamSynchronize;
using ladder::simt::shim::cudaStreamCreate;
using ladder::simt::shim::cudaStreamDestroy;
using ladder::simt::shim::cudaFuncSetAttribute;
