// runtime.cpp: the CUDA runtime API subset of the emulator (cudaMalloc, cudaMemcpy, errors,
// device properties). Copies check that device pointers stay inside their allocation.
// Introduced in ch01 (the SIMT emulator).
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <thread>

#include "core/simt/internal.hpp"

namespace ladder::simt::shim {

namespace {
thread_local cudaError_t t_last_error = cudaSuccess;

cudaError_t record(cudaError_t e) {
    if (e != cudaSuccess) t_last_error = e;
    return e;
}
}  // namespace

const char* cudaGetErrorName(cudaError_t error) {
    switch (error) {
        case cudaSuccess: return "cudaSuccess";
        case cudaErrorInvalidValue: return "cudaErrorInvalidValue";
        case cudaErrorMemoryAllocation: return "cudaErrorMemoryAllocation";
        case cudaErrorInvalidConfiguration: return "cudaErrorInvalidConfiguration";
        case cudaErrorInvalidDevicePointer: return "cudaErrorInvalidDevicePointer";
        case cudaErrorInvalidMemcpyDirection: return "cudaErrorInvalidMemcpyDirection";
        case cudaErrorNoDevice: return "cudaErrorNoDevice";
        case cudaErrorLaunchFailure: return "cudaErrorLaunchFailure";
    }
    return "cudaErrorUnknown";
}

const char* cudaGetErrorString(cudaError_t error) {
    switch (error) {
        case cudaSuccess: return "no error";
        case cudaErrorInvalidValue: return "invalid argument";
        case cudaErrorMemoryAllocation: return "out of memory";
        case cudaErrorInvalidConfiguration: return "invalid configuration argument";
        case cudaErrorInvalidDevicePointer: return "invalid device pointer";
        case cudaErrorInvalidMemcpyDirection: return "invalid copy direction for memcpy";
        case cudaErrorNoDevice: return "no CUDA-capable device is detected";
        case cudaErrorLaunchFailure: return "unspecified launch failure";
    }
    return "unknown error";
}

cudaError_t cudaGetLastError() { return std::exchange(t_last_error, cudaSuccess); }
cudaError_t cudaPeekAtLastError() { return t_last_error; }

cudaError_t cudaGetDeviceCount(int* count) {
    if (!count) return record(cudaErrorInvalidValue);
    *count = 1;
    return cudaSuccess;
}
cudaError_t cudaSetDevice(int device) { return device == 0 ? cudaSuccess : record(cudaErrorInvalidValue); }
cudaError_t cudaGetDevice(int* device) {
    if (!device) return record(cudaErrorInvalidValue);
    *device = 0;
    return cudaSuccess;
}

cudaError_t cudaGetDeviceProperties(cudaDeviceProp* prop, int device) {
    if (!prop || device != 0) return record(cudaErrorInvalidValue);
    *prop = cudaDeviceProp{};
    std::snprintf(prop->name, sizeof prop->name, "SIMT emulator");
    const Options o = options();
    const unsigned workers = detail::resolve_workers(o.workers);
    prop->totalGlobalMem = std::size_t{16} << 30;   // nominal: host memory is the limit
    prop->sharedMemPerBlock = 48 * 1024;
    prop->sharedMemPerBlockOptin = detail::dynamic_shared_capacity();
    prop->regsPerBlock = 65536;
    prop->warpSize = 32;
    prop->maxThreadsPerBlock = 1024;
    prop->maxThreadsDim[0] = 1024;
    prop->maxThreadsDim[1] = 1024;
    prop->maxThreadsDim[2] = 64;
    prop->maxGridSize[0] = 2147483647;
    prop->maxGridSize[1] = 65535;
    prop->maxGridSize[2] = 65535;
    prop->multiProcessorCount = static_cast<int>(workers);   // one "SM" per worker thread
    prop->maxThreadsPerMultiProcessor = 1024;                // one block at a time per worker
    prop->major = 0;
    prop->minor = 0;
    return cudaSuccess;
}

cudaError_t cudaMalloc(void** ptr, std::size_t bytes) {
    if (!ptr) return record(cudaErrorInvalidValue);
    try {
        *ptr = device_malloc(bytes);
    } catch (const ladder::Error&) {
        *ptr = nullptr;
        return record(cudaErrorMemoryAllocation);
    }
    return cudaSuccess;
}

cudaError_t cudaFree(void* ptr) {
    if (!ptr) return cudaSuccess;
    // An unknown pointer is an error code here (device_free would stop the program).
    if (!detail::is_device_pointer(ptr)) return record(cudaErrorInvalidDevicePointer);
    device_free(ptr);
    return cudaSuccess;
}

// Host and device memory are both host memory, so every copy is a memcpy; what the emulator
// adds is the check that the device side stays inside one allocation (a GPU would fault, or
// silently copy a neighbour's bytes).
cudaError_t cudaMemcpy(void* dst, const void* src, std::size_t bytes, cudaMemcpyKind kind) {
    if (bytes == 0) return cudaSuccess;
    if (!dst || !src) return record(cudaErrorInvalidValue);
    switch (kind) {
        case cudaMemcpyHostToHost: break;
        case cudaMemcpyHostToDevice: detail::check_device_range(dst, bytes, "cudaMemcpy (host to device) destination"); break;
        case cudaMemcpyDeviceToHost: detail::check_device_range(src, bytes, "cudaMemcpy (device to host) source"); break;
        case cudaMemcpyDeviceToDevice:
            detail::check_device_range(dst, bytes, "cudaMemcpy (device to device) destination");
            detail::check_device_range(src, bytes, "cudaMemcpy (device to device) source");
            break;
        case cudaMemcpyDefault:
            if (detail::is_device_pointer(dst)) detail::check_device_range(dst, bytes, "cudaMemcpy destination");
            if (detail::is_device_pointer(src)) detail::check_device_range(src, bytes, "cudaMemcpy source");
            break;
        default: return record(cudaErrorInvalidMemcpyDirection);
    }
    std::memmove(dst, src, bytes);
    return cudaSuccess;
}

cudaError_t cudaMemset(void* ptr, int value, std::size_t bytes) {
    if (bytes == 0) return cudaSuccess;
    detail::check_device_range(ptr, bytes, "cudaMemset");
    std::memset(ptr, value, bytes);
    return cudaSuccess;
}

// Launches are synchronous, so there is nothing to wait for; the guard zones are checked.
cudaError_t cudaDeviceSynchronize() {
    check_guards();
    return cudaSuccess;
}

}  // namespace ladder::simt::shim
