// checkpoint.cpp: checkpoints on top of safetensors: the tensor list from the ParamSet's views,
// host copies of device buffers, and the checks that a file fits the model before loading. ch05.
#include "core/nn/checkpoint.hpp"

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <ranges>
#include <vector>

#include "core/error.hpp"
#include "core/safetensors.hpp"

namespace ladder {

namespace {

// One tensor the model stores: which host buffer it comes from (0: the parameters, 1..: each
// optimizer state, then each extra tensor) and where in it.
struct Expected {
    std::string name;   // "wte", "adamw.m.wte", "state.carried"
    Shape shape;
    std::size_t buffer = 0;
    std::size_t offset = 0;
};

// The buffers a checkpoint reads from and writes into, in Expected::buffer order.
std::vector<Tensor> buffers(const ParamSet& params, std::span<const std::pair<std::string, Tensor>> optimizer_state,
                            std::span<const std::pair<std::string, Tensor>> extra) {
    std::vector<Tensor> out{params.values()};
    for (const auto& [name, t] : optimizer_state) out.push_back(t);
    for (const auto& [name, t] : extra) out.push_back(t);
    return out;
}

std::vector<Expected> expected_tensors(const ParamSet& params,
                                       std::span<const std::pair<std::string, Tensor>> optimizer_state,
                                       std::span<const std::pair<std::string, Tensor>> extra, const std::string& what) {
    std::vector<Expected> out;
    for (const auto& v : params.views()) out.push_back({v.name, v.shape, 0, v.offset});
    for (std::size_t k = 0; k < optimizer_state.size(); ++k) {
        const auto& [state, t] = optimizer_state[k];
        LADDER_CHECK(!state.empty(), "{}: optimizer state {} has an empty name", what, k);
        LADDER_CHECK(t.defined() && t.dtype() == DType::f32 && t.numel() == params.numel(),
                     "{}: optimizer state '{}' must be an f32 buffer of the parameters' layout ({} elements), got {}",
                     what, state, params.numel(), t.defined() ? t.str() : std::string("an empty Tensor"));
        for (const auto& v : params.views()) out.push_back({state + "." + v.name, v.shape, 1 + k, v.offset});
    }
    for (std::size_t k = 0; k < extra.size(); ++k) {
        const auto& [name, t] = extra[k];
        LADDER_CHECK(!name.empty(), "{}: extra tensor {} has an empty name", what, k);
        LADDER_CHECK(t.defined() && t.dtype() == DType::f32, "{}: extra tensor '{}' must be f32, got {}", what, name,
                     t.defined() ? t.str() : std::string("an empty Tensor"));
        out.push_back({name, t.shape(), 1 + optimizer_state.size() + k, 0});
    }
    for (std::size_t i = 0; i < out.size(); ++i)
        for (std::size_t j = 0; j < i; ++j)
            LADDER_CHECK(out[i].name != out[j].name, "{}: two tensors would be stored as '{}'", what, out[i].name);
    return out;
}

std::string shape_str(const std::vector<std::size_t>& dims) { return Shape(std::span(dims)).str(); }

// "a, b, c" or "a, b, ... (40 more)" for long models.
template <class Names>
std::string name_list(const Names& names) {
    constexpr std::size_t kShown = 12;
    std::string out;
    std::size_t n = 0;
    for (const auto& name : names) {
        if (n++ < kShown) out += (out.empty() ? "" : ", ") + name;
    }
    if (n > kShown) out += fmt::format(", ... ({} more)", n - kShown);
    return out.empty() ? "no tensors" : out;
}

std::uint64_t read_le64(const unsigned char* p) {
    std::uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
    return v;
}

}  // namespace

void save_checkpoint(const std::filesystem::path& path, const ParamSet& params,
                     std::span<const std::pair<std::string, Tensor>> optimizer_state,
                     const std::map<std::string, std::string>& metadata,
                     std::span<const std::pair<std::string, Tensor>> extra) {
    const std::vector<Expected> tensors =
        expected_tensors(params, optimizer_state, extra, "save_checkpoint " + path.string());
    // Host copies of the whole buffers; the TensorViews point into them at each tensor's offset.
    std::vector<std::vector<float>> host;
    for (const Tensor& b : buffers(params, optimizer_state, extra)) host.push_back(b.to_vector());
    std::vector<TensorView> views;
    for (const auto& e : tensors) {
        const auto dims = e.shape.dims();
        views.push_back({e.name, DType::f32, std::vector<std::size_t>(dims.begin(), dims.end()),
                         host[e.buffer].data() + e.offset});
    }
    save_safetensors(path, views, metadata);
}

std::map<std::string, std::string> load_checkpoint(const std::filesystem::path& path, ParamSet& params,
                                                   std::span<const std::pair<std::string, Tensor>> optimizer_state,
                                                   std::span<const std::pair<std::string, Tensor>> extra) {
    const std::string file = path.string();
    const std::vector<Expected> tensors = expected_tensors(params, optimizer_state, extra, "load_checkpoint " + file);
    const SafeTensors st = load_safetensors(path);   // validates the file itself (length, JSON, offsets)

    // Check everything first: a checkpoint that does not fit leaves the model untouched.
    std::map<std::string, const Expected*> by_name;
    for (const auto& e : tensors) by_name[e.name] = &e;
    for (const auto& e : tensors) {
        if (!st.contains(e.name)) {
            std::vector<std::string> held;
            for (const auto& t : st.tensors) held.push_back(t.name);
            LADDER_THROW("checkpoint {} has no tensor '{}' (the model expects shape {}); it holds {}", file, e.name,
                         e.shape.str(), name_list(held));
        }
        const LoadedTensor& t = st.get(e.name);
        const auto want = e.shape.dims();
        LADDER_CHECK(t.shape == std::vector<std::size_t>(want.begin(), want.end()),
                     "checkpoint {}: tensor '{}' has shape {}, the model expects {}", file, e.name, shape_str(t.shape),
                     e.shape.str());
        LADDER_CHECK(t.dtype == DType::f32, "checkpoint {}: tensor '{}' holds {}, the model expects f32", file, e.name,
                     dtype_name(t.dtype));
    }
    for (const auto& t : st.tensors) {
        if (by_name.count(t.name)) continue;
        // "adamw.m.wte" when no optimizer state was passed: say what it probably is.
        std::string hint;
        for (const auto& v : params.views()) {
            const std::string suffix = "." + v.name;
            if (t.name.size() > suffix.size() && t.name.ends_with(suffix)) {
                hint = fmt::format(" (optimizer state '{}'? pass it to load_checkpoint)",
                                   t.name.substr(0, t.name.size() - suffix.size()));
                break;
            }
        }
        LADDER_THROW("checkpoint {} holds tensor '{}' of shape {} that the model does not have{}; the model's "
                     "tensors are {}",
                     file, t.name, shape_str(t.shape), hint, name_list(by_name | std::views::keys));
    }

    // Write: whole host buffers (the padding kept as it is), one copy per buffer to the device.
    std::vector<Tensor> targets = buffers(params, optimizer_state, extra);
    std::vector<std::vector<float>> host;
    for (const Tensor& b : targets) host.push_back(b.to_vector());
    for (const auto& e : tensors) {
        const auto values = st.get(e.name).f32();
        std::memcpy(host[e.buffer].data() + e.offset, values.data(), values.size_bytes());
    }
    for (std::size_t i = 0; i < targets.size(); ++i) targets[i].copy_from(host[i]);
    return st.metadata;
}

std::map<std::string, std::string> read_checkpoint_metadata(const std::filesystem::path& path) {
    // The same checks as load_safetensors on the part it reads: the header length against the
    // file size, the JSON, and __metadata__ as an object of strings.
    const std::string file = path.string();
    std::error_code ec;
    const std::uintmax_t size = std::filesystem::file_size(path, ec);
    LADDER_CHECK(!ec, "cannot open checkpoint {}: {}", file, ec.message());
    std::ifstream in(path, std::ios::binary);
    LADDER_CHECK(in, "cannot open checkpoint {}: {}", file, std::strerror(errno));
    LADDER_CHECK(size >= 8, "{}: {} bytes is too short for a safetensors file (needs an 8-byte header length)", file,
                 size);
    unsigned char len_bytes[8];
    in.read(reinterpret_cast<char*>(len_bytes), 8);
    const std::uint64_t header_len = read_le64(len_bytes);
    LADDER_CHECK(in && header_len <= size - 8,
                 "{}: header length {} exceeds the file size {} (truncated or not safetensors)", file, header_len, size);
    std::string header_text(header_len, '\0');
    in.read(header_text.data(), static_cast<std::streamsize>(header_len));
    LADDER_CHECK(in, "{}: reading the {}-byte header failed", file, header_len);
    nlohmann::json header;
    try {
        header = nlohmann::json::parse(header_text);
    } catch (const nlohmann::json::exception& e) {
        LADDER_THROW("{}: the JSON header (bytes 8..{}) does not parse: {}", file, 8 + header_len, e.what());
    }
    LADDER_CHECK(header.is_object(), "{}: the JSON header is not an object", file);
    std::map<std::string, std::string> meta;
    if (!header.contains("__metadata__")) return meta;
    const auto& m = header["__metadata__"];
    LADDER_CHECK(m.is_object(), "{}: __metadata__ is not an object", file);
    for (const auto& [k, v] : m.items()) {
        LADDER_CHECK(v.is_string(), "{}: __metadata__ value '{}' is not a string", file, k);
        meta[k] = v.get<std::string>();
    }
    return meta;
}

const std::string& require_meta(const std::map<std::string, std::string>& meta, const std::string& key,
                                const std::filesystem::path& path) {
    const auto it = meta.find(key);
    if (it == meta.end()) {
        LADDER_THROW("checkpoint {} has no metadata '{}' (it has: {})", path.string(), key,
                     meta.empty() ? std::string("none") : name_list(meta | std::views::keys));
    }
    return it->second;
}

}  // namespace ladder
