// ch04.cpp: chapter 4's program. Trains a byte-level BPE vocabulary on the KJV and the
// Korean Debian FAQ (--quick: data/samples) with progress, prints the first merges,
// tokenises the same sentences four ways, measures sequence length against vocabulary
// size, bytes per token and tokens per character for English, Korean and code, NFC vs
// NFD, checks GPT-2's ids against tiktoken, counts pairs and applies a merge with the
// chapter's kernels, and writes runs/ch04/{summary.json, length_vs_vocab.csv, cost.csv, merges.csv, tokenizer/}.
#include <bit>

#include "chapters/ch04_tokenization/corpus.hpp"
#include "chapters/ch04_tokenization/pretokenize.hpp"
#include "chapters/ch04_tokenization/reference.hpp"
#include "core/cli.hpp"
#include "core/fileio.hpp"
#include "core/text.hpp"
#include "kernels/bpe_merge/bpe_merge.hpp"
#include "kernels/harness.hpp"
#include "kernels/pair_count/pair_count.hpp"

namespace ladder::tok {
namespace {

struct Options {
    std::size_t vocab = 8000;
    std::string tiktoken_dir;
    std::string data_dir = "data";
};

const std::vector<std::pair<std::string, std::string>> kSentences = {
    {"english", "The quick brown fox can't jump over 12 lazy dogs."},
    {"korean", "언어 모델은 글자가 아니라 토큰을 읽는다."},
    {"code", "for (int i = 0; i < n; ++i) sum += x[i];"},
};

// "[The][ quick][ brown]" and the ids.
void show(const Tokenizer& t, const std::string& label, const std::string& text) {
    const auto ids = t.encode(text);
    std::string pieces, numbers;
    for (TokenId id : ids) {
        pieces += "[" + printable(t.token_bytes(id)) + "]";
        numbers += (numbers.empty() ? "" : " ") + std::to_string(id);
    }
    fmt::print("  {:<10} {:>3} tokens  {}\n  {:<10}             {}\n", label, ids.size(), pieces, "",
               numbers.size() > 160 ? numbers.substr(0, 160) + " ..." : numbers);
}

double code_points(std::string_view s) { return static_cast<double>(decode_utf8(replace_invalid_utf8(s)).size()); }

// A tokenizer with only the first `merges` merges of a trained one: vocabulary 256 + merges.
BpeTokenizer prefix(const TrainResult& r, std::size_t merges) {
    std::vector<std::string> tokens(r.tokens.begin(), r.tokens.begin() + static_cast<std::ptrdiff_t>(256 + merges));
    std::vector<Merge> m(r.merges.begin(), r.merges.begin() + static_cast<std::ptrdiff_t>(merges));
    return BpeTokenizer(std::move(tokens), std::move(m), {});
}

// The chapter's two kernels on one backend, through their Tensor APIs: pair_count (the
// table of adjacent pairs) and bpe_merge (one merge applied to every word).
struct KernelStep {
    Backend be;
    Tensor tokens, keys, counts, merged, merged_len;

    KernelStep(Device device, const std::vector<std::int32_t>& ids, std::size_t capacity)
        : be(device), tokens(be.upload(ids, Shape{ids.size()})), keys(be.empty(Shape{capacity}, DType::i32)),
          counts(be.empty(Shape{capacity}, DType::i32)), merged(be.empty(Shape{ids.size()}, DType::i32)),
          merged_len(be.empty(Shape{1}, DType::i32)) {}

    void run(std::string_view op, MergeRule rule) {
        if (op == "pair_count") {
            pair_count(be, keys, counts, tokens);
        } else {
            bpe_merge(be, merged, merged_len, tokens, rule);
        }
    }

    // The outputs of `op` on the host, by name; the table in key order (its slot order
    // depends on which GPU thread got there first).
    std::vector<std::pair<std::string, std::vector<std::int32_t>>> outputs(std::string_view op) const {
        if (op != "pair_count") return {{"out", merged.to_vector_i32()}, {"out_len", merged_len.to_vector_i32()}};
        auto k = keys.to_vector_i32(), c = counts.to_vector_i32();
        pair_count_canonical(k.data(), c.data(), k.size());
        return {{"keys", std::move(k)}, {"counts", std::move(c)}};
    }

