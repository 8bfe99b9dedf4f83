// device.cpp: memory and detection for the three devices (cpu, simt, cuda).
// The cuda branch is compiled only when nvcc was found (LADDER_WITH_CUDA).
#include "core/device.hpp"

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include "core/error.hpp"
#include "core/simt/simt_runtime.hpp"

#if LADDER_WITH_CUDA
#include <cuda_runtime_api.h>
#define LADDER_CUDA_RT_CHECK(call)                                                              \
    do {                                                                                        \
        cudaError_t err_ = (call);                                                              \
        if (err_ != cudaSuccess)                                                                \
            LADDER_THROW("{} failed: {} ({})", #call, cudaGetErrorName(err_), cudaGetErrorString(err_)); \
    } while (0)
#endif

namespace ladder {

const char* device_name(Device d) {
    switch (d) {
        case Device::cpu: return "cpu";
        case Device::simt: return "simt";
        case Device::cuda: return "cuda";
    }
    return "?";
}

Device parse_device(const std::string& name) {
    if (name == "cpu") return Device::cpu;
    if (name == "simt") return Device::simt;
    if (name == "cuda") return Device::cuda;
    LADDER_THROW("unknown backend '{}': choose cpu, simt or cuda", name);
}

bool cuda_built() { return LADDER_WITH_CUDA != 0; }

namespace {
struct CudaProbe {
    bool available = false;
    int count = 0;   // GPUs the runtime sees (0 when not available)
    std::string reason;
    std::string description;
};

// Asks the CUDA runtime once. Any error or a count of 0 means "no CUDA device"
// (without a driver cudaGetDeviceCount returns cudaErrorInsufficientDriver).
const CudaProbe& cuda_probe() {
    static CudaProbe probe;
    static std::once_flag once;
    std::call_once(once, [] {
#if LADDER_WITH_CUDA
        if (const char* off = std::getenv("LADDER_NO_CUDA"); off && *off && std::strcmp(off, "0") != 0) {
            probe.reason = "no CUDA device (disabled by LADDER_NO_CUDA)";
            return;
        }
        int count = 0;
        cudaError_t err = cudaGetDeviceCount(&count);
        if (err != cudaSuccess) {
            probe.reason = fmt::format("no CUDA device (cudaGetDeviceCount: {})", cudaGetErrorString(err));
            (void)cudaGetLastError();  // clear the sticky error
            return;
        }
        if (count == 0) {
            probe.reason = "no CUDA device (cudaGetDeviceCount found 0)";
            return;
        }
        cudaDeviceProp prop{};
        if (cudaGetDeviceProperties(&prop, 0) == cudaSuccess) {
            probe.description = fmt::format("{} (sm_{}{}, {} SMs, {:.0f} GiB)", prop.name, prop.major, prop.minor,
                                            prop.multiProcessorCount, prop.totalGlobalMem / 1073741824.0);
        }
        probe.count = count;
        probe.available = true;
#else
        probe.reason = "built without CUDA (nvcc was not found when the build was configured)";
#endif
    });
    return probe;
}
}  // namespace

bool cuda_available() { return cuda_probe().available; }
int cuda_device_count() { return cuda_probe().count; }
std::string cuda_unavailable_reason() { return cuda_probe().available ? "" : cuda_probe().reason; }

void require_device(Device d) {
    if (d == Device::cuda && !cuda_available())
        LADDER_THROW("backend cuda is not available: {}; use --backend simt to run the same kernels on the emulator",
                     cuda_unavailable_reason());
}

std::vector<Device> available_devices() {
    std::vector<Device> out{Device::cpu, Device::simt};
    if (cuda_available()) out.push_back(Device::cuda);
    return out;
}

std::string device_description(Device d) {
    switch (d) {
        case Device::cpu: return "CPU reference (xtensor + OpenBLAS)";
        case Device::simt: return simt::description();
        case Device::cuda: return cuda_available() ? cuda_probe().description : cuda_unavailable_reason();
    }
    return "?";
}

void* device_malloc(Device d, std::size_t bytes) {
    switch (d) {
        case Device::cpu: {
            // 64-byte aligned like cudaMalloc's 256: vector loads never straddle a line.
            void* p = std::aligned_alloc(64, ((bytes + 63) / 64) * 64 + 64);
            LADDER_CHECK(p, "out of host memory allocating {} bytes", bytes);
            return p;
        }
        case Device::simt: return simt::device_malloc(bytes);
        case Device::cuda: {
            require_device(d);
#if LADDER_WITH_CUDA
            void* p = nullptr;
            LADDER_CUDA_RT_CHECK(cudaMalloc(&p, bytes == 0 ? 1 : bytes));
            return p;
#endif
        }
    }
    LADDER_THROW("device_malloc: bad device");
}

void device_free(Device d, void* ptr) noexcept {
    if (!ptr) return;
    switch (d) {
        case Device::cpu: std::free(ptr); return;
        case Device::simt: simt::device_free(ptr); return;
        case Device::cuda:
#if LADDER_WITH_CUDA
            cudaFree(ptr);
#endif
            return;
    }
}

namespace {
void copy(Device d, void* dst, const void* src, std::size_t bytes, [[maybe_unused]] int kind) {
    if (bytes == 0) return;
    if (d != Device::cuda) {
        std::memcpy(dst, src, bytes);
        return;
    }
#if LADDER_WITH_CUDA
    LADDER_CUDA_RT_CHECK(cudaMemcpy(dst, src, bytes, static_cast<cudaMemcpyKind>(kind)));
#else
    require_device(d);
#endif
}
}  // namespace

#if LADDER_WITH_CUDA
constexpr int kToDevice = cudaMemcpyHostToDevice, kToHost = cudaMemcpyDeviceToHost, kOnDevice = cudaMemcpyDeviceToDevice;
#else
constexpr int kToDevice = 1, kToHost = 2, kOnDevice = 3;
#endif

void copy_to_device(Device d, void* dst, const void* src, std::size_t bytes) { copy(d, dst, src, bytes, kToDevice); }
void copy_to_host(Device d, void* dst, const void* src, std::size_t bytes) { copy(d, dst, src, bytes, kToHost); }
void copy_on_device(Device d, void* dst, const void* src, std::size_t bytes) { copy(d, dst, src, bytes, kOnDevice); }

void device_synchronize(Device d) {
    if (d == Device::simt) simt::check_guards();
#if LADDER_WITH_CUDA
    if (d == Device::cuda) LADDER_CUDA_RT_CHECK(cudaDeviceSynchronize());
#endif
}

double device_time_ms(Device d, const std::function<void()>& work) {
#if LADDER_WITH_CUDA
    if (d == Device::cuda) {
        cudaEvent_t start{}, stop{};
        LADDER_CUDA_RT_CHECK(cudaEventCreate(&start));
        LADDER_CUDA_RT_CHECK(cudaEventCreate(&stop));
        LADDER_CUDA_RT_CHECK(cudaEventRecord(start));
        work();
        LADDER_CUDA_RT_CHECK(cudaEventRecord(stop));
        LADDER_CUDA_RT_CHECK(cudaEventSynchronize(stop));
        float ms = 0;
        LADDER_CUDA_RT_CHECK(cudaEventElapsedTime(&ms, start, stop));
        cudaEventDestroy(start);
        cudaEventDestroy(stop);
        return ms;
    }
#endif
    device_synchronize(d);
    const auto t0 = std::chrono::steady_clock::now();
    work();
    device_synchronize(d);
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace ladder
