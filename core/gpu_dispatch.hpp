// gpu_dispatch.hpp: call an op's GPU entry point on the emulator or the real GPU.
// Every .cu is compiled into ladder::simt (always) and ladder::cuda (with nvcc); an op's
// header declares its entry points in both namespaces. Introduced in ch01.
#pragma once

#include "core/device.hpp"
#include "core/error.hpp"

// LADDER_GPU_CALL(device, matmul, version, args...) calls ladder::simt::matmul(...) or
// ladder::cuda::matmul(...). A build without nvcc has no ladder::cuda symbols, so the
// cuda branch only exists when LADDER_WITH_CUDA; there it reports why it can't run.
#if LADDER_WITH_CUDA
#define LADDER_GPU_CALL(device, fn, ...)                                                  \
    do {                                                                                  \
        ::ladder::Device ladder_dev_ = (device);                                          \
        if (ladder_dev_ == ::ladder::Device::simt) {                                      \
            ::ladder::simt::fn(__VA_ARGS__);                                              \
        } else {                                                                          \
            LADDER_CHECK(ladder_dev_ == ::ladder::Device::cuda, "{}: not a GPU backend: {}", #fn, \
                         ::ladder::device_name(ladder_dev_));                             \
            ::ladder::require_device(ladder_dev_);                                        \
            ::ladder::cuda::fn(__VA_ARGS__);                                              \
        }                                                                                 \
    } while (0)
#else
#define LADDER_GPU_CALL(device, fn, ...)                                                  \
    do {                                                                                  \
        ::ladder::Device ladder_dev_ = (device);                                          \
        LADDER_CHECK(ladder_dev_ != ::ladder::Device::cpu, "{}: not a GPU backend: cpu", #fn); \
        ::ladder::require_device(ladder_dev_);                                            \
        ::ladder::simt::fn(__VA_ARGS__);                                                  \
    } while (0)
#endif
