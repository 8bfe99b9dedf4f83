// device.hpp: where tensors live and kernels run: cpu, simt (the CUDA emulator) or cuda.
// Device memory, copies and detection of a real GPU ("no CUDA device" is a clear answer).
// Introduced in ch01.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace ladder {

// cpu: the reference kernels (xtensor, OpenBLAS). simt: the .cu sources compiled as
// C++ and run thread by thread on the emulator (core/simt). cuda: nvcc on a real GPU.
enum class Device { cpu, simt, cuda };

const char* device_name(Device d);              // "cpu", "simt", "cuda"
Device parse_device(const std::string& name);   // throws on anything else, listing the choices

// True when this build has the CUDA backend (nvcc was found at configure time).
bool cuda_built();
// True when cuda_built() and a CUDA device answers. Never throws.
bool cuda_available();
// How many CUDA devices answer: 0 when cuda is not available. Never throws.
int cuda_device_count();
// Why cuda is not available: "built without CUDA (nvcc not found at configure time)",
// "no CUDA device (cudaGetDeviceCount: ...)". Empty when it is.
std::string cuda_unavailable_reason();
// Throws a clear ladder::Error when `d` cannot run on this machine.
void require_device(Device d);
// The devices this machine can run on: always cpu and simt; cuda when available.
std::vector<Device> available_devices();
// A one-line description: "NVIDIA H100 80GB HBM3 (sm_90, 132 SMs)", "SIMT emulator (2 workers)".
std::string device_description(Device d);

// Raw device memory. On cpu this is plain host memory; on simt it is host memory with
// guard zones the emulator checks; on cuda it is cudaMalloc'd.
void* device_malloc(Device d, std::size_t bytes);
void device_free(Device d, void* ptr) noexcept;
void copy_to_device(Device d, void* dst, const void* src, std::size_t bytes);
void copy_to_host(Device d, void* dst, const void* src, std::size_t bytes);
void copy_on_device(Device d, void* dst, const void* src, std::size_t bytes);
void device_synchronize(Device d);

}  // namespace ladder

namespace ladder {
// Milliseconds that `work` takes on `d`: CUDA events around it on cuda (GPU time),
// wall time after a synchronize elsewhere.
double device_time_ms(Device d, const std::function<void()>& work);
}  // namespace ladder
