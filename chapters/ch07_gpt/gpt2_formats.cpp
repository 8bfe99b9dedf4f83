// gpt2_formats.cpp: GPT-2's Hugging Face safetensors and llm.c .bin files (gpt2_formats.hpp).
// params (gpt2_param_specs(cfg), linears (out,in)) <-> HF (Conv1D weights (in,out)) or llm.c
// (header + fp32, wte (Vp,C)). Introduced in ch07.
#include "chapters/ch07_gpt/gpt2_formats.hpp"

#include <bit>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/fileio.hpp"
#include "core/safetensors.hpp"

namespace ladder::ch07 {

namespace fs = std::filesystem;

// Both formats are little-endian on disk and we copy their bytes straight into floats.
static_assert(std::endian::native == std::endian::little, "the GPT-2 formats are read on little-endian hosts only");

namespace {

// ---- shared ----

// HF's Conv1D layers: their weight is stored (in, out), the transpose of our (out, in).
bool is_conv1d(std::string_view name) {
    return name.ends_with(".attn.c_attn.weight") || name.ends_with(".attn.c_proj.weight") ||
           name.ends_with(".mlp.c_fc.weight") || name.ends_with(".mlp.c_proj.weight");
}

// a (rows, cols) row-major -> (cols, rows)
std::vector<float> transposed(std::span<const float> a, std::size_t rows, std::size_t cols) {
    std::vector<float> t(a.size());
    for (std::size_t r = 0; r < rows; ++r)
        for (std::size_t c = 0; c < cols; ++c) t[c * rows + r] = a[r * cols + c];
    return t;
}

std::vector<std::size_t> dims(const Shape& s) { return {s.dims().begin(), s.dims().end()}; }
std::string shape_str(const std::vector<std::size_t>& d) { return fmt::format("({})", fmt::join(d, ", ")); }

// The shape a tensor has in HF's file: ours, with a Conv1D weight's two dimensions swapped.
std::vector<std::size_t> hf_shape(const ParamSpec& s) {
    std::vector<std::size_t> d = dims(s.shape);
    if (is_conv1d(s.name)) std::swap(d[0], d[1]);
    return d;
}

// An ablated model (no layernorm, MLP or residual) has tensors GPT-2's files have no place for.
void require_gpt2(const Gpt2Config& cfg, const char* what) {
    LADDER_CHECK(cfg.is_gpt2(), "{}: the config {} is an ablation: it has no GPT-2 layout, so neither Hugging Face's "
                 "nor llm.c's format can hold it", what, cfg.json());
}

// The parameters must have the config's tensors and shapes; checked before any write, so that a
// ParamSet of another config fails here and not halfway through the copy.
void require_layout(const Gpt2Config& cfg, const ParamSet& params, const fs::path& path) {
    std::map<std::string, Shape> have;
    for (const ParamView& v : params.views()) have.emplace(v.name, v.shape);
    std::vector<std::string> bad;
    for (const ParamSpec& s : gpt2_param_specs(cfg)) {
        const auto it = have.find(s.name);
        if (it == have.end()) bad.push_back(fmt::format("{} is missing", s.name));
        else if (!(it->second == s.shape)) bad.push_back(fmt::format("{} is {}, expected {}", s.name, it->second.str(), s.shape.str()));
    }
    LADDER_CHECK(bad.empty(), "{}: the parameters do not have the layout of the config {}: {}", path.string(), cfg.json(),
                 fmt::join(bad, "; "));
}

// ---- Hugging Face ----

// HF's buffers, not parameters: h.{i}.attn.bias (the (1,1,T,T) causal mask) and h.{i}.attn.masked_bias.
bool is_hf_buffer(std::string_view name) {
    return name.starts_with("h.") && (name.ends_with(".attn.bias") || name.ends_with(".attn.masked_bias"));
}

// "transformer." when the file uses GPT2LMHeadModel's names, "" for GPT2Model's.
std::string hf_prefix(const SafeTensors& st, const fs::path& path) {
    if (st.contains("wte.weight")) return "";
    if (st.contains("transformer.wte.weight")) return "transformer.";
    LADDER_THROW("{}: no wte.weight (nor transformer.wte.weight): not a GPT-2 safetensors file", path.string());
}

// Half-precision GPT-2 exports exist (torch_dtype=float16, bfloat16); load_safetensors would only say
// "dtype not supported", so the header is read first to say what to do. Anything else wrong with the
// file is left to load_safetensors, which checks it all.
void require_f32(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::uint64_t n = 0;
    if (!in.read(reinterpret_cast<char*>(&n), 8) || n > (std::uint64_t{1} << 28)) return;
    std::string header(n, '\0');
    if (!in.read(header.data(), static_cast<std::streamsize>(n))) return;
    const nlohmann::json j = nlohmann::json::parse(header, nullptr, false);
    if (!j.is_object()) return;
    std::vector<std::string> other;
    for (const auto& [name, e] : j.items()) {
        std::string_view bare = name;
        if (bare.starts_with("transformer.")) bare.remove_prefix(std::string_view("transformer.").size());
        if (name == "__metadata__" || is_hf_buffer(bare)) continue;   // buffers are never read
        if (e.is_object() && e.contains("dtype") && e["dtype"].is_string() && e["dtype"] != "F32")
            other.push_back(fmt::format("{} ({})", name, e["dtype"].get<std::string>()));
    }
    LADDER_CHECK(other.empty(), "{}: {} tensors are not F32, e.g. {}: F16/BF16 are not supported, only float32 GPT-2 "
                 "weights; convert the file with torch first ({{k: v.float() for k, v in ...}})",
                 path.string(), other.size(), other.front());
}

}  // namespace

void save_hf_safetensors(const fs::path& path, const Gpt2Config& cfg, const ParamSet& params) {
    require_gpt2(cfg, "save_hf_safetensors");
    require_layout(cfg, params, path);
    const std::vector<ParamSpec> specs = gpt2_param_specs(cfg);
    std::vector<std::vector<float>> data;
    data.reserve(specs.size());   // no reallocation: the views point into these vectors
    std::vector<TensorView> views;
    for (const ParamSpec& s : specs) {
        std::vector<float> v = params.host_value(s.name);
        if (is_conv1d(s.name)) v = transposed(v, s.shape[0], s.shape[1]);   // (out,in) -> (in,out)
        data.push_back(std::move(v));
        views.push_back({s.name, DType::f32, hf_shape(s), data.back().data()});
    }
    save_safetensors(path, views, {{"format", "gpt2"}, {"config", cfg.json()}});
}

namespace {

// read_hf_config on a file already read (path only names it in messages).
Gpt2Config hf_config_of(const SafeTensors& st, const fs::path& path, std::size_t heads) {
    const std::string pre = hf_prefix(st, path);
    LADDER_CHECK(st.contains(pre + "wpe.weight"), "{}: no {}wpe.weight (the position embedding)", path.string(), pre);
    const LoadedTensor &wte = st.get(pre + "wte.weight"), &wpe = st.get(pre + "wpe.weight");
    LADDER_CHECK(wte.shape.size() == 2 && wpe.shape.size() == 2 && wte.shape[1] == wpe.shape[1],
                 "{}: wte {} and wpe {} are not (V, C) and (T, C)", path.string(), shape_str(wte.shape),
                 shape_str(wpe.shape));
    Gpt2Config c;
    c.vocab = wte.shape[0], c.embed = wte.shape[1], c.context = wpe.shape[0], c.layers = 0, c.fused = false;
    // L = one more than the highest h.{i} (a gap shows up at load as the missing tensors).
    for (const LoadedTensor& t : st.tensors) {
        const std::string_view n = std::string_view(t.name).substr(t.name.starts_with(pre) ? pre.size() : 0);
        if (!n.starts_with("h.")) continue;
        std::size_t i = 0, k = 2;
        for (; k < n.size() && n[k] >= '0' && n[k] <= '9'; ++k) i = i * 10 + std::size_t(n[k] - '0');
        if (k > 2 && k < n.size() && n[k] == '.') c.layers = std::max(c.layers, i + 1);
    }
    LADDER_CHECK(c.layers > 0, "{}: no blocks (no {}h.0.* tensors)", path.string(), pre);
    // The tensors do not say how C splits into heads: the caller, our own metadata, or GPT-2's hs = 64.
    const auto fmt_it = st.metadata.find("format");
    if (heads == 0 && fmt_it != st.metadata.end() && fmt_it->second == "gpt2" && st.metadata.count("config"))
        heads = Gpt2Config::from_json(st.metadata.at("config")).heads;
    c.heads = heads ? heads : c.embed / 64;
    LADDER_CHECK(c.heads > 0 && c.embed % c.heads == 0,
                 "{}: {} heads do not divide the width C = {} (pass the model's head count)", path.string(), c.heads,
                 c.embed);
    return c;
}

}  // namespace

Gpt2Config read_hf_config(const fs::path& path, std::size_t heads) {
    return hf_config_of(load_safetensors(path), path, heads);
}

// [book:hf-import]
// The tensors of a file already read into `params`, after checking all of them.
static void load_hf_tensors(const SafeTensors& st, const fs::path& path, const Gpt2Config& cfg, ParamSet& params) {
    require_gpt2(cfg, "load_hf_safetensors");
    require_layout(cfg, params, path);
    const std::string pre = hf_prefix(st, path);
    const std::vector<ParamSpec> specs = gpt2_param_specs(cfg);
    std::set<std::string> expected;
    for (const ParamSpec& s : specs) expected.insert(s.name);
    // Every tensor of the file is one we expect, a buffer we ignore, or the tied output layer;
    // the names are all with the prefix or all without.
    std::vector<std::string> unexpected, missing, wrong;
    const LoadedTensor* lm_head = nullptr;
    for (const LoadedTensor& t : st.tensors) {
        if (t.name == "lm_head.weight") {   // GPT2LMHeadModel's output layer sits outside "transformer."
            lm_head = &t;
            continue;
        }
        if (!t.name.starts_with(pre)) {
            unexpected.push_back(t.name);
            continue;
        }
        const std::string name = t.name.substr(pre.size());
        if (!is_hf_buffer(name) && !expected.count(name)) unexpected.push_back(t.name);
    }
    for (const ParamSpec& s : specs)
        if (!st.contains(pre + s.name)) missing.push_back(pre + s.name);
    LADDER_CHECK(missing.empty() && unexpected.empty(),
                 "{}: the tensors are not those of GPT-2 with the config {}: {} missing [{}], {} unexpected [{}]",
                 path.string(), cfg.json(), missing.size(), fmt::join(missing, ", "), unexpected.size(),
                 fmt::join(unexpected, ", "));
    for (const ParamSpec& s : specs) {
        const LoadedTensor& t = st.get(pre + s.name);
        LADDER_CHECK(t.dtype == DType::f32, "{}: {} is {}, not F32", path.string(), t.name, dtype_name(t.dtype));
        if (t.shape != hf_shape(s))
            wrong.push_back(fmt::format("{} is {}, expected {}", t.name, shape_str(t.shape), shape_str(hf_shape(s))));
    }
    LADDER_CHECK(wrong.empty(), "{}: shapes do not match the config {} (Conv1D weights are (in, out) in the file): {}",
                 path.string(), cfg.json(), fmt::join(wrong, "; "));
    // Our output layer is wte itself, so a file may carry lm_head only as an exact copy of it.
    if (lm_head) {
        const LoadedTensor& wte = st.get(pre + "wte.weight");
        LADDER_CHECK(lm_head->dtype == DType::f32 && lm_head->shape == wte.shape && lm_head->bytes == wte.bytes,
                     "{}: lm_head.weight {} differs from wte.weight {}: the file's output layer is not tied to the "
                     "token embedding (GPT-2's is, and so is ours)", path.string(), shape_str(lm_head->shape),
                     shape_str(wte.shape));
    }
    // Everything checked: now write, turning HF's Conv1D weights back to (out, in).
    for (const ParamSpec& s : specs) {
        const std::span<const float> v = st.get(pre + s.name).f32();
        if (is_conv1d(s.name)) params.set_value(s.name, transposed(v, s.shape[1], s.shape[0]));   // (in,out) -> (out,in)
        else params.set_value(s.name, v);
    }
}
// [/book]

void load_hf_safetensors(const fs::path& path, const Gpt2Config& cfg, ParamSet& params) {
    require_f32(path);
    load_hf_tensors(load_safetensors(path), path, cfg, params);
}

SafeTensors read_hf_file(const fs::path& path) {
    require_f32(path);
    return load_safetensors(path);
}

Gpt2Config read_hf_config(const SafeTensors& st, const fs::path& path, std::size_t heads) {
    return hf_config_of(st, path, heads);
}

void load_hf_safetensors(const SafeTensors& st, const fs::path& path, const Gpt2Config& cfg, ParamSet& params) {
    load_hf_tensors(st, path, cfg, params);
}

// ---- llm.c ----

std::size_t llmc_padded_vocab(std::size_t V) { return (V + 127) / 128 * 128; }

namespace {

constexpr std::size_t kHeaderInts = 256, kHeaderBytes = kHeaderInts * 4;

// llm.c's parameter order (train_gpt2.c's ParameterTensors): each kind for every layer before the
// next kind. Ours, without the "h.{l}." of the per-layer kinds.
struct Kind {
    const char* name;
    bool per_layer;
};
constexpr Kind kKinds[] = {{"wte.weight", false},        {"wpe.weight", false},        {"ln_1.weight", true},
                           {"ln_1.bias", true},          {"attn.c_attn.weight", true}, {"attn.c_attn.bias", true},
                           {"attn.c_proj.weight", true}, {"attn.c_proj.bias", true},   {"ln_2.weight", true},
                           {"ln_2.bias", true},          {"mlp.c_fc.weight", true},    {"mlp.c_fc.bias", true},
                           {"mlp.c_proj.weight", true},  {"mlp.c_proj.bias", true},    {"ln_f.weight", false},
                           {"ln_f.bias", false}};

// Our names in the file's order: wte, wpe, h.0.ln_1.weight, h.1.ln_1.weight, ..., ln_f.bias.
std::vector<std::string> llmc_order(const Gpt2Config& c) {
    std::vector<std::string> names;
    for (const Kind& k : kKinds) {
        if (!k.per_layer) names.emplace_back(k.name);
        else
            for (std::size_t l = 0; l < c.layers; ++l) names.push_back(fmt::format("h.{}.{}", l, k.name));
    }
    return names;
}

struct Header {
    std::int32_t h[kHeaderInts];
};

// The header from the file's first bytes (`file_size` in all), checked; its config in `cfg`.
Header parse_header(std::string_view head, std::uintmax_t file_size, const fs::path& path, Gpt2Config& cfg) {
    LADDER_CHECK(file_size >= kHeaderBytes && head.size() >= kHeaderBytes,
                 "{}: {} bytes is shorter than llm.c's {}-byte header", path.string(), file_size, kHeaderBytes);
    Header hd;
    std::memcpy(hd.h, head.data(), kHeaderBytes);
    LADDER_CHECK(hd.h[0] == llmc_magic, "{}: magic number {} is not llm.c's {} (not a gpt2_*.bin model file)",
                 path.string(), hd.h[0], llmc_magic);
    LADDER_CHECK(hd.h[1] != 5, "{}: version 5 holds bfloat16 parameters, which are not supported: only version 3 "
                 "(float32) is read (write it with llm.c's train_gpt2.py)", path.string());
    LADDER_CHECK(hd.h[1] == llmc_version, "{}: version {} is not supported (version {}: float32 parameters)",
                 path.string(), hd.h[1], llmc_version);
    const std::int32_t T = hd.h[2], V = hd.h[3], L = hd.h[4], NH = hd.h[5], C = hd.h[6], Vp = hd.h[7];
    LADDER_CHECK(T > 0 && V > 0 && L > 0 && NH > 0 && C > 0 && C % NH == 0 && Vp >= V,
                 "{}: the header's sizes make no model: maxT {}, V {}, L {}, NH {}, C {}, padded V {} (each must be "
                 "positive, NH divide C, padded V >= V)", path.string(), T, V, L, NH, C, Vp);
    cfg = Gpt2Config{};
    cfg.context = std::size_t(T), cfg.vocab = std::size_t(V), cfg.layers = std::size_t(L);
    cfg.heads = std::size_t(NH), cfg.embed = std::size_t(C), cfg.fused = false;
    return hd;
}

}  // namespace

// [book:llmc-export]
void save_llmc(const fs::path& path, const Gpt2Config& cfg, const ParamSet& params) {
    require_gpt2(cfg, "save_llmc");
    require_layout(cfg, params, path);
    const std::size_t Vp = llmc_padded_vocab(cfg.vocab);
    const std::size_t sizes[] = {cfg.context, cfg.vocab, cfg.layers, cfg.heads, cfg.embed, Vp};   // header [2..7]
    Header hd{};
    hd.h[0] = llmc_magic, hd.h[1] = llmc_version;
    for (std::size_t i = 0; i < 6; ++i) {
        LADDER_CHECK(sizes[i] <= std::size_t(std::numeric_limits<std::int32_t>::max()),
                     "save_llmc {}: {} does not fit llm.c's int32 header", path.string(), cfg.json());
        hd.h[2 + i] = static_cast<std::int32_t>(sizes[i]);
    }
    write_file_atomic(path, [&](std::ostream& out) {
        out.write(reinterpret_cast<const char*>(hd.h), kHeaderBytes);
        for (const std::string& name : llmc_order(cfg)) {
            const std::vector<float> v = params.host_value(name);
            out.write(reinterpret_cast<const char*>(v.data()), static_cast<std::streamsize>(v.size() * 4));
            if (name == "wte.weight") {   // rows V..Vp-1 of wte (Vp,C): zeros, as llm.c pads them
                const std::vector<float> pad((Vp - cfg.vocab) * cfg.embed, 0.0f);
                out.write(reinterpret_cast<const char*>(pad.data()), static_cast<std::streamsize>(pad.size() * 4));
            }
        }
    });
}
// [/book]

Gpt2Config read_llmc_config(const fs::path& path) {
    std::error_code ec;
    const std::uintmax_t size = fs::file_size(path, ec);
    LADDER_CHECK(!ec, "{}: cannot read the llm.c file: {}", path.string(), ec.message());
    std::ifstream in(path, std::ios::binary);
    std::string head(std::min<std::uintmax_t>(size, kHeaderBytes), '\0');   // the header is enough
    LADDER_CHECK(in.read(head.data(), static_cast<std::streamsize>(head.size())), "{}: cannot read the header",
                 path.string());
    Gpt2Config cfg;
    parse_header(head, size, path, cfg);
    return cfg;
}

void load_llmc(const fs::path& path, const Gpt2Config& cfg, ParamSet& params) {
    require_gpt2(cfg, "load_llmc");
    require_layout(cfg, params, path);
    const std::string file = read_file(path);
    Gpt2Config got;
    const Header hd = parse_header(file, file.size(), path, got);
    LADDER_CHECK(got.vocab == cfg.vocab && got.context == cfg.context && got.layers == cfg.layers &&
                     got.heads == cfg.heads && got.embed == cfg.embed,
                 "{}: the header's model (V {}, T {}, L {}, NH {}, C {}) does not match the config (V {}, T {}, L {}, "
                 "NH {}, C {})", path.string(), got.vocab, got.context, got.layers, got.heads, got.embed, cfg.vocab,
                 cfg.context, cfg.layers, cfg.heads, cfg.embed);
    // The file's own Vp sets wte's padded rows (llm.c rounds to 128, but the header is what was written).
    const std::size_t Vp = std::size_t(hd.h[7]), pad = (Vp - cfg.vocab) * cfg.embed;
    const std::size_t want = kHeaderBytes + 4 * (cfg.parameter_count() + pad);
    LADDER_CHECK(file.size() >= want, "{}: truncated: the header's model needs {} bytes, found {} ({} missing)",
                 path.string(), want, file.size(), want - file.size());
    LADDER_CHECK(file.size() == want, "{}: {} trailing bytes after the parameters: expected {} bytes, found {}",
                 path.string(), file.size() - want, want, file.size());
    // Everything checked: now write.
    const char* p = file.data() + kHeaderBytes;
    for (const std::string& name : llmc_order(cfg)) {
        std::vector<float> v(params.view(name).shape.numel());
        std::memcpy(v.data(), p, v.size() * 4);
        p += v.size() * 4;
        if (name == "wte.weight") p += pad * 4;   // rows V..Vp-1: dropped, the model never sees them
        params.set_value(name, v);
    }
}

}  // namespace ladder::ch07