    // Runs `op` once on poisoned outputs (an element it forgets shows up) and compares with
    // `expected`, exactly (integers): "" or the first wrong element.
    std::string check(std::string_view op, MergeRule rule,
                      const std::vector<std::pair<std::string, std::vector<std::int32_t>>>& expected) {
        for (Tensor* t : {&keys, &counts, &merged, &merged_len}) t->fill_nan();
        run(op, rule);
        be.synchronize();
        const auto got = outputs(op);
        for (std::size_t o = 0; o < got.size(); ++o)
            for (std::size_t i = 0; i < got[o].second.size(); ++i)
                if (got[o].second[i] != expected[o].second[i])
                    return fmt::format("{}[{}]: expected {}, got {}", got[o].first, i, expected[o].second[i],
                                       got[o].second[i]);
        return "";
    }
};

int run(const CommonOptions& common, const Options& opts) {
    const RunDir out(common.out_dir);
    nlohmann::json summary;
    summary["chapter"] = "ch04";
    summary["quick"] = common.quick;
    fmt::print("Chapter 4: tokenization, from characters to GPT-2's byte-level BPE.\n\n");

    // ---- the corpus ----
    const auto files = load_corpus(opts.data_dir, common.quick);
    const std::string corpus = join(files);
    for (const auto& f : files) fmt::print("  {:<8} {:>10} bytes  {}\n", f.name, f.text.size(), f.path.string());
    const std::size_t vocab = common.quick ? std::min<std::size_t>(opts.vocab, 600) : opts.vocab;

    // ---- training: the naive lesson, then the incremental tool ----
    fmt::print("\nBPE training to {} tokens (256 bytes + merges + <|endoftext|>).\n", vocab);
    TrainOptions to;
    to.vocab_size = vocab;
    to.progress = true;
    const TrainResult trained = train_bpe(corpus, to);
    const double merges_per_s = static_cast<double>(trained.merges.size()) / trained.seconds;
    fmt::print("  incremental: {} merges in {:.2f} s ({:.0f} merges/s){}\n", trained.merges.size(), trained.seconds, merges_per_s,
               trained.stopped_early ? " - stopped early: no pair occurs twice any more" : "");
    TrainOptions naive_opts = to;
    naive_opts.vocab_size = std::min<std::size_t>(vocab, 256 + 1 + (common.quick ? 200 : 300));
    const TrainResult naive = train_bpe_naive(corpus, naive_opts);
    bool naive_same = true;
    for (std::size_t i = 0; i < naive.merges.size(); ++i)
        naive_same = naive_same && naive.merges[i].left == trained.merges[i].left && naive.merges[i].right == trained.merges[i].right;
    const double naive_rate = static_cast<double>(naive.merges.size()) / naive.seconds;
    fmt::print("  naive (recount every pair at every merge), first {} merges: {:.2f} s ({:.0f} merges/s), {} merges\n",
               naive.merges.size(), naive.seconds, naive_rate, naive_same ? "the same" : "DIFFERENT");
    fmt::print("\nThe first merges learned (pair -> new token, how often the pair occurred):\n");
    for (std::size_t i = 0; i < std::min<std::size_t>(20, trained.merges.size()); ++i) {
        const Merge& m = trained.merges[i];
        fmt::print("  {:>3}. [{}] + [{}] -> [{}]  {}\n", i + 1, printable(trained.tokens[m.left]), printable(trained.tokens[m.right]),
                   printable(trained.tokens[m.result]), trained.merge_counts[i]);
    }
    const BpeTokenizer ours = trained.tokenizer();
    ours.save(out.file("tokenizer"));
    CsvWriter merges_csv = out.csv("merges.csv", {"step", "count", "token", "token_bytes"});
    for (std::size_t i = 0; i < trained.merges.size(); ++i) {
        const std::string& t = trained.tokens[trained.merges[i].result];
        merges_csv.row(i + 1, trained.merge_counts[i], bytes_to_gpt2_text(t), t.size());
    }

    // ---- four tokenizers on the same sentences ----
    const ByteTokenizer bytes;
    const CharTokenizer chars(corpus);
    const WordTokenizer words(corpus, vocab);
    fmt::print("\nThe same sentences, four ways (vocabularies: bytes 256, characters {}, words {}, BPE {}):\n",
               chars.vocab_size(), words.vocab_size(), ours.vocab_size());
    for (const auto& [lang, text] : kSentences) {
        fmt::print("\n{}: {}\n", lang, text);
        show(chars, "characters", text);
        show(words, "words", text);
        show(bytes, "bytes", text);
        show(ours, fmt::format("BPE {}", ours.vocab_size()), text);
    }
    fmt::print("\n  words: {:.1f}% of the corpus's words are in its {}-word vocabulary; the rest become <unk>,\n"
               "  and decoding gives back lower-case words without punctuation: the text is lost.\n",
               100 * words.coverage(), words.vocab_size() - 1);

    // ---- GPT-2 ----
    const auto dir = opts.tiktoken_dir.empty() ? default_tiktoken_dir() : std::filesystem::path(opts.tiktoken_dir);
    std::optional<BpeTokenizer> gpt2;
    nlohmann::json check = {{"ran", false}};
    if (auto missing = reference_missing(dir)) {
        fmt::print("\nGPT-2 check not run: {}\n", *missing);
        check["reason"] = *missing;
    } else {
        gpt2.emplace(BpeTokenizer::load_gpt2(gpt2_files_dir(dir)));
        std::vector<std::string> texts;
        for (const auto& f : files) texts.push_back(f.text.substr(0, common.quick ? f.text.size() : 300000));
        for (const auto& [lang, text] : kSentences) texts.push_back(text);
        const auto expected = tiktoken_ids_many(dir, texts);
        std::size_t matched = 0, tokens = 0;
        for (std::size_t i = 0; i < texts.size(); ++i) {
            const auto got = gpt2->encode(texts[i]);
            matched += got == expected[i] ? 1 : 0;
            tokens += got.size();
        }
        check = {{"ran", true}, {"matched", matched == texts.size()}, {"texts", texts.size()}, {"tokens", tokens}};
        fmt::print("\nGPT-2 (encoder.json + vocab.bpe, {} tokens) against tiktoken on {} texts, {} tokens: {}\n", gpt2->vocab_size(),
                   texts.size(), tokens, matched == texts.size() ? "identical ids" : "DIFFERENT ids");
        for (const auto& [lang, text] : kSentences) show(*gpt2, "GPT-2", text);
    }
    summary["gpt2_check"] = check;
    summary["gpt2_check_matched"] = check.value("matched", false);

    // ---- cost per language ----
    std::vector<std::pair<std::string, std::string>> held_out;
    for (auto& f : load_samples(opts.data_dir)) held_out.emplace_back(f.name, f.text);
    fmt::print("\nWhat a text costs (held-out samples, data/samples/ch04_*.txt):\n");
    fmt::print("  {:<8} {:>7} {:>6}  {:>14} {:>14}  {:>14} {:>14}\n", "text", "bytes", "chars", "ours tokens", "bytes/token",
               "GPT-2 tokens", "bytes/token");
    nlohmann::json cost;
    CsvWriter cost_csv = out.csv("cost.csv", {"text", "bytes", "chars", "ours_tokens_per_char", "gpt2_tokens_per_char",
                                              "ours_bytes_per_token", "gpt2_bytes_per_token"});
    for (const auto& [lang, text] : held_out) {
        const double n_ours = static_cast<double>(ours.encode(text).size());
        const double n_gpt2 = gpt2 ? static_cast<double>(gpt2->encode(text).size()) : 0.0;
        const double b = static_cast<double>(text.size()), c = code_points(text);
        fmt::print("  {:<8} {:>7} {:>6}  {:>14} {:>14.2f}  {:>14} {:>14}\n", lang, text.size(), c, n_ours, b / n_ours,
                   gpt2 ? fmt::format("{}", n_gpt2) : "-", gpt2 ? fmt::format("{:.2f}", b / n_gpt2) : "-");
        cost_csv.row(lang, b, c, n_ours / c, gpt2 ? n_gpt2 / c : 0.0, b / n_ours, gpt2 ? b / n_gpt2 : 0.0);
        cost[lang] = {{"bytes", b}, {"chars", c}, {"ours_tokens", n_ours}, {"ours_bytes_per_token", b / n_ours},
                      {"ours_tokens_per_char", n_ours / c}};
        if (gpt2) {
            cost[lang]["gpt2_tokens"] = n_gpt2;
            cost[lang]["gpt2_bytes_per_token"] = b / n_gpt2;
            cost[lang]["gpt2_tokens_per_char"] = n_gpt2 / c;
        }
    }
    summary["bytes_per_token"] = {{"english", cost["english"]["ours_bytes_per_token"]},
                                  {"korean", cost["korean"]["ours_bytes_per_token"]},
                                  {"code", cost["code"]["ours_bytes_per_token"]}};
    summary["cost"] = cost;
    fmt::print("  tokens per character: English {:.2f}, Korean {:.2f} with ours{}\n",
               cost["english"]["ours_tokens_per_char"].get<double>(), cost["korean"]["ours_tokens_per_char"].get<double>(),
               gpt2 ? fmt::format("; English {:.2f}, Korean {:.2f} with GPT-2", cost["english"]["gpt2_tokens_per_char"].get<double>(),
                                  cost["korean"]["gpt2_tokens_per_char"].get<double>())
                    : "");

    // ---- Hangul: NFC syllables vs NFD jamo ----
    const std::string sentence = kSentences[1].second;
    nlohmann::json hangul;
    fmt::print("\nOne Korean sentence, composed (NFC: one code point per syllable) and decomposed (NFD: jamo):\n");
    for (const auto& [form, text] : {std::pair<std::string, std::string>{"NFC", nfc(sentence)}, {"NFD", nfd(sentence)}}) {
        const double n_ours = static_cast<double>(ours.encode(text).size());
        const double n_gpt2 = gpt2 ? static_cast<double>(gpt2->encode(text).size()) : 0.0;
        fmt::print("  {}  {:>3} code points  {:>3} bytes  {:>3} tokens (ours)  {} tokens (GPT-2)\n", form, code_points(text),
                   text.size(), n_ours, gpt2 ? fmt::format("{:>3}", n_gpt2) : "-");
        hangul[form] = {{"code_points", code_points(text)}, {"bytes", text.size()}, {"ours_tokens", n_ours}, {"gpt2_tokens", n_gpt2}};
    }
    summary["hangul"] = hangul;

    // ---- sequence length against vocabulary size ----
    CsvWriter csv = out.csv("length_vs_vocab.csv", {"tokenizer", "vocab", "text", "bytes", "chars", "tokens", "bytes_per_token", "tokens_per_char"});
    for (const auto& [lang, text] : held_out) {
        const double b = static_cast<double>(text.size()), c = code_points(text);
        csv.row("chars", chars.vocab_size(), lang, b, c, chars.encode(text).size(), b / chars.encode(text).size(),
                chars.encode(text).size() / c);
        // The first V - 256 merges make the tokenizer of vocabulary V; the last point is
        // the whole trained vocabulary (without <|endoftext|>).
        for (std::size_t v : {256, 300, 400, 600, 1000, 2000, 4000, 8000, 16000, 32000, 65536}) {
            const std::size_t merges = std::min(v - 256, trained.merges.size());
            const double n = static_cast<double>(prefix(trained, merges).encode(text).size());
            csv.row("bpe", 256 + merges, lang, b, c, n, b / n, n / c);
            if (merges == trained.merges.size()) break;
        }
        if (gpt2) {
            const double n = static_cast<double>(gpt2->encode(text).size());
            csv.row("gpt2", gpt2->vocab_size(), lang, b, c, n, b / n, n / c);
        }
    }

    // ---- encode speed ----
    EncodeOptions one, two;
    two.threads = 2;
    one.fresh_cache = two.fresh_cache = true;
    auto mb_s = [&](const EncodeOptions& o) {
        double best = 1e30;
        for (int r = 0; r < 3; ++r) {
            const Timer t;
            const auto ids = ours.encode(corpus, o);
            best = std::min(best, t.seconds());
        }
        return static_cast<double>(corpus.size()) / 1e6 / best;
    };
    const double mb1 = mb_s(one), mb2 = mb_s(two);
    const bool same_ids = ours.encode(corpus, one) == ours.encode(corpus, two);
    fmt::print("\nEncoding the corpus with our tokenizer: {:.1f} MB/s on 1 thread, {:.1f} MB/s on 2 ({} ids).\n", mb1, mb2,
               same_ids ? "identical" : "DIFFERENT");

    // ---- the kernels: one training step on the GPU's terms ----
    const std::string sample = corpus.substr(0, std::min<std::size_t>(corpus.size(), common.quick ? 4000 : 60000));
    std::vector<std::int32_t> ids;
    for (auto piece : pretokenize(sample)) {   // bytes of each word, -1 between words
        for (unsigned char ch : piece) ids.push_back(ours.byte_id(ch));
        ids.push_back(-1);
    }
    const Device dev = common.backend == "cpu" ? Device::simt : parse_device(common.backend);
    require_device(dev);
    // Every GPU version of both kernels against the CPU reference, then timed. The table
    // has room for twice the distinct pairs; the merge is (1, 2) -> 256, as in the
    // registry's cases for 256 ids.
    const std::size_t capacity = std::bit_ceil(2 * ids.size() + 16);
    const MergeRule rule{1, 2, 256};
    KernelStep cpu(Device::cpu, ids, capacity), gpu(dev, ids, capacity);
    nlohmann::json kernels;
    bool kernels_ok = true;
    for (const auto& [op, versions] : {std::pair{"pair_count", pair_count_gpu_versions},
                                       std::pair{"bpe_merge", bpe_merge_gpu_versions}}) {
        cpu.run(op, rule);
        const auto expected = cpu.outputs(op);
        for (int v = 1; v <= versions; ++v) {
            gpu.be.set_version(op, v);
            const std::string failure = gpu.check(op, rule, expected);
            const double ms = failure.empty() ? time_runs(dev, [&] { gpu.run(op, rule); }, 1, 0).min_ms : 0.0;
            fmt::print("  {:<10} v{} on {}: {} ({:.1f} ms for {} tokens)\n", op, v, device_name(dev),
                       failure.empty() ? "same as the CPU" : "WRONG: " + failure, ms, ids.size());
            kernels[fmt::format("{}/v{}", op, v)] = {{"ok", failure.empty()}, {"ms", ms}};
            kernels_ok = kernels_ok && failure.empty();
        }
    }
    summary["kernels"] = kernels;

    summary["vocab_size"] = ours.vocab_size();
    summary["merges"] = trained.merges.size();
    summary["training_seconds"] = trained.seconds;
    summary["merges_per_s"] = merges_per_s;
    summary["naive"] = {{"merges", naive.merges.size()}, {"seconds", naive.seconds}, {"merges_per_s", naive_rate}, {"same_merges", naive_same}};
    summary["encode_mb_s"] = {{"threads_1", mb1}, {"threads_2", mb2}, {"identical_ids", same_ids}};
    summary["corpus_bytes"] = corpus.size();
    summary["first_merges"] = nlohmann::json::array();
    for (std::size_t i = 0; i < std::min<std::size_t>(10, trained.merges.size()); ++i)
        summary["first_merges"].push_back(bytes_to_gpt2_text(trained.tokens[trained.merges[i].result]));
    out.write_summary(summary);

    fmt::print("\nWhat you just saw:\n"
               "  - Characters and bytes never meet an unknown symbol but make long sequences; words make short ones\n"
               "    but lose every word they never saw. BPE learns {} merges from data in {:.2f} s and sits between.\n"
               "  - A character of English costs {:.2f} tokens, one of Korean {:.2f} with our tokenizer{}: a context\n"
               "    window of N tokens holds less Korean than English, and a price per token charges Korean more.\n",
               trained.merges.size(), trained.seconds, cost["english"]["ours_tokens_per_char"].get<double>(),
               cost["korean"]["ours_tokens_per_char"].get<double>(),
               gpt2 ? fmt::format(" ({:.2f} and {:.2f} with GPT-2's)", cost["english"]["gpt2_tokens_per_char"].get<double>(),
                                  cost["korean"]["gpt2_tokens_per_char"].get<double>())
                    : "");
    fmt::print("\nWrote {}, {} and {}.\n", out.file("summary.json").string(), out.file("length_vs_vocab.csv").string(),
               out.file("tokenizer").string());
    const bool ok = naive_same && same_ids && kernels_ok && check.value("matched", true);
    return ok ? 0 : 1;
}

}  // namespace
}  // namespace ladder::tok

int main(int argc, char** argv) {
    CLI::App app{"Chapter 4: tokenization, from characters to GPT-2's byte-level BPE"};
    ladder::CommonOptions common;
    ladder::add_common_options(app, common, "runs/ch04");
    ladder::tok::Options opts;
    app.add_option("--vocab", opts.vocab, "BPE vocabulary size (--quick caps it at 600)")->capture_default_str();
    app.add_option("--tiktoken-dir", opts.tiktoken_dir, "where `npm ci` installed the reference (default: tools/tiktoken)");
    app.add_option("--data-dir", opts.data_dir, "the repository's data/ folder (samples/, cache/)")->capture_default_str();
    if (auto code = ladder::parse_args(app, argc, argv)) return *code;
    return ladder::guarded_main([&] { return ladder::tok::run(common, opts); });
}
