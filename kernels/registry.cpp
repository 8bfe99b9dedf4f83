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
    LADDER_CHECK(!op.name.empty() && op.make && op.reference.run && op.tolerance,
                 "op '{}' must give a name, a maker, a CPU reference and a tolerance", op.name);
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
