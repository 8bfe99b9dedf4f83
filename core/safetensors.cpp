// safetensors.cpp: the safetensors reader (validating) and writer (temp file + rename).
#include "core/safetensors.hpp"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/fileio.hpp"

namespace ladder {

namespace {

const char* safetensors_dtype(DType t) { return t == DType::f32 ? "F32" : "I32"; }

std::uint64_t read_le64(const std::byte* p) {
    std::uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<std::uint64_t>(p[i]);
    return v;
}

void write_le64(std::ostream& out, std::uint64_t v) {
    char b[8];
    for (int i = 0; i < 8; ++i) b[i] = static_cast<char>((v >> (8 * i)) & 0xff);
    out.write(b, 8);
}

std::size_t checked_numel(const std::vector<std::size_t>& shape, const std::string& what) {
    std::size_t n = 1;
    for (std::size_t d : shape) {
        LADDER_CHECK(d == 0 || n <= SIZE_MAX / d, "{}: shape overflows", what);
        n *= d;
    }
    return n;
}

}  // namespace

std::size_t LoadedTensor::numel() const { return checked_numel(shape, name); }

std::span<const float> LoadedTensor::f32() const {
    LADDER_CHECK(dtype == DType::f32, "tensor '{}' holds {}, not F32", name, safetensors_dtype(dtype));
    return {reinterpret_cast<const float*>(bytes.data()), bytes.size() / 4};
}

std::span<const std::int32_t> LoadedTensor::i32() const {
    LADDER_CHECK(dtype == DType::i32, "tensor '{}' holds {}, not I32", name, safetensors_dtype(dtype));
    return {reinterpret_cast<const std::int32_t*>(bytes.data()), bytes.size() / 4};
}

const LoadedTensor& SafeTensors::get(const std::string& name) const {
    for (const auto& t : tensors)
        if (t.name == name) return t;
    LADDER_THROW("no tensor named '{}' in the checkpoint ({} tensors)", name, tensors.size());
}

bool SafeTensors::contains(const std::string& name) const {
    return std::any_of(tensors.begin(), tensors.end(), [&](const auto& t) { return t.name == name; });
}

void save_safetensors(const std::filesystem::path& path, std::span<const TensorView> tensors,
                      const std::map<std::string, std::string>& metadata) {
    nlohmann::ordered_json header = nlohmann::ordered_json::object();
    if (!metadata.empty()) header["__metadata__"] = metadata;
    std::uint64_t offset = 0;
    for (const auto& t : tensors) {
        LADDER_CHECK(!t.name.empty() && t.name != "__metadata__", "save_safetensors: bad tensor name '{}'", t.name);
        LADDER_CHECK(!header.contains(t.name), "save_safetensors: tensor '{}' appears twice", t.name);
        const std::uint64_t bytes = checked_numel(t.shape, t.name) * dtype_size(t.dtype);
        header[t.name] = {{"dtype", safetensors_dtype(t.dtype)}, {"shape", t.shape}, {"data_offsets", {offset, offset + bytes}}};
        offset += bytes;
    }
    std::string text = header.dump();
    text.append((8 - text.size() % 8) % 8, ' ');   // pad so the data starts 8-byte aligned

    write_file_atomic(path, [&](std::ostream& out) {
        write_le64(out, text.size());
        out.write(text.data(), static_cast<std::streamsize>(text.size()));
        for (const auto& t : tensors)
            out.write(static_cast<const char*>(t.data),
                      static_cast<std::streamsize>(checked_numel(t.shape, t.name) * dtype_size(t.dtype)));
    });
}

SafeTensors parse_safetensors(std::span<const std::byte> file, const std::string& what) {
    LADDER_CHECK(file.size() >= 8, "{}: {} bytes is too short for a safetensors file (needs an 8-byte header length)",
                 what, file.size());
    const std::uint64_t header_len = read_le64(file.data());
    LADDER_CHECK(header_len <= file.size() - 8, "{}: header length {} exceeds the file size {} (truncated or not safetensors)",
                 what, header_len, file.size());
    const auto* header_begin = reinterpret_cast<const char*>(file.data() + 8);
    nlohmann::json header;
    try {
        header = nlohmann::json::parse(header_begin, header_begin + header_len);
    } catch (const nlohmann::json::exception& e) {
        LADDER_THROW("{}: the JSON header (bytes 8..{}) does not parse: {}", what, 8 + header_len, e.what());
    }
    LADDER_CHECK(header.is_object(), "{}: the JSON header is not an object", what);

    const std::byte* data = file.data() + 8 + header_len;
    const std::uint64_t data_size = file.size() - 8 - header_len;
    SafeTensors out;
    std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges;   // [begin, end) per tensor
    for (const auto& [name, entry] : header.items()) {
        if (name == "__metadata__") {
            LADDER_CHECK(entry.is_object(), "{}: __metadata__ is not an object", what);
            for (const auto& [k, v] : entry.items()) {
                LADDER_CHECK(v.is_string(), "{}: __metadata__ value '{}' is not a string", what, k);
                out.metadata[k] = v.get<std::string>();
            }
            continue;
        }
        const std::string where = what + ": tensor '" + name + "'";
        LADDER_CHECK(entry.is_object() && entry.contains("dtype") && entry.contains("shape") && entry.contains("data_offsets"),
                     "{} lacks dtype, shape or data_offsets", where);
        LoadedTensor t;
        t.name = name;
        const auto& dt = entry["dtype"];
        LADDER_CHECK(dt.is_string(), "{}: dtype is not a string", where);
        if (dt == "F32") t.dtype = DType::f32;
        else if (dt == "I32") t.dtype = DType::i32;
        else LADDER_THROW("{}: dtype {} is not supported (F32 and I32 are)", where, dt.dump());
        LADDER_CHECK(entry["shape"].is_array(), "{}: shape is not an array", where);
        for (const auto& d : entry["shape"]) {
            LADDER_CHECK(d.is_number_unsigned(), "{}: shape entry {} is not a non-negative integer", where, d.dump());
            t.shape.push_back(d.get<std::size_t>());
        }
        const auto& off = entry["data_offsets"];
        LADDER_CHECK(off.is_array() && off.size() == 2 && off[0].is_number_unsigned() && off[1].is_number_unsigned(),
                     "{}: data_offsets must be two non-negative integers, got {}", where, off.dump());
        const auto begin = off[0].get<std::uint64_t>(), end = off[1].get<std::uint64_t>();
        LADDER_CHECK(begin <= end && end <= data_size, "{}: data_offsets [{}, {}] fall outside the {} data bytes",
                     where, begin, end, data_size);
        const std::uint64_t expected = checked_numel(t.shape, where) * dtype_size(t.dtype);
        LADDER_CHECK(end - begin == expected, "{}: shape {} of {} needs {} bytes but data_offsets give {}", where,
                     entry["shape"].dump(), dt.get<std::string>(), expected, end - begin);
        t.bytes.assign(data + begin, data + end);
        out.tensors.push_back(std::move(t));
        ranges.emplace_back(begin, end);
    }
    // Put the tensors in file order and make sure no two byte ranges overlap.
    std::vector<std::size_t> order(ranges.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](auto a, auto b) { return ranges[a] < ranges[b]; });
    for (std::size_t k = 1; k < order.size(); ++k) {
        const auto& prev = ranges[order[k - 1]];
        const auto& cur = ranges[order[k]];
        LADDER_CHECK(cur.first >= prev.second, "{}: tensors '{}' and '{}' overlap (bytes [{}, {}) and [{}, {}))", what,
                     out.tensors[order[k - 1]].name, out.tensors[order[k]].name, prev.first, prev.second, cur.first,
                     cur.second);
    }
    std::vector<LoadedTensor> sorted;
    for (auto i : order) sorted.push_back(std::move(out.tensors[i]));
    out.tensors = std::move(sorted);
    return out;
}

SafeTensors load_safetensors(const std::filesystem::path& path) {
    const std::string file = read_file(path);
    return parse_safetensors(std::as_bytes(std::span(file.data(), file.size())), path.string());
}

}  // namespace ladder
