// corpus.cpp: builds and loads the language-model data directory (tokenizer + token files).
// See corpus.hpp. Introduced in ch05.
#include "chapters/ch05_neural_lm/corpus.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/cli.hpp"
#include "core/error.hpp"
#include "core/fileio.hpp"
#include "core/nn/token_file.hpp"
#include "core/text.hpp"

namespace ladder::ch05 {

namespace fs = std::filesystem;

namespace {

const char* kFiles[] = {"encoder.json", "vocab.bpe", "train.tok", "val.tok", "manifest.json"};

bool complete(const fs::path& dir) {
    for (const char* f : kFiles)
        if (!fs::exists(dir / f)) return false;
    return true;
}

// [book:lm-split]
// The held-out text: every tenth block of 64 lines (shorter for a short text) (for val_fraction 0.1), so that the
// validation text comes from every book of the Bible, as the training text does. (The last
// tenth of the file would be the end of the New Testament: another style and vocabulary than
// the Old, and a validation loss that measures that shift more than the model.)
struct Split {
    std::string train, val;
};
Split split_text(std::string_view text, double val_fraction) {
    const auto every = static_cast<std::size_t>(std::max(2.0, std::round(1.0 / val_fraction)));
    // A short text (a test's sample) gets shorter blocks: at least four held-out blocks.
    const auto lines = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
    const std::size_t kBlockLines = std::clamp<std::size_t>(lines / (4 * every), 1, 64);
    Split s;
    std::size_t start = 0, block = 0;
    while (start < text.size()) {
        std::size_t end = start;
        for (std::size_t line = 0; line < kBlockLines && end < text.size(); ++line) {
            const std::size_t nl = text.find('\n', end);
            end = nl == std::string_view::npos ? text.size() : nl + 1;
        }
        (block % every == every - 1 ? s.val : s.train) += text.substr(start, end - start);
        start = end;
        ++block;
    }
    return s;
}
// [/book]

// A string field of dir/manifest.json, or "" (no file, not JSON, no such field): a directory
// written by another version of the split is rebuilt rather than trusted.
std::string manifest_value(const fs::path& dir, const std::string& key) {
    try {
        const auto m = nlohmann::json::parse(read_file(dir / "manifest.json"));
        return m.value(key, std::string());
    } catch (const std::exception&) {
        return "";
    }
}

}  // namespace

LmData prepare_lm_data(const fs::path& text_path, const fs::path& dir, const std::string& name,
                       const PrepareOptions& opts) {
    LADDER_CHECK(opts.val_fraction > 0 && opts.val_fraction < 1, "the validation fraction {} is not in (0, 1)",
                 opts.val_fraction);
    const std::string split_rule = fmt::format("every {}th block of up to 64 lines", std::lround(1.0 / opts.val_fraction));
    if (complete(dir) && manifest_value(dir, "split") == split_rule) {
        LmData d = load_lm_data(dir);
        LADDER_CHECK(d.vocab() == opts.vocab,
                     "{} holds a vocabulary of {} tokens, not the {} asked for: remove the directory to rebuild it",
                     dir.string(), d.vocab(), opts.vocab);
        return d;
    }
    LADDER_CHECK(fs::exists(text_path), "the text {} is missing: `./ladder data kjv` fetches it", text_path.string());
    const std::string text = read_file(text_path);
    const Split split = split_text(text, opts.val_fraction);
    LADDER_CHECK(!split.train.empty() && !split.val.empty(),
                 "{} ({} bytes) is too short to split into training and validation text (blocks of 64 lines)",
                 text_path.string(), text.size());
    const std::string_view train_text = split.train, val_text = split.val;
    if (opts.progress)
        fmt::print("Training a BPE vocabulary of {} tokens on {} bytes of {} (every tenth block of 64 lines held out) ...\n",
                   opts.vocab, train_text.size(), text_path.string());
    tok::TrainOptions t;
    t.vocab_size = opts.vocab;
    t.progress = opts.progress;
    const tok::TrainResult trained = tok::train_bpe(train_text, t);
    LADDER_CHECK(trained.tokens.size() == opts.vocab,
                 "{} is too small for a vocabulary of {}: BPE stopped at {} tokens (no pair occurs twice); "
                 "ask for a smaller --vocab", text_path.string(), opts.vocab, trained.tokens.size());
    const tok::BpeTokenizer tokenizer = trained.tokenizer();
    tok::EncodeOptions enc;
    enc.threads = 0;
    const std::vector<std::int32_t> train = tokenizer.encode(train_text, enc);
    const std::vector<std::int32_t> val = tokenizer.encode(val_text, enc);
    fs::create_directories(dir);
    tokenizer.save(dir);
    const auto V = static_cast<std::uint32_t>(tokenizer.vocab_size());
    write_token_file(dir / "train.tok", train, V);
    write_token_file(dir / "val.tok", val, V);
    nlohmann::json m{{"name", name},
                     {"text", text_path.string()},
                     {"text_bytes", text.size()},
                     {"vocab", V},
                     {"train_bytes", train_text.size()},
                     {"val_bytes", val_text.size()},
                     {"train_tokens", train.size()},
                     {"val_tokens", val.size()},
                     {"split", split_rule},
                     {"bpe_seconds", trained.seconds}};
    write_file_atomic(dir / "manifest.json", m.dump(2) + "\n");   // last: its presence means the rest is whole
    if (opts.progress)
        fmt::print("  {} training and {} validation tokens ({:.2f} bytes per token) in {}\n",
                   format_count(static_cast<double>(train.size())), format_count(static_cast<double>(val.size())),
                   static_cast<double>(train_text.size()) / static_cast<double>(train.size()), dir.string());
    return load_lm_data(dir);
}

LmData load_lm_data(const fs::path& dir) {
    for (const char* f : kFiles)
        LADDER_CHECK(fs::exists(dir / f), "{} is missing: `./ladder run ch05` builds {} (tokenizer and token files)",
                     (dir / f).string(), dir.string());
    nlohmann::json m;
    try {
        m = nlohmann::json::parse(read_file(dir / "manifest.json"));
    } catch (const nlohmann::json::exception& e) {
        LADDER_THROW("{}: not valid JSON ({})", (dir / "manifest.json").string(), e.what());
    }
    LmData d{.dir = dir,
             .name = m.value("name", dir.filename().string()),
             .tokenizer = tok::BpeTokenizer::load_gpt2(dir),
             .train = {},
             .val = {},
             .train_bytes = m.value("train_bytes", std::size_t{0}),
             .val_bytes = m.value("val_bytes", std::size_t{0})};
    TokenFile train = read_token_file(dir / "train.tok");
    TokenFile val = read_token_file(dir / "val.tok");
    LADDER_CHECK(train.vocab_size == d.vocab() && val.vocab_size == d.vocab(),
                 "{}: the token files say a vocabulary of {} and {}, the tokenizer has {}", dir.string(),
                 train.vocab_size, val.vocab_size, d.vocab());
    LADDER_CHECK(d.train_bytes > 0 && d.val_bytes > 0, "{}: the manifest gives no byte counts",
                 (dir / "manifest.json").string());
    d.train = std::move(train.ids);
    d.val = std::move(val.ids);
    return d;
}

LmData chapter_lm_data(const LmDataFlags& flags, const fs::path& sample_text, const fs::path& run_dir) {
    const bool quick = flags.quick;
    PrepareOptions prep;
    prep.vocab = flags.vocab ? flags.vocab : (quick ? 320 : 2048);
    prep.progress = flags.progress;
    const fs::path text = !flags.text.empty() ? fs::path(flags.text)
                          : quick             ? sample_text
                                              : fs::path("data/cache/kjv/kjv.txt");
    const std::string name = fmt::format("{}-bpe{}", quick ? "sample" : "kjv", prep.vocab);
    const fs::path dir = !flags.data_dir.empty() ? fs::path(flags.data_dir)
                         : quick                  ? run_dir / "data"
                                                  : fs::path("data/cache/lm") / name;
    return flags.data_dir.empty() || fs::exists(text) ? prepare_lm_data(text, dir, name, prep) : load_lm_data(dir);
}

std::string show_text(const tok::BpeTokenizer& tokenizer, std::span<const std::int32_t> ids) {
    std::string s = replace_invalid_utf8(tokenizer.decode(ids));
    for (char& c : s)
        if (c == '\n') c = ' ';
    return s;
}

}  // namespace ladder::ch05
