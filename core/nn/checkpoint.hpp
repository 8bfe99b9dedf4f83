// checkpoint.hpp: save and resume training: a model's parameters, its optimizer's state and
// metadata (config, step, data position, Rng state) in one safetensors file. Each tensor is
// stored with its view's shape ("wte" (V, C), "adamw.m.wte" (V, C)). Introduced in ch05.
#pragma once

#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <utility>

#include "core/nn/params.hpp"
#include "core/tensor.hpp"

namespace ladder {

// Writes the parameters under their view names, each optimizer state tensor (a buffer of the
// parameters' layout, (numel), e.g. {"adamw.m", m}) cut the same way under
// "<state>.<view name>" ("adamw.m.wte"), and the metadata (strings; the caller puts "config",
// "step", "data", "rng", ...). The padding between views is not stored. Device tensors are
// copied to the host first. Written to a temp file and renamed (save_safetensors), so a save
// that fails or is killed leaves the previous checkpoint at `path` whole.
// `extra`: tensors of any f32 shape stored as they are under their own names (an RNN's hidden
// state carried between batches: {"state.carried", h} (B, H)).
void save_checkpoint(const std::filesystem::path& path, const ParamSet& params,
                     std::span<const std::pair<std::string, Tensor>> optimizer_state,
                     const std::map<std::string, std::string>& metadata,
                     std::span<const std::pair<std::string, Tensor>> extra = {});

// Reads into existing buffers (build the model from its config first). Every expected tensor
// must be in the file with the expected shape, and every tensor in the file must be expected;
// errors name the file, the tensor, and the expected and found shapes. Everything is checked
// before anything is written, so a failed load leaves params and the state as they were.
// Returns the metadata. `extra` as in save_checkpoint, read into the given tensors.
std::map<std::string, std::string> load_checkpoint(const std::filesystem::path& path, ParamSet& params,
                                                   std::span<const std::pair<std::string, Tensor>> optimizer_state,
                                                   std::span<const std::pair<std::string, Tensor>> extra = {});

// Only the metadata (to read a model's config before building it): reads the JSON header,
// not the tensors.
std::map<std::string, std::string> read_checkpoint_metadata(const std::filesystem::path& path);

// meta.at(key), or "checkpoint X has no metadata 'step' (it has: config, rng)".
const std::string& require_meta(const std::map<std::string, std::string>& meta, const std::string& key,
                                const std::filesystem::path& path);

}  // namespace ladder
