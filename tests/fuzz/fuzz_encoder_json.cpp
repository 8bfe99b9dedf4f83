// fuzz_encoder_json.cpp: libFuzzer target: any bytes as encoder.json (with a valid
// vocab.bpe) either load or raise ladder::Error; what loads encodes and decodes exactly.
#include "tests/fuzz/fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string encoder(reinterpret_cast<const char*>(data), size);
    ladder::fuzz::only_ladder_errors([&] {
        const auto t = ladder::tok::BpeTokenizer::from_gpt2_text(encoder, ladder::fuzz::small_vocab_bpe());
        const std::string text = "the then thee";
        if (t.decode(t.encode(text)) != text) std::abort();
    });
    return 0;
}
