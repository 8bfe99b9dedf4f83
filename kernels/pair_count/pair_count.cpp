// pair_count.cpp: the Tensor-level pair count: checks dtypes, shapes and devices, then
// runs the CPU reference or a GPU version. Introduced in ch04.
#include "kernels/pair_count/pair_count.hpp"

#include <initializer_list>

#include "core/error.hpp"
#include "core/gpu_dispatch.hpp"

namespace ladder {

void pair_count(const Backend& be, Tensor& keys, Tensor& counts, const Tensor& tokens) {
    for (const Tensor* t : std::initializer_list<const Tensor*>{&keys, &counts, &tokens}) {
        LADDER_CHECK(t->dtype() == DType::i32 && t->rank() == 1,
                     "pair_count: keys {}, counts {}, tokens {}: all must be int32 vectors", keys.str(), counts.str(),
                     tokens.str());
        LADDER_CHECK(t->device() == be.device(), "pair_count: {} is on {} but the backend is {}", t->str(),
                     device_name(t->device()), be.name());
    }
    const std::size_t capacity = keys.numel();
    LADDER_CHECK(counts.numel() == capacity && capacity > 0 && (capacity & (capacity - 1)) == 0,
                 "pair_count: keys {} and counts {} must both be (capacity), capacity a power of two",
                 keys.shape().str(), counts.shape().str());
    if (be.device() == Device::cpu) {
        pair_count_cpu(keys.data_i32(), counts.data_i32(), capacity, tokens.data_i32(), tokens.numel());
    } else {
        LADDER_GPU_CALL(be.device(), pair_count, be.version("pair_count", pair_count_gpu_default), keys.data_i32(),
                        counts.data_i32(), capacity, tokens.data_i32(), tokens.numel());
    }
}

}  // namespace ladder
