// fuzz_vocab_bpe.cpp: libFuzzer target: any bytes as vocab.bpe (with a valid
// encoder.json) either load or raise ladder::Error; what loads round-trips text exactly.
#include "tests/fuzz/fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const std::string encoder = ladder::fuzz::small_encoder_json();
    const std::string merges(reinterpret_cast<const char*>(data), size);
    ladder::fuzz::only_ladder_errors([&] {
        const auto t = ladder::tok::BpeTokenizer::from_gpt2_text(encoder, merges);
        const std::string text = "the then thee";
        if (t.decode(t.encode(text)) != text) std::abort();
    });
    return 0;
}
