// gpt2_load.cpp: a GPT-2 model and its tokenizer from a checkpoint of any of the three kinds
// (gpt2_load.hpp).
#include "chapters/ch07_gpt/gpt2_load.hpp"

#include "chapters/ch07_gpt/gpt2_formats.hpp"
#include "core/error.hpp"
#include "core/nn/checkpoint.hpp"
#include "core/nn/optimizer.hpp"
#include "core/nn/train.hpp"
#include "core/safetensors.hpp"

namespace ladder::ch07 {

namespace fs = std::filesystem;

// [book:load-any]
LoadedGpt2 load_any_gpt2(const fs::path& path, std::size_t heads, Device device, const std::string& what) {
    LADDER_CHECK(fs::exists(path), "{}: no checkpoint at {}", what, path.string());
    if (path.extension() == ".bin") {
        const Gpt2Config cfg = read_llmc_config(path);
        auto m = std::make_unique<Gpt2>(cfg, device, 0);
        load_llmc(path, cfg, m->params());
        return {std::move(m), "llm.c"};
    }
    const auto meta = read_checkpoint_metadata(path);
    if (meta.count("optimizer_steps") && meta.count("config")) {
        const Gpt2Config cfg = Gpt2Config::from_json(meta.at("config"));
        auto m = std::make_unique<Gpt2>(cfg, device, 0);
        Optimizer opt(OptimizerConfig{}, m->params());
        load_training_checkpoint(path, *m, opt);
        return {std::move(m), "ladder training checkpoint"};
    }
    const SafeTensors st = read_hf_file(path);   // read once, for the config and the weights
    const Gpt2Config cfg = read_hf_config(st, path, heads);
    auto m = std::make_unique<Gpt2>(cfg, device, 0);
    load_hf_safetensors(st, path, cfg, m->params());
    return {std::move(m), "Hugging Face safetensors"};
}
// [/book]

tok::BpeTokenizer find_gpt2_tokenizer(const fs::path& checkpoint, const std::string& dir, const std::string& what) {
    if (!dir.empty()) return tok::BpeTokenizer::load_gpt2(dir);
    const fs::path parent = checkpoint.parent_path();
    for (const fs::path& d : {parent / "tokenizer", parent.empty() ? fs::path(".") : parent})
        if (fs::exists(d / "encoder.json") || fs::exists(d / "vocab.json")) return tok::BpeTokenizer::load_gpt2(d);
    LADDER_THROW("{}: no tokenizer found for {}: pass --tokenizer DIR (a folder with GPT-2's encoder.json and "
                 "vocab.bpe; `ch07` and `ch08` write one in tokenizer/ beside their models)",
                 what, checkpoint.string());
}

}  // namespace ladder::ch07
