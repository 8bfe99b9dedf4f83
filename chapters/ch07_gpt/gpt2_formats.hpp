// gpt2_formats.hpp: GPT-2's weights in the two files people already use, read and written:
//  - Hugging Face's safetensors (transformers' GPT2Model names: wte.weight, wpe.weight,
//    h.{i}.ln_1.weight, h.{i}.attn.c_attn.weight, ..., ln_f.bias; GPT2LMHeadModel's files prefix
//    them with "transformer." and may add lm_head.weight, the tied copy of wte). HF's Conv1D
//    stores a linear's weight (in, out), the transpose of ours: c_attn (C,3C), attn.c_proj (C,C),
//    mlp.c_fc (C,4C), mlp.c_proj (4C,C) in the file are (3C,C), (C,C), (4C,C), (C,4C) here.
//  - llm.c's gpt2_124M.bin: 256 int32 of header (magic 20240326, version 3, maxT, V, L, NH, C,
//    padded V), then every float32 parameter in llm.c's order, (out, in) like ours, wte padded
//    to Vp rows (zeros on export, dropped on import: the model never sees padded rows).
// Every load checks everything (names, shapes, header, sizes) before it writes into the
// parameters, so a failed load leaves them as they were. Introduced in ch07.
#pragma once

#include <cstddef>
#include <filesystem>

#include "chapters/ch07_gpt/gpt2.hpp"
#include "core/nn/params.hpp"
#include "core/safetensors.hpp"

namespace ladder::ch07 {

// ---- Hugging Face safetensors ----
// No prefix, no lm_head; metadata {"format": "gpt2", "config": cfg.json()}.
void save_hf_safetensors(const std::filesystem::path& path, const Gpt2Config& cfg, const ParamSet& params);
// The config the tensors imply: V and C from wte, T from wpe, L from the h.{i} present. The head
// count is not in the tensors: `heads`, else our metadata's config, else C / 64 (GPT-2's head
// size). fused is false.
Gpt2Config read_hf_config(const std::filesystem::path& path, std::size_t heads = 0);
void load_hf_safetensors(const std::filesystem::path& path, const Gpt2Config& cfg, ParamSet& params);
// The same on a file read once (a 124M checkpoint is half a gigabyte): read_hf_file refuses an
// F16 file with the message load_hf_safetensors gives; path only names the file in messages.
SafeTensors read_hf_file(const std::filesystem::path& path);
Gpt2Config read_hf_config(const SafeTensors& st, const std::filesystem::path& path, std::size_t heads = 0);
void load_hf_safetensors(const SafeTensors& st, const std::filesystem::path& path, const Gpt2Config& cfg,
                         ParamSet& params);

// ---- llm.c ----
inline constexpr int llmc_magic = 20240326;
inline constexpr int llmc_version = 3;   // float32 parameters (version 5 is bfloat16)
std::size_t llmc_padded_vocab(std::size_t V);   // up to a multiple of 128: 50257 -> 50304
void save_llmc(const std::filesystem::path& path, const Gpt2Config& cfg, const ParamSet& params);
Gpt2Config read_llmc_config(const std::filesystem::path& path);
void load_llmc(const std::filesystem::path& path, const Gpt2Config& cfg, ParamSet& params);

}  // namespace ladder::ch07
