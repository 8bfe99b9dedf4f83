// fuzz_common.hpp: what chapter 4's libFuzzer targets share: a small valid vocabulary in
// GPT-2's format (the 256 bytes and a few merges), and the rule that bad input may only
// ever raise ladder::Error -- any other exception, crash or sanitizer report is a bug.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <string>

#include "chapters/ch04_tokenization/pretokenize.hpp"
#include "chapters/ch04_tokenization/tokenizer.hpp"
#include "core/error.hpp"

namespace ladder::fuzz {

// encoder.json with the 256 byte tokens in GPT-2's order and "Ġt", "Ġth", "he".
inline std::string small_encoder_json() {
    std::string s = "{";
    auto add = [&](const std::string& text, int id) {
        std::string esc;
        for (char c : text) esc += (c == '"' || c == '\\') ? std::string("\\") + c : std::string(1, c);
        s += (id ? ", \"" : "\"") + esc + "\": " + std::to_string(id);
    };
    for (int i = 0; i < 256; ++i) add(tok::bytes_to_gpt2_text(std::string(1, static_cast<char>(tok::gpt2_byte_order()[i]))), i);
    add("\xc4\xa0t", 256);
    add("\xc4\xa0th", 257);
    add("he", 258);
    add("<|endoftext|>", 259);
    return s + "}";
}
inline std::string small_vocab_bpe() { return "#version: 0.2\n\xc4\xa0 t\n\xc4\xa0t h\nh e\n"; }

// Runs `body`; a ladder::Error is the expected answer to bad input, anything else aborts.
template <class F>
void only_ladder_errors(F&& body) {
    try {
        body();
    } catch (const Error&) {
    } catch (const std::exception& e) {
        std::fprintf(stderr, "unexpected exception (not ladder::Error): %s\n", e.what());
        std::abort();
    }
}

}  // namespace ladder::fuzz
