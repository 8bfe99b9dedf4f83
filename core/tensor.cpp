// tensor.cpp: Shape arithmetic and Tensor storage on the three devices.
#include "core/tensor.hpp"

#include <cmath>
#include <cstring>
#include <limits>

#include "core/error.hpp"

#if LADDER_WITH_CUDA
#include <cuda_runtime_api.h>
#endif

namespace ladder {

const char* dtype_name(DType t) { return t == DType::f32 ? "f32" : "i32"; }
std::size_t dtype_size(DType) { return 4; }

Shape::Shape(std::initializer_list<std::size_t> dims) : Shape(std::span<const std::size_t>(dims.begin(), dims.size())) {}

Shape::Shape(std::span<const std::size_t> dims) {
    LADDER_CHECK(dims.size() <= max_rank, "a Shape has at most {} dimensions, got {}", max_rank, dims.size());
    rank_ = static_cast<int>(dims.size());
    for (int i = 0; i < rank_; ++i) dims_[i] = dims[i];
}

std::size_t Shape::operator[](int i) const {
    const int j = i < 0 ? rank_ + i : i;
    LADDER_CHECK(j >= 0 && j < rank_, "dimension {} out of range for shape {}", i, str());
    return dims_[j];
}

std::size_t Shape::numel() const {
    std::size_t n = 1;
    for (int i = 0; i < rank_; ++i) n *= dims_[i];
    return n;
}

std::string Shape::str() const {
    std::string s = "(";
    for (int i = 0; i < rank_; ++i) s += (i ? ", " : "") + std::to_string(dims_[i]);
    return s + (rank_ == 1 ? ",)" : ")");
}

bool Shape::operator==(const Shape& o) const {
    if (rank_ != o.rank_) return false;
    for (int i = 0; i < rank_; ++i)
        if (dims_[i] != o.dims_[i]) return false;
    return true;
}

Tensor::Tensor(Shape shape, Device device, DType dtype)
    : shape_(shape), device_(device), dtype_(dtype), capacity_(shape.numel()) {
    void* p = device_malloc(device, nbytes());
    storage_ = std::shared_ptr<void>(p, [device](void* q) { device_free(device, q); });
}

Tensor Tensor::zeros(Shape shape, Device device, DType dtype) {
    Tensor t(shape, device, dtype);
    t.fill(0.0f);
    return t;
}

Tensor Tensor::from(std::span<const float> values, Shape shape, Device device) {
    Tensor t(shape, device, DType::f32);
    t.copy_from(values);
    return t;
}

Tensor Tensor::from(std::span<const std::int32_t> values, Shape shape, Device device) {
    Tensor t(shape, device, DType::i32);
    t.copy_from(values);
    return t;
}

void* Tensor::raw() const {
    LADDER_CHECK(defined(), "use of an empty Tensor");
    return static_cast<std::byte*>(storage_.get()) + offset_ * dtype_size(dtype_);
}

void Tensor::require_dtype(DType t, const char* what) const {
    LADDER_CHECK(dtype_ == t, "{}: tensor {} holds {}, not {}", what, shape_.str(), dtype_name(dtype_), dtype_name(t));
}

void Tensor::require_host(const char* what) const {
    LADDER_CHECK(device_ == Device::cpu, "{}: tensor {} lives on {}; copy it with to_vector() or to(Device::cpu)",
                 what, shape_.str(), device_name(device_));
}

float* Tensor::data() { require_dtype(DType::f32, "data()"); return static_cast<float*>(raw()); }
const float* Tensor::data() const { require_dtype(DType::f32, "data()"); return static_cast<const float*>(raw()); }
std::int32_t* Tensor::data_i32() { require_dtype(DType::i32, "data_i32()"); return static_cast<std::int32_t*>(raw()); }
const std::int32_t* Tensor::data_i32() const {
    require_dtype(DType::i32, "data_i32()");
    return static_cast<const std::int32_t*>(raw());
}

std::span<float> Tensor::host() { require_host("host()"); return {data(), numel()}; }
std::span<const float> Tensor::host() const { require_host("host()"); return {data(), numel()}; }
std::span<std::int32_t> Tensor::host_i32() { require_host("host_i32()"); return {data_i32(), numel()}; }
std::span<const std::int32_t> Tensor::host_i32() const { require_host("host_i32()"); return {data_i32(), numel()}; }

Tensor Tensor::to(Device device) const {
    Tensor out(shape_, device, dtype_);
    if (device_ == Device::cpu) {
        copy_to_device(device, out.raw(), raw(), nbytes());
    } else if (device == Device::cpu) {
        copy_to_host(device_, out.raw(), raw(), nbytes());
    } else if (device == device_) {
        copy_on_device(device, out.raw(), raw(), nbytes());
    } else {  // simt <-> cuda goes through the host
        return to(Device::cpu).to(device);
    }
    return out;
}

Tensor Tensor::clone() const { return to(device_); }

std::vector<float> Tensor::to_vector() const {
    require_dtype(DType::f32, "to_vector()");
    std::vector<float> v(numel());
    copy_to_host(device_, v.data(), raw(), nbytes());
    return v;
}

std::vector<std::int32_t> Tensor::to_vector_i32() const {
    require_dtype(DType::i32, "to_vector_i32()");
    std::vector<std::int32_t> v(numel());
    copy_to_host(device_, v.data(), raw(), nbytes());
    return v;
}

void Tensor::copy_from(std::span<const float> values) {
    require_dtype(DType::f32, "copy_from()");
    LADDER_CHECK(values.size() == numel(), "copy_from: {} values for a tensor of shape {} ({} elements)",
                 values.size(), shape_.str(), numel());
    copy_to_device(device_, raw(), values.data(), nbytes());
}

void Tensor::copy_from(std::span<const std::int32_t> values) {
    require_dtype(DType::i32, "copy_from()");
    LADDER_CHECK(values.size() == numel(), "copy_from: {} values for a tensor of shape {} ({} elements)",
                 values.size(), shape_.str(), numel());
    copy_to_device(device_, raw(), values.data(), nbytes());
}

void Tensor::fill(float value) {
    if (dtype_ == DType::f32) {
        copy_from(std::vector<float>(numel(), value));
    } else {
        copy_from(std::vector<std::int32_t>(numel(), static_cast<std::int32_t>(value)));
    }
}

void Tensor::fill_zero() {
    // All-zero bytes are 0.0f and int 0 alike. cpu and simt memory is host memory (simt's guard
    // zones lie outside [raw(), raw() + nbytes()), which Tensor::view keeps inside the storage).
    if (numel() == 0) return;
    if (device_ != Device::cuda) {
        std::memset(raw(), 0, nbytes());
        return;
    }
#if LADDER_WITH_CUDA
    const cudaError_t err = cudaMemset(raw(), 0, nbytes());
    LADDER_CHECK(err == cudaSuccess, "fill_zero: cudaMemset of {} bytes failed: {} ({})", nbytes(), cudaGetErrorName(err),
                 cudaGetErrorString(err));
#else
    require_device(device_);
#endif
}

void Tensor::fill_nan() {
    if (dtype_ == DType::f32) {
        fill(std::numeric_limits<float>::quiet_NaN());
    } else {
        copy_from(std::vector<std::int32_t>(numel(), std::numeric_limits<std::int32_t>::min()));
    }
}

Tensor Tensor::reshape(Shape shape) const {
    LADDER_CHECK(shape.numel() == numel(), "reshape: {} has {} elements, {} has {}", shape_.str(), numel(),
                 shape.str(), shape.numel());
    Tensor t = *this;
    t.shape_ = shape;
    return t;
}

Tensor Tensor::view(Shape shape, std::size_t offset) const {
    LADDER_CHECK(offset_ + offset + shape.numel() <= capacity_,
                 "view: elements [{}, {}) of shape {} run past the {} elements of the storage", offset,
                 offset + shape.numel(), shape.str(), capacity_ - offset_);
    Tensor t = *this;
    t.shape_ = shape;
    t.offset_ = offset_ + offset;
    return t;
}

std::string Tensor::str() const {
    return fmt::format("Tensor({}, {}, {})", dtype_name(dtype_), shape_.str(), device_name(device_));
}

}  // namespace ladder
