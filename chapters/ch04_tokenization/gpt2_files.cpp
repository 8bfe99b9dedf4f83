// gpt2_files.cpp: GPT-2's two tokenizer files. encoder.json maps each token, written in
// GPT-2's byte-level alphabet ("Ġthe"), to its id; vocab.bpe lists the merges in rank
// order, one "left right" pair per line after a "#version" line. Introduced in ch04.
#include <filesystem>

#include <nlohmann/json.hpp>

#include "chapters/ch04_tokenization/bpe_internal.hpp"
#include "core/error.hpp"
#include "core/fileio.hpp"
#include "core/text.hpp"

namespace ladder::tok {

namespace {

std::string shorten(std::string_view s, std::size_t max = 60) {
    return s.size() <= max ? std::string(s) : std::string(s.substr(0, max)) + "...";
}

}  // namespace

// [book:load-gpt2]
BpeTokenizer BpeTokenizer::from_gpt2_text(std::string_view encoder_json, std::string_view vocab_bpe,
                                          std::string_view encoder_name, std::string_view merges_name) {
    // encoder.json: {"!": 0, "\"": 1, ..., "Ġthe": 262, ..., "<|endoftext|>": 50256}
    nlohmann::json enc;
    try {
        enc = nlohmann::json::parse(encoder_json);
    } catch (const nlohmann::json::exception& e) {
        LADDER_THROW("{}: not valid JSON: {}", encoder_name, e.what());
    }
    LADDER_CHECK(enc.is_object(), "{}: expected a JSON object of token -> id, got {}", encoder_name, enc.type_name());
    const std::size_t n = enc.size();
    std::vector<std::string> tokens(n);
    std::vector<char> seen(n, 0);
    std::unordered_map<std::string, TokenId> id_of;   // the token as written in the files -> id
    id_of.reserve(n);
    for (const auto& [text, value] : enc.items()) {
        LADDER_CHECK(value.is_number_integer() && value.get<std::int64_t>() >= 0 && value.get<std::int64_t>() < std::int64_t(n),
                     "{}: the id of token \"{}\" is {}, not an integer in 0..{}", encoder_name, shorten(text), value.dump(), n - 1);
        const auto id = value.get<TokenId>();
        LADDER_CHECK(!seen[id], "{}: id {} is given to two tokens (one is \"{}\")", encoder_name, id, shorten(text));
        seen[id] = 1;
        std::optional<std::string> bytes = gpt2_text_to_bytes(text);
        LADDER_CHECK(bytes && !bytes->empty(), "{}: token \"{}\" (id {}) holds a character outside GPT-2's byte alphabet",
                     encoder_name, shorten(text), id);
        tokens[id] = std::move(*bytes);
        id_of.emplace(text, id);
    }
    // vocab.bpe: "#version: 0.2", then "Ġ t", "Ġ a", "h e", ... (merge rank = line order).
    std::vector<Merge> merges;
    std::vector<char> produced(n, 0);
    LineReader lines(vocab_bpe);   // CRLF files too
    for (std::string_view line; lines.next(line);) {
        const std::size_t line_no = lines.number();
        if (line.empty() || (line_no == 1 && line.starts_with("#version"))) continue;
        const std::size_t sp = line.find(' ');
        LADDER_CHECK(sp != std::string_view::npos && sp > 0 && sp + 1 < line.size() && line.find(' ', sp + 1) == std::string_view::npos,
                     "{} line {}: expected two tokens separated by one space, got \"{}\"", merges_name, line_no, shorten(line));
        const std::string left(line.substr(0, sp)), right(line.substr(sp + 1));
        const auto l = id_of.find(left), r = id_of.find(right);
        LADDER_CHECK(l != id_of.end(), "{} line {}: token \"{}\" is not in {}", merges_name, line_no, shorten(left), encoder_name);
        LADDER_CHECK(r != id_of.end(), "{} line {}: token \"{}\" is not in {}", merges_name, line_no, shorten(right), encoder_name);
        const auto joined = id_of.find(left + right);
        LADDER_CHECK(joined != id_of.end(), "{} lacks the token \"{}\" that {} line {} makes from \"{}\" + \"{}\"", encoder_name,
                     shorten(left + right), merges_name, line_no, shorten(left), shorten(right));
        merges.push_back({l->second, r->second, joined->second});
        produced[joined->second] = 1;
    }
    // A token that is neither a byte nor made by a merge can only be a special token
    // (GPT-2 has one: <|endoftext|>, id 50256).
    std::vector<TokenId> specials;
    for (std::size_t id = 0; id < n; ++id)
        if (!produced[id] && tokens[id].size() > 1) specials.push_back(static_cast<TokenId>(id));
    return BpeTokenizer(std::move(tokens), std::move(merges), std::move(specials));
}
// [/book]

BpeTokenizer BpeTokenizer::load_gpt2(const std::filesystem::path& encoder_json, const std::filesystem::path& vocab_bpe) {
    return from_gpt2_text(read_file(encoder_json), read_file(vocab_bpe), encoder_json.string(), vocab_bpe.string());
}

BpeTokenizer BpeTokenizer::load_gpt2(const std::filesystem::path& dir) {
    namespace fs = std::filesystem;
    if (fs::exists(dir / "encoder.json") && fs::exists(dir / "vocab.bpe"))
        return load_gpt2(dir / "encoder.json", dir / "vocab.bpe");
    if (fs::exists(dir / "vocab.json") && fs::exists(dir / "merges.txt"))
        return load_gpt2(dir / "vocab.json", dir / "merges.txt");
    LADDER_THROW("{}: found neither encoder.json + vocab.bpe (GPT-2's names) nor vocab.json + merges.txt (Hugging Face's)",
                 dir.string());
}

// The same layout as GPT-2's own encoder.json (Python's json.dumps): ids in order,
// ", " and ": " separators, non-ASCII as \uXXXX. Loading GPT-2's file and saving it gives
// the same bytes (a test checks this).
std::string BpeTokenizer::encoder_json() const {
    const auto& tokens = impl_->tokens;
    std::string out = "{";
    for (std::size_t id = 0; id < tokens.size(); ++id) {
        if (id) out += ", ";
        out += nlohmann::json(bytes_to_gpt2_text(tokens[id])).dump(-1, ' ', /*ensure_ascii=*/true);
        out += ": " + std::to_string(id);
    }
    return out + "}";
}

std::string BpeTokenizer::vocab_bpe() const {
    std::string out = "#version: 0.2\n";
    for (const Merge& m : impl_->merges)
        out += bytes_to_gpt2_text(impl_->tokens[m.left]) + " " + bytes_to_gpt2_text(impl_->tokens[m.right]) + "\n";
    return out;
}

void BpeTokenizer::save(const std::filesystem::path& dir) const {
    std::filesystem::create_directories(dir);
    write_file_atomic(dir / "encoder.json", encoder_json());
    write_file_atomic(dir / "vocab.bpe", vocab_bpe());
}

}  // namespace ladder::tok
