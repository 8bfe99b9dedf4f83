// tensor_checks.hpp: the checks every Tensor-level op runs before it dispatches, named once:
// each tensor is float32 and lives on the backend's device, or has the shape it must have, and an
// error names the op, the tensor and what it got. Introduced in ch06 (softmax, heads and attention share it).
#pragma once

#include <initializer_list>
#include <utility>

#include "core/backend.hpp"
#include "core/error.hpp"
#include "core/tensor.hpp"

namespace ladder {

// A tensor and the name an error message gives it.
using NamedTensor = std::pair<const char*, const Tensor*>;

inline void check_f32_on(const Backend& be, const char* what, std::initializer_list<NamedTensor> all) {
    for (const auto& [name, t] : all) {
        LADDER_CHECK(t->dtype() == DType::f32, "{}: {} is {}; it must be float32", what, name, t->str());
        LADDER_CHECK(t->device() == be.device(), "{}: {} is on {} but the backend is {}", what, name,
                     device_name(t->device()), be.name());
    }
}

// Every tensor of `all` has the shape `want`; `from` says where `want` came from ("q", or
// "qkv (B,T,3C) and NH: (B,NH,T,C/NH)") for the error.
inline void check_shape(const char* what, const Shape& want, const char* from, std::initializer_list<NamedTensor> all) {
    for (const auto& [name, t] : all)
        LADDER_CHECK(t->shape() == want, "{}: {} has shape {}; expected {} (from {})", what, name, t->shape().str(),
                     want.str(), from);
}

}  // namespace ladder
