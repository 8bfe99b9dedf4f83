// gpt2_load.hpp: a GPT-2 model from whichever checkpoint file it is given, and the tokenizer that
// goes with it: what `ladder generate` (ch07) and `ladder compress` (ch08) start from.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>

#include "chapters/ch04_tokenization/tokenizer.hpp"
#include "chapters/ch07_gpt/gpt2.hpp"
#include "core/device.hpp"

namespace ladder::ch07 {

struct LoadedGpt2 {
    std::unique_ptr<Gpt2> model;
    std::string format;   // "llm.c", "ladder training checkpoint" or "Hugging Face safetensors"
};

// Which of the three files this is: llm.c's .bin by its header; a safetensors file written by our
// training loop (it has an optimizer's state and our config); or Hugging Face's GPT-2 names
// (`heads`: their head count, 0 for our metadata's or C / 64). `what` starts the messages.
LoadedGpt2 load_any_gpt2(const std::filesystem::path& path, std::size_t heads, Device device,
                         const std::string& what = "generate");

// The tokenizer of a checkpoint: `dir` when given, else a tokenizer/ folder beside the checkpoint,
// else GPT-2's files (encoder.json + vocab.bpe) in the checkpoint's own folder.
tok::BpeTokenizer find_gpt2_tokenizer(const std::filesystem::path& checkpoint, const std::string& dir,
                                      const std::string& what = "generate");

}  // namespace ladder::ch07
