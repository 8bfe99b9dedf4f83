// tensor.hpp: a handle to an n-D array (rank 0..4) of float32 or int32 on one device.
// Shapes use the letters of docs: B batch, T time, C channels, V vocab, NH heads, hs head size.
// Introduced in ch01; models in ch05+ are written on Tensors and a Backend.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/device.hpp"

namespace ladder {

enum class DType { f32, i32 };
const char* dtype_name(DType t);
std::size_t dtype_size(DType t);

// Up to 4 dimensions, row-major (the last index moves fastest).
class Shape {
public:
    static constexpr int max_rank = 4;
    Shape() = default;
    Shape(std::initializer_list<std::size_t> dims);
    explicit Shape(std::span<const std::size_t> dims);

    int rank() const { return rank_; }
    std::size_t operator[](int i) const;     // negative i counts from the end
    std::size_t numel() const;               // product of dims (1 for rank 0)
    std::span<const std::size_t> dims() const { return {dims_.data(), static_cast<std::size_t>(rank_)}; }
    std::string str() const;                 // "(2, 3)"
    bool operator==(const Shape& o) const;

private:
    std::array<std::size_t, max_rank> dims_{};
    int rank_ = 0;
};

// A Tensor is a handle: copying it shares the storage (like a pointer); clone() copies
// the data. Storage is freed when the last handle goes. Data on simt and cuda devices
// is reached through device pointers (data()), on the host through host().
class Tensor {
public:
    Tensor() = default;
    // Uninitialised storage for `shape` on `device`.
    Tensor(Shape shape, Device device = Device::cpu, DType dtype = DType::f32);

    static Tensor zeros(Shape shape, Device device = Device::cpu, DType dtype = DType::f32);
    static Tensor from(std::span<const float> values, Shape shape, Device device = Device::cpu);
    static Tensor from(std::span<const std::int32_t> values, Shape shape, Device device = Device::cpu);

    const Shape& shape() const { return shape_; }
    int rank() const { return shape_.rank(); }
    std::size_t dim(int i) const { return shape_[i]; }
    std::size_t numel() const { return shape_.numel(); }
    std::size_t nbytes() const { return numel() * dtype_size(dtype_); }
    Device device() const { return device_; }
    DType dtype() const { return dtype_; }
    bool defined() const { return storage_ != nullptr; }

    // Raw pointers on the tensor's device (what kernels take). Checked against dtype.
    float* data();
    const float* data() const;
    std::int32_t* data_i32();
    const std::int32_t* data_i32() const;

    // Host views, only for Device::cpu tensors (throws otherwise: use to_vector()).
    std::span<float> host();
    std::span<const float> host() const;
    std::span<std::int32_t> host_i32();
    std::span<const std::int32_t> host_i32() const;

    // Copies.
    Tensor to(Device device) const;
    Tensor clone() const;
    std::vector<float> to_vector() const;
    std::vector<std::int32_t> to_vector_i32() const;
    void copy_from(std::span<const float> values);
    void copy_from(std::span<const std::int32_t> values);
    void fill(float value);                  // any device
    void fill_zero();                        // any device, a memset there: no host buffer (zero_grad)
    void fill_nan();                         // poison: unwritten elements show up

    // Same storage, new shape with the same number of elements.
    Tensor reshape(Shape shape) const;
    // Same storage: the elements [offset, offset + shape.numel()) seen with `shape`.
    // How one parameter buffer is cut into named weights (ch05+).
    Tensor view(Shape shape, std::size_t offset = 0) const;

    std::string str() const;                 // "Tensor(f32, (2, 3), cpu)"

private:
    void* raw() const;
    void require_dtype(DType t, const char* what) const;
    void require_host(const char* what) const;

    Shape shape_;
    Device device_ = Device::cpu;
    DType dtype_ = DType::f32;
    std::size_t offset_ = 0;       // in elements, into storage_
    std::size_t capacity_ = 0;     // elements in storage_
    std::shared_ptr<void> storage_;
};

}  // namespace ladder
