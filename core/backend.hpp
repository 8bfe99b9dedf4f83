// backend.hpp: where a model's ops run. A model is written once against ops that take
// a Backend and Tensors (kernels/<op>/<op>.hpp); the Backend picks cpu, simt or cuda.
// Introduced in ch01; each chapter's ops dispatch on backend.device().
#pragma once

#include <functional>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "core/device.hpp"
#include "core/tensor.hpp"

namespace ladder {

class Backend {
public:
    // Throws a clear ladder::Error when the device is not available here
    // ("backend cuda is not available: no CUDA device ...").
    explicit Backend(Device device);
    static Backend parse(const std::string& name);   // "cpu" | "simt" | "cuda"

    Device device() const { return device_; }
    const char* name() const { return device_name(device_); }
    std::string description() const { return device_description(device_); }

    // Tensors on this backend's device.
    Tensor empty(Shape shape, DType dtype = DType::f32) const { return Tensor(shape, device_, dtype); }
    Tensor zeros(Shape shape, DType dtype = DType::f32) const { return Tensor::zeros(shape, device_, dtype); }
    Tensor upload(std::span<const float> values, Shape shape) const { return Tensor::from(values, shape, device_); }
    Tensor upload(std::span<const std::int32_t> values, Shape shape) const {
        return Tensor::from(values, shape, device_);
    }

    // Waits for queued GPU work (and checks the emulator's guard zones).
    void synchronize() const { device_synchronize(device_); }

    // Which GPU version an op uses on simt/cuda: its registry default unless chosen
    // here ("matmul" -> 2). Lets a learner run a whole model on their own version.
    // set_version throws for a name that is not a registered op, listing the ones that are
    // (a typo would otherwise leave the default in place without a word), or for version < 1.
    int version(const std::string& op, int fallback) const;
    void set_version(const std::string& op, int version);

    // Where set_version finds the registered op names. core/ knows no ops: the kernels
    // library installs its registry's names before main (kernels/op_names.cpp).
    static void set_known_ops(std::function<std::vector<std::string>()> names);

private:
    Device device_;
    std::map<std::string, int> versions_;
};

}  // namespace ladder
