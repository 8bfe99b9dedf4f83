// registry.cpp: Case, Problem and Registry, and the input fillers.
#include "kernels/registry.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"

namespace ladder {

std::size_t Case::operator[](std::string_view name) const {
    for (const auto& [k, v] : dims)
        if (k == name) return v;
    LADDER_THROW("case '{}' has no dimension '{}'", str(), name);
}

std::size_t Case::get(std::string_view name, std::size_t fallback) const {
    for (const auto& [k, v] : dims)
        if (k == name) return v;
    return fallback;
}

std::string Case::str() const {
    std::string s;
    for (const auto& [k, v] : dims) s += fmt::format("{}{}={}", s.empty() ? "" : " ", k, v);
    return s;
}

std::vector<Case> cases(std::initializer_list<std::string_view> names,
                        std::initializer_list<std::initializer_list<std::size_t>> rows) {
    std::vector<Case> out;
    for (const auto& row : rows) {
        LADDER_CHECK(row.size() == names.size(), "cases: a row has {} sizes for {} dimensions", row.size(), names.size());
        Case c;
        auto v = row.begin();
        for (std::string_view name : names) {
            const std::size_t x = *v++;
            const bool flag = name.ends_with('?');
            if (flag && x == 0) continue;
            c.dims.emplace_back(std::string(flag ? name.substr(0, name.size() - 1) : name), x);
        }
        out.push_back(std::move(c));
    }
    return out;
}

// ---- Problem64 ----
std::vector<double>& Problem64::add_f64(const std::string& name, Shape shape) {
    for (auto& b : f64_)
        if (b.name == name) {
            b = F64{name, shape, std::vector<double>(shape.numel(), 0.0)};
            return b.data;
        }
    f64_.push_back(F64{name, shape, std::vector<double>(shape.numel(), 0.0)});
    return f64_.back().data;
}

std::vector<std::int32_t>& Problem64::add_i32(const std::string& name, Shape shape) {
    LADDER_CHECK(!has(name), "problem64 already has a buffer '{}'", name);
    i32_.push_back(I32{name, shape, std::vector<std::int32_t>(shape.numel(), 0)});
    return i32_.back().data;
}

bool Problem64::has(std::string_view name) const {
    return std::any_of(f64_.begin(), f64_.end(), [&](const F64& b) { return b.name == name; }) ||
           std::any_of(i32_.begin(), i32_.end(), [&](const I32& b) { return b.name == name; });
}

std::vector<double>& Problem64::values(std::string_view name) {
    for (auto& b : f64_)
        if (b.name == name) return b.data;
    LADDER_THROW("problem ({}) has no double buffer '{}'", case_.str(), name);
}

double* Problem64::f64(std::string_view name) { return values(name).data(); }
const double* Problem64::f64(std::string_view name) const { return const_cast<Problem64*>(this)->f64(name); }

const std::int32_t* Problem64::i32(std::string_view name) const {
    for (const auto& b : i32_)
        if (b.name == name) return b.data.data();
    LADDER_THROW("problem ({}) has no int32 buffer '{}'", case_.str(), name);
}

const Shape& Problem64::shape(std::string_view name) const {
    for (const auto& b : f64_)
        if (b.name == name) return b.shape;
    for (const auto& b : i32_)
        if (b.name == name) return b.shape;
    LADDER_THROW("problem ({}) has no buffer '{}'", case_.str(), name);
}

namespace {
template <class T>
std::span<T> add_buffer(Problem& p, std::vector<Buffer>& bufs, std::string name, Role role, Shape shape, DType dtype) {
    LADDER_CHECK(std::none_of(bufs.begin(), bufs.end(), [&](const Buffer& b) { return b.name == name; }),
                 "problem already has a buffer '{}'", name);
    bufs.push_back(Buffer{std::move(name), dtype, role, shape, Tensor(Shape{shape.numel()}, p.device(), dtype)});
    if (p.device() != Device::cpu) return {};
    void* raw = dtype == DType::f32 ? static_cast<void*>(bufs.back().storage.data())
                                    : static_cast<void*>(bufs.back().storage.data_i32());
    return {static_cast<T*>(raw), shape.numel()};
}
}  // namespace

std::span<float> Problem::add_f32(std::string name, Role role, Shape shape) {
    return add_buffer<float>(*this, buffers_, std::move(name), role, shape, DType::f32);
}

std::span<std::int32_t> Problem::add_i32(std::string name, Role role, Shape shape) {
    return add_buffer<std::int32_t>(*this, buffers_, std::move(name), role, shape, DType::i32);
}

const Buffer& Problem::buffer(std::string_view name) const {
    for (const auto& b : buffers_)
        if (b.name == name) return b;
    LADDER_THROW("problem ({}) has no buffer '{}'", case_.str(), name);
}

Buffer& Problem::buffer(std::string_view name) {
    return const_cast<Buffer&>(static_cast<const Problem&>(*this).buffer(name));
}

Tensor Problem::tensor(std::string_view name) const {
    const Buffer& b = buffer(name);
    return b.storage.view(b.shape);
}

float* Problem::f32(std::string_view name) { return buffer(name).storage.data(); }
const float* Problem::f32(std::string_view name) const { return buffer(name).storage.data(); }
std::int32_t* Problem::i32(std::string_view name) { return buffer(name).storage.data_i32(); }
const std::int32_t* Problem::i32(std::string_view name) const { return buffer(name).storage.data_i32(); }

std::vector<GpuVersion> numbered_versions(int count, std::initializer_list<const char*> notes,
                                          const std::function<void(Device, int, Problem&)>& run) {
    LADDER_CHECK(static_cast<int>(notes.size()) == count, "numbered_versions: {} notes for {} versions", notes.size(),
                 count);
    std::vector<GpuVersion> out;
    int v = 0;
    for (const char* note : notes) {
        ++v;
        out.push_back({"v" + std::to_string(v), note, [run, v](Device d, Problem& p) { run(d, v, p); }});
    }
    return out;
}

void Registry::add(OpSpec op) {
    LADDER_CHECK(!op.name.empty() && op.make && op.reference.run, "op '{}' must give a name, a maker and a CPU reference",
                 op.name);
    if (op.differentiates) {
        const Differentiates& d = *op.differentiates;
        LADDER_CHECK(!d.forward.empty() && !d.outputs.empty() && !d.wrt.empty() && d.backward_f64 && !d.cases.empty(),
                     "op '{}': differentiates must name the forward op, its outputs and inputs, give backward_f64 and "
                     "cases", op.name);
        // The forward is registered first (or is this op itself, for a fused forward + backward).
        const bool self = d.forward == op.name;
        LADDER_CHECK(self || std::any_of(ops_.begin(), ops_.end(), [&](const OpSpec& o) { return o.name == d.forward; }),
                     "op '{}' differentiates '{}', which is not registered before it", op.name, d.forward);
        LADDER_CHECK(self ? static_cast<bool>(op.reference_f64) : static_cast<bool>(get(d.forward).reference_f64),
                     "op '{}' differentiates '{}', which gives no reference_f64", op.name, d.forward);
    }
    LADDER_CHECK(std::none_of(ops_.begin(), ops_.end(), [&](const OpSpec& o) { return o.name == op.name; }),
                 "op '{}' registered twice", op.name);
    LADDER_CHECK(!op.test_cases.empty(), "op '{}' has no test cases", op.name);
    ops_.push_back(std::move(op));
}

const OpSpec& Registry::get(std::string_view name) const {
    for (const auto& op : ops_)
        if (op.name == name) return op;
    std::string known;
    for (const auto& op : ops_) known += (known.empty() ? "" : ", ") + op.name;
    LADDER_THROW("no op named '{}' (known: {})", name, known);
}

std::vector<const OpSpec*> Registry::chapter(std::string_view ch) const {
    std::vector<const OpSpec*> out;
    for (const auto& op : ops_)
        if (op.chapter == ch) out.push_back(&op);
    return out;
}

std::vector<std::string> Registry::chapters() const {
    std::vector<std::string> out;
    for (const auto& op : ops_)
        if (std::find(out.begin(), out.end(), op.chapter) == out.end()) out.push_back(op.chapter);
    std::sort(out.begin(), out.end());
    return out;
}

void fill_test_values(Rng& rng, std::span<float> out, std::size_t row) {
    rng.fill_normal(out, 0.0f, 1.0f);
    if (row == 0) return;
    // Three outliers per row, 20x larger: a kernel that mishandles large values or
    // accumulates in the wrong order shows it.
    for (std::size_t start = 0; start < out.size(); start += row) {
        const std::size_t n = std::min(row, out.size() - start);
        for (int k = 0; k < 3 && n > 8; ++k) out[start + rng.below(n)] *= 20.0f;
    }
}

void fill_small_ints(Rng& rng, std::span<float> out, int lo, int hi) {
    for (float& x : out) x = static_cast<float>(lo + static_cast<int>(rng.below(static_cast<std::uint64_t>(hi - lo + 1))));
}

}  // namespace ladder
