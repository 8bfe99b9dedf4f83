// params.cpp: ParamSet, the layout of a model's parameters in one buffer (see params.hpp).
// The offsets are a running sum in spec order, each rounded up to kAlign floats. ch05.
#include "core/nn/params.hpp"

#include <utility>

#include "core/error.hpp"

namespace ladder {

namespace {
std::size_t round_up(std::size_t n, std::size_t m) { return (n + m - 1) / m * m; }

std::string known_names(const std::vector<ParamView>& views) {
    std::string out;
    for (const auto& v : views) out += (out.empty() ? "" : ", ") + v.name;
    return out.empty() ? "none" : out;
}
}  // namespace

ParamSet::ParamSet(std::vector<ParamSpec> specs, Device device) : device_(device) {
    std::size_t offset = 0;
    for (auto& spec : specs) {
        LADDER_CHECK(!spec.name.empty(), "ParamSet: parameter {} of {} has an empty name", views_.size(), specs.size());
        for (const auto& v : views_)
            LADDER_CHECK(v.name != spec.name, "ParamSet: the parameter name '{}' appears twice", spec.name);
        LADDER_CHECK(spec.shape.rank() > 0 && spec.shape.numel() > 0,
                     "ParamSet: parameter '{}' has the empty shape {} (a parameter needs at least one element; "
                     "write a scalar as (1,))",
                     spec.name, spec.shape.str());
        // spec order, [offset, offset + numel), then padding up to the next multiple of kAlign
        views_.push_back(ParamView{std::move(spec.name), spec.shape, offset, spec.decay});
        offset = round_up(offset + spec.shape.numel(), kAlign);
    }
    LADDER_CHECK(!views_.empty(), "ParamSet: no parameters given");
    values_ = Tensor::zeros({offset}, device);   // (numel); the padding too
    grads_ = Tensor::zeros({offset}, device);
}

const ParamView& ParamSet::view(const std::string& name) const {
    for (const auto& v : views_)
        if (v.name == name) return v;
    LADDER_THROW("no parameter named '{}'; the parameters are: {}", name, known_names(views_));
}

const ParamView& ParamSet::view_at(std::size_t i) const {
    LADDER_CHECK(i < views_.size(), "parameter index {} out of range: there are {} parameters ({})", i, views_.size(),
                 known_names(views_));
    return views_[i];
}

Tensor ParamSet::value(const std::string& name) const {
    const ParamView& v = view(name);
    return values_.view(v.shape, v.offset);
}

Tensor ParamSet::grad(const std::string& name) const {
    const ParamView& v = view(name);
    return grads_.view(v.shape, v.offset);
}

Tensor ParamSet::value(std::size_t i) const {
    const ParamView& v = view_at(i);
    return values_.view(v.shape, v.offset);
}

Tensor ParamSet::grad(std::size_t i) const {
    const ParamView& v = view_at(i);
    return grads_.view(v.shape, v.offset);
}

void ParamSet::zero_grad() { grads_.fill_zero(); }

std::vector<float> ParamSet::host_value(const std::string& name) const { return value(name).to_vector(); }

void ParamSet::set_value(const std::string& name, std::span<const float> values) {
    Tensor v = value(name);
    LADDER_CHECK(values.size() == v.numel(), "set_value: parameter '{}' of shape {} takes {} values, got {}", name,
                 v.shape().str(), v.numel(), values.size());
    v.copy_from(values);
}

std::size_t ParamSet::count() const {
    std::size_t n = 0;
    for (const ParamView& v : views_) n += v.shape.numel();
    return n;
}

}  // namespace ladder
