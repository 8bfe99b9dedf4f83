// safetensors.hpp: read and write the safetensors format (Hugging Face), so checkpoints
// open in Python: 8-byte little-endian header length, a JSON header, then the raw data.
// Introduced in ch01; chapters 5+ save and load their models with it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "core/tensor.hpp"

namespace ladder {

// One tensor to write: its name, dtype, shape and host data (numel * 4 bytes).
struct TensorView {
    std::string name;
    DType dtype = DType::f32;
    std::vector<std::size_t> shape;
    const void* data = nullptr;
};

// One tensor read back, with its bytes.
struct LoadedTensor {
    std::string name;
    DType dtype = DType::f32;
    std::vector<std::size_t> shape;
    std::vector<std::byte> bytes;

    std::size_t numel() const;
    std::span<const float> f32() const;          // throws if dtype is not f32
    std::span<const std::int32_t> i32() const;   // throws if dtype is not i32
};

struct SafeTensors {
    std::map<std::string, std::string> metadata;   // the optional "__metadata__" object
    std::vector<LoadedTensor> tensors;             // in data-offset order
    const LoadedTensor& get(const std::string& name) const;   // throws naming the missing tensor
    bool contains(const std::string& name) const;
};

// Writes to "<path>.tmp" and renames, so a crash never leaves a half-written checkpoint.
void save_safetensors(const std::filesystem::path& path, std::span<const TensorView> tensors,
                      const std::map<std::string, std::string>& metadata = {});

// Validates everything before trusting it: the header length against the file size,
// the JSON, each dtype, shape x dtype size == the byte range, ranges inside the data
// and not overlapping. Errors name the file, the tensor and the offending value.
SafeTensors load_safetensors(const std::filesystem::path& path);
SafeTensors parse_safetensors(std::span<const std::byte> file, const std::string& what = "buffer");

}  // namespace ladder
