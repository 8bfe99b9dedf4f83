// corpus.cpp: builds and loads the language-model data directory (tokenizer + token files).
// See corpus.hpp. Introduced in ch05.
#include "chapters/ch05_neural_lm/corpus.hpp"

#include <algorithm>
#include <cmath>
#include <optional>

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

// About `bytes` of the text in whole lines, taken evenly from all of it (64 KB pieces at a
// stride): a BPE trained on it sees every part of a corpus that is ordered by source.
std::string sample_lines(std::string_view text, std::size_t bytes) {
    constexpr std::size_t kPiece = 64 * 1024;
    if (text.size() <= bytes) return std::string(text);
    const std::size_t pieces = std::max<std::size_t>(1, bytes / kPiece), stride = text.size() / pieces;
    std::string out;
    for (std::size_t p = 0; p < pieces; ++p) {
        std::size_t start = p * stride;
        if (start > 0) {   // from the next whole line
            const std::size_t nl = text.find('\n', start);
            if (nl == std::string_view::npos) break;
            start = nl + 1;
        }
        std::size_t end = std::min(text.size(), start + kPiece);
        const std::size_t nl = text.find('\n', end);
        end = nl == std::string_view::npos ? text.size() : nl + 1;
        out.append(text.substr(start, end - start));
    }
    return out;
}

// The directory from a training and a validation text: the tokenizer trained on (a sample of) the
// training text, both encoded, then the manifest (last: its presence means the rest is whole).
LmData build_lm_data(std::string_view train_text, std::string_view val_text, const fs::path& dir,
                     const std::string& name, const PrepareOptions& opts, const nlohmann::json& source,
                     const std::string& what) {
    const std::string sample = opts.bpe_sample_bytes ? sample_lines(train_text, opts.bpe_sample_bytes) : std::string();
    const std::string_view bpe_text = opts.bpe_sample_bytes && sample.size() < train_text.size() ? sample : train_text;
    if (opts.progress)
        fmt::print("Training a BPE vocabulary of {} tokens on {} bytes of {} ...\n", opts.vocab, bpe_text.size(), what);
    tok::TrainOptions t;
    t.vocab_size = opts.vocab;
    t.progress = opts.progress;
    const tok::TrainResult trained = tok::train_bpe(bpe_text, t);
    LADDER_CHECK(trained.tokens.size() == opts.vocab,
                 "{} is too small for a vocabulary of {}: BPE stopped at {} tokens (no pair occurs twice); "
                 "ask for a smaller --vocab", what, opts.vocab, trained.tokens.size());
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
    nlohmann::json m = source;
    m.update({{"name", name},
              {"vocab", V},
              {"train_bytes", train_text.size()},
              {"val_bytes", val_text.size()},
              {"train_tokens", train.size()},
              {"val_tokens", val.size()},
              {"bpe_bytes", bpe_text.size()},
              {"bpe_seconds", trained.seconds}});
    write_file_atomic(dir / "manifest.json", m.dump(2) + "\n");
    if (opts.progress)
        fmt::print("  {} training and {} validation tokens ({:.2f} bytes per token) in {}\n",
                   format_count(static_cast<double>(train.size())), format_count(static_cast<double>(val.size())),
                   static_cast<double>(train_text.size()) / static_cast<double>(train.size()), dir.string());
    return load_lm_data(dir);
}

// The directory as an earlier run built it with the same split, or nothing (a directory written
// by another split is rebuilt rather than trusted); another vocabulary there is an error.
std::optional<LmData> built_before(const fs::path& dir, const std::string& split_rule, std::size_t vocab) {
    if (!complete(dir) || manifest_value(dir, "split") != split_rule) return std::nullopt;
    LmData d = load_lm_data(dir);
    LADDER_CHECK(d.vocab() == vocab,
                 "{} holds a vocabulary of {} tokens, not the {} asked for: remove the directory to rebuild it",
                 dir.string(), d.vocab(), vocab);
    return d;
}

}  // namespace

LmData prepare_lm_data(const fs::path& text_path, const fs::path& dir, const std::string& name,
                       const PrepareOptions& opts) {
    LADDER_CHECK(opts.val_fraction > 0 && opts.val_fraction < 1, "the validation fraction {} is not in (0, 1)",
                 opts.val_fraction);
    const std::string split_rule = fmt::format("every {}th block of up to 64 lines", std::lround(1.0 / opts.val_fraction));
    if (auto d = built_before(dir, split_rule, opts.vocab)) return std::move(*d);
    LADDER_CHECK(fs::exists(text_path), "the text {} is missing: `./ladder data kjv` fetches it", text_path.string());
    const std::string text = read_file(text_path);
    const Split split = split_text(text, opts.val_fraction);
    LADDER_CHECK(!split.train.empty() && !split.val.empty(),
                 "{} ({} bytes) is too short to split into training and validation text (blocks of 64 lines)",
                 text_path.string(), text.size());
    return build_lm_data(split.train, split.val, dir, name, opts,
                         {{"text", text_path.string()}, {"text_bytes", text.size()}, {"split", split_rule}},
                         text_path.string() + " (every tenth block of 64 lines held out)");
}

LmData prepare_split_lm_data(const fs::path& train_path, const fs::path& val_path, const fs::path& dir,
                             const std::string& name, const PrepareOptions& opts) {
    for (const fs::path& p : {train_path, val_path})
        LADDER_CHECK(fs::exists(p), "the text {} is missing: `./ladder data pretrain` builds the corpus", p.string());
    // The texts' sizes in the rule: token files made from an earlier version of the corpus (its
    // recipe changed) are rebuilt, not trusted.
    const std::string split_rule = fmt::format("given: {} ({} bytes) / {} ({} bytes)", train_path.filename().string(),
                                               fs::file_size(train_path), val_path.filename().string(),
                                               fs::file_size(val_path));
    if (auto d = built_before(dir, split_rule, opts.vocab)) return std::move(*d);
    const std::string train = read_file(train_path), val = read_file(val_path);
    LADDER_CHECK(!train.empty() && !val.empty(), "{} or {} is empty", train_path.string(), val_path.string());
    return build_lm_data(train, val, dir, name, opts,
                         {{"text", train_path.string()}, {"val_text", val_path.string()}, {"split", split_rule}},
                         train_path.string());
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
