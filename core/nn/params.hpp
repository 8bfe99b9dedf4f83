// params.hpp: a model's parameters as one f32 buffer cut into named views (llm.c's
// ParameterTensors), with a gradient buffer of the same layout, on one device.
// values, grads (numel); each view (its spec's shape). Introduced in ch05, used by ch06+.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "core/device.hpp"
#include "core/tensor.hpp"

namespace ladder {

// One parameter as a model lists it. decay: weight decay applies (matrices and embeddings
// yes; biases and layer-norm gains no, as in GPT-2 training).
struct ParamSpec {
    std::string name;
    Shape shape;
    bool decay = true;
};

// Where a parameter lives in the buffer: elements [offset, offset + shape.numel()).
struct ParamView {
    std::string name;
    Shape shape;
    std::size_t offset = 0;
    bool decay = true;
};

// ParamSet p({{"wte", {V, C}}, {"b", {C}, false}}, Device::cpu);
// p.views():  wte at offset 0, b at offset round_up(V*C, 16)
// p.value("wte") is a (V, C) Tensor sharing p.values()'s storage; p.grad("wte") likewise.
// Checkpoints, weight decay and logging iterate views(); the optimizers and zero_grad() run
// once over the whole buffers.
// [book:param-set]
class ParamSet {
public:
    // Each view starts on a multiple of kAlign floats (64 bytes) from the buffer's start, which
    // cudaMalloc aligns to 256 bytes, the cpu allocator to 64 and the emulator to 16: a kernel may
    // load any parameter with float4 (16-byte) vector loads, and on cpu and cuda no two
    // parameters share a 64-byte cache line. The padding (under 16 floats per view) is part of numel(); it starts at
    // zero in values and grads and stays zero through any optimizer (zero gradient, zero value,
    // zero state: SGD and AdamW both leave it at 0), and checkpoints do not store it.
    static constexpr std::size_t kAlign = 16;

    // Values and grads start at zero. Throws on a duplicate name, an empty name, or an empty
    // shape (rank 0 or a zero dimension).
    ParamSet(std::vector<ParamSpec> specs, Device device);

    Device device() const { return device_; }
    std::size_t numel() const { return values_.numel(); }        // with the padding
    std::size_t count() const;                                   // the parameters: the views' elements, no padding
    const std::vector<ParamView>& views() const { return views_; }  // in spec order, offsets increasing

    Tensor& values() { return values_; }                         // (numel)
    const Tensor& values() const { return values_; }
    Tensor& grads() { return grads_; }                           // (numel)
    const Tensor& grads() const { return grads_; }

    // Views with the spec's shape, sharing the buffers' storage (writes go to the buffers).
    Tensor value(const std::string& name) const;
    Tensor grad(const std::string& name) const;
    Tensor value(std::size_t i) const;                           // i-th view in spec order
    Tensor grad(std::size_t i) const;
    // Throws naming the unknown name and listing the known ones.
    const ParamView& view(const std::string& name) const;

    void zero_grad();   // one memset of the gradient buffer on its device

    // A host copy of one parameter / host values written into one (initialisation, tests).
    std::vector<float> host_value(const std::string& name) const;
    void set_value(const std::string& name, std::span<const float> values);

private:
    const ParamView& view_at(std::size_t i) const;

    Device device_;
    std::vector<ParamView> views_;
    Tensor values_, grads_;
};
// [/book]

}  // namespace ladder
