// histogram.cpp: the Tensor-level histogram: checks dtypes and devices, then runs the CPU
// reference or a GPU version. Introduced in ch02.
#include "kernels/histogram/histogram.hpp"

#include "core/error.hpp"
#include "core/gpu_dispatch.hpp"

namespace ladder {

void histogram(const Backend& be, Tensor& counts, const Tensor& ids) {
    LADDER_CHECK(ids.dtype() == DType::i32 && counts.dtype() == DType::i32, "histogram: ids {} and counts {} must be int32",
                 ids.str(), counts.str());
    LADDER_CHECK(counts.rank() == 1, "histogram: counts must be a vector (bins), got {}", counts.shape().str());
    LADDER_CHECK(ids.device() == be.device() && counts.device() == be.device(),
                 "histogram: tensors on {} and {} but the backend is {}", device_name(ids.device()),
                 device_name(counts.device()), be.name());
    if (be.device() == Device::cpu) {
        histogram_cpu(counts.data_i32(), ids.data_i32(), ids.numel(), counts.numel());
    } else {
        LADDER_GPU_CALL(be.device(), histogram, be.version("histogram", histogram_gpu_default), counts.data_i32(),
                        ids.data_i32(), ids.numel(), counts.numel());
    }
}

}  // namespace ladder
