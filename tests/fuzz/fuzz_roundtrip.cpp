// fuzz_roundtrip.cpp: libFuzzer target: for any bytes x (invalid UTF-8 included),
// decode(encode(x)) == x, with and without special tokens, on 1 and 2 threads, and both
// merge loops agree on every piece.
#include "chapters/ch04_tokenization/bpe_internal.hpp"
#include "tests/fuzz/fuzz_common.hpp"

namespace {
const ladder::tok::BpeTokenizer& tokenizer() {
    static const auto t = [] {
        ladder::tok::TrainOptions o;
        o.vocab_size = 400;
        std::string corpus;
        for (int k = 0; k < 20; ++k)
            corpus += "The tokenizer cuts text into pieces; 토큰은 말의 조각이다. for (int i = 0; i < n; ++i) x += 1;\n  ";
        return ladder::tok::train_bpe(corpus, o).tokenizer();
    }();
    return t;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace ladder::tok;
    const BpeTokenizer& t = tokenizer();
    const std::string x(reinterpret_cast<const char*>(data), size);
    EncodeOptions special;
    special.allow_special = true;
    EncodeOptions two;
    two.threads = 2;
    const auto ids = t.encode(x);
    if (t.decode(ids) != x) std::abort();
    if (t.decode(t.encode(x, special)) != x) std::abort();
    if (t.encode(x, two) != ids) std::abort();
    for (auto piece : pretokenize(x))
        if (piece.size() <= kShortPiece &&
            encode_piece_with(t, piece, MergeLoop::short_only) != encode_piece_with(t, piece, MergeLoop::long_only))
            std::abort();
    return 0;
}
