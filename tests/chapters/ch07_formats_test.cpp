// ch07_formats_test.cpp: GPT-2's two file formats (gpt2_formats.hpp). Hugging Face safetensors and
// llm.c's .bin each round trip bit-exactly at a tiny shape (V 37, T 8, L 2, NH 2, C 8); the files
// hold what the formats say (Conv1D weights transposed, wte padded with zero rows); transformers'
// own layout (the prefix, the mask buffers, a tied lm_head) loads; every malformed file is a
// named error that leaves the parameters as they were. With numpy, Python reads both files too. ch07.
#include <catch2/catch.hpp>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "chapters/ch07_gpt/gpt2.hpp"
#include "chapters/ch07_gpt/gpt2_formats.hpp"
#include "core/error.hpp"
#include "core/fileio.hpp"
#include "core/rng.hpp"
#include "core/safetensors.hpp"
#include "tests/temp_dir.hpp"

using namespace ladder;
using namespace ladder::ch07;
namespace fs = std::filesystem;
using Catch::Contains;

namespace {

// Sizes off every round number (V is not a multiple of 128, so llm.c pads 91 rows), and C/64 = 0
// heads, so a file without our metadata needs the head count.
Gpt2Config tiny() {
    Gpt2Config c;
    c.vocab = 37, c.context = 8, c.layers = 2, c.heads = 2, c.embed = 8;
    return c;
}

// N(0,1) in every tensor, a different stream per seed: a transpose or a swapped tensor shows.
ParamSet random_params(const Gpt2Config& c, std::uint64_t seed) {
    ParamSet p(gpt2_param_specs(c), Device::cpu);
    Rng rng(seed);
    for (const ParamView& v : p.views()) {
        std::vector<float> x(v.shape.numel());
        rng.fill_normal(x, 0.0f, 1.0f);
        p.set_value(v.name, x);
    }
    return p;
}

// Every parameter as bits, in view order (bit-exact comparisons; -0.0 and NaN compare too).
std::vector<std::uint32_t> bits(const ParamSet& p) {
    std::vector<std::uint32_t> out;
    for (const ParamView& v : p.views()) {
        const std::vector<float> x = p.host_value(v.name);
        const std::size_t n = out.size();
        out.resize(n + x.size());
        std::memcpy(out.data() + n, x.data(), x.size() * 4);
    }
    return out;
}

bool same_config(const Gpt2Config& a, const Gpt2Config& b) {
    return a.vocab == b.vocab && a.context == b.context && a.layers == b.layers && a.heads == b.heads &&
           a.embed == b.embed && a.is_gpt2() == b.is_gpt2();
}

void write_bytes(const fs::path& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    REQUIRE(out.good());
}

std::int32_t header_int(const std::string& file, std::size_t i) {
    std::int32_t v;
    std::memcpy(&v, file.data() + 4 * i, 4);
    return v;
}
void set_header_int(std::string& file, std::size_t i, std::int32_t v) { std::memcpy(file.data() + 4 * i, &v, 4); }

float float_at(const std::string& file, std::size_t byte_offset) {
    float v;
    std::memcpy(&v, file.data() + byte_offset, 4);
    return v;
}

// A safetensors file of `tensors` (their own bytes), for the files transformers writes.
void save_loaded(const fs::path& path, const std::vector<LoadedTensor>& tensors) {
    std::vector<TensorView> views;
    for (const LoadedTensor& t : tensors) views.push_back({t.name, t.dtype, t.shape, t.bytes.data()});
    save_safetensors(path, views);
}

LoadedTensor f32_tensor(std::string name, std::vector<std::size_t> shape, const std::vector<float>& values) {
    LoadedTensor t{std::move(name), DType::f32, std::move(shape), {}};
    t.bytes.resize(values.size() * 4);
    std::memcpy(t.bytes.data(), values.data(), t.bytes.size());
    return t;
}

// The tensors of our HF export, renamed as GPT2LMHeadModel's state dict: "transformer." before each,
// the causal-mask buffers of each block, and the tied lm_head.
std::vector<LoadedTensor> as_transformers(const SafeTensors& ours, const Gpt2Config& c) {
    std::vector<LoadedTensor> out;
    for (const LoadedTensor& t : ours.tensors) {
        out.push_back(t);
        out.back().name = "transformer." + t.name;
    }
    std::vector<float> mask(c.context * c.context);
    for (std::size_t i = 0; i < c.context; ++i)
        for (std::size_t j = 0; j <= i; ++j) mask[i * c.context + j] = 1.0f;
    for (std::size_t l = 0; l < c.layers; ++l) {
        out.push_back(f32_tensor(fmt::format("transformer.h.{}.attn.bias", l), {1, 1, c.context, c.context}, mask));
        out.push_back(f32_tensor(fmt::format("transformer.h.{}.attn.masked_bias", l), {}, {-1e4f}));
    }
    LoadedTensor head = ours.get("wte.weight");
    head.name = "lm_head.weight";
    out.push_back(head);
    return out;
}

std::vector<LoadedTensor>::iterator find(std::vector<LoadedTensor>& ts, const std::string& name) {
    for (auto it = ts.begin(); it != ts.end(); ++it)
        if (it->name == name) return it;
    FAIL("no tensor " << name);
    return ts.end();
}

}  // namespace

TEST_CASE("Hugging Face safetensors round trip bit-exactly; the file holds HF's names and (in, out) weights",
          "[ch07][formats]") {
    const testing::TempDir tmp("ch07_formats");
    const Gpt2Config cfg = tiny();
    const ParamSet a = random_params(cfg, 1);
    const fs::path path = tmp / "gpt2.safetensors";
    save_hf_safetensors(path, cfg, a);

    ParamSet b(gpt2_param_specs(cfg), Device::cpu);
    load_hf_safetensors(path, cfg, b);
    REQUIRE(bits(b) == bits(a));
    // Our metadata carries the head count (C / 64 would be 0 here); an explicit count wins.
    REQUIRE(same_config(read_hf_config(path), cfg));
    REQUIRE(read_hf_config(path, 4).heads == 4);

    const SafeTensors st = load_safetensors(path);
    REQUIRE(st.metadata.at("format") == "gpt2");
    REQUIRE(same_config(Gpt2Config::from_json(st.metadata.at("config")), cfg));
    const std::vector<ParamSpec> specs = gpt2_param_specs(cfg);
    REQUIRE(st.tensors.size() == specs.size());   // no prefix, no lm_head, nothing else
    std::size_t transposed = 0;
    for (const ParamSpec& s : specs) {
        INFO(s.name);
        const LoadedTensor& t = st.get(s.name);
        const std::vector<float> ours = a.host_value(s.name);
        const std::span<const float> file = t.f32();
        REQUIRE(file.size() == ours.size());
        const bool conv1d = s.name.ends_with("c_attn.weight") || s.name.ends_with("c_proj.weight") ||
                            s.name.ends_with("c_fc.weight");
        if (!conv1d) {
            REQUIRE(t.shape == std::vector<std::size_t>(s.shape.dims().begin(), s.shape.dims().end()));
            REQUIRE(std::memcmp(file.data(), ours.data(), ours.size() * 4) == 0);
            continue;
        }
        // ours (out, in), the file's (in, out): file[i][o] == ours[o][i]
        const std::size_t out = s.shape[0], in = s.shape[1];
        REQUIRE(t.shape == std::vector<std::size_t>{in, out});
        for (std::size_t o = 0; o < out; ++o)
            for (std::size_t i = 0; i < in; ++i) REQUIRE(file[i * out + o] == ours[o * in + i]);
        ++transposed;
    }
    REQUIRE(transposed == 4 * cfg.layers);
    REQUIRE(st.get("h.0.attn.c_attn.weight").shape == std::vector<std::size_t>{8, 24});   // (C, 3C)
    REQUIRE(st.get("h.1.mlp.c_proj.weight").shape == std::vector<std::size_t>{32, 8});    // (4C, C)
}

TEST_CASE("llm.c .bin round trips bit-exactly; header, order and zero padding as llm.c writes them",
          "[ch07][formats]") {
    REQUIRE(llmc_padded_vocab(50257) == 50304);
    REQUIRE(llmc_padded_vocab(128) == 128);
    REQUIRE(llmc_padded_vocab(129) == 256);
    REQUIRE(llmc_padded_vocab(37) == 128);

    const testing::TempDir tmp("ch07_formats");
    const Gpt2Config cfg = tiny();
    const ParamSet a = random_params(cfg, 2);
    const fs::path path = tmp / "gpt2.bin";
    save_llmc(path, cfg, a);

    const std::size_t V = 37, Vp = 128, T = 8, L = 2, C = 8;
    const std::string file = read_file(path);
    REQUIRE(file.size() == 256 * 4 + 4 * (Vp * C + T * C + L * (12 * C * C + 13 * C) + 2 * C));
    const std::int32_t want_header[] = {20240326, 3, 8, 37, 2, 2, 8, 128};
    for (std::size_t i = 0; i < 256; ++i) REQUIRE(header_int(file, i) == (i < 8 ? want_header[i] : 0));
    // wte (Vp, C): ours in rows 0..V-1, then zeros.
    const std::vector<float> wte = a.host_value("wte.weight");
    for (std::size_t k = 0; k < Vp * C; ++k) {
        const float got = float_at(file, 1024 + 4 * k);
        if (k < V * C) REQUIRE(got == wte[k]);
        else REQUIRE(std::memcmp(&got, "\0\0\0\0", 4) == 0);   // +0.0f exactly
    }
    // qkvw (L, 3C, C) after wte, wpe, ln1w, ln1b, qkvw[0]: layer 1's c_attn, (out, in) untransposed.
    const std::size_t qkvw1 = Vp * C + T * C + 2 * L * C + 3 * C * C;
    const std::vector<float> c_attn1 = a.host_value("h.1.attn.c_attn.weight");
    for (std::size_t k = 0; k < 3 * C * C; ++k) REQUIRE(float_at(file, 1024 + 4 * (qkvw1 + k)) == c_attn1[k]);
    // lnfb (C) is last.
    const std::vector<float> lnfb = a.host_value("ln_f.bias");
    for (std::size_t k = 0; k < C; ++k) REQUIRE(float_at(file, file.size() - 4 * (C - k)) == lnfb[k]);

    REQUIRE(same_config(read_llmc_config(path), cfg));
    ParamSet b(gpt2_param_specs(cfg), Device::cpu);
    load_llmc(path, cfg, b);
    REQUIRE(bits(b) == bits(a));
    // The write went through a temp file: only the result is left.
    for (const auto& e : fs::directory_iterator(tmp.path())) REQUIRE(e.path().filename() == "gpt2.bin");
}

TEST_CASE("transformers' GPT2LMHeadModel file loads: the prefix, the mask buffers and a tied lm_head",
          "[ch07][formats]") {
    const testing::TempDir tmp("ch07_formats");
    const Gpt2Config cfg = tiny();
    const ParamSet a = random_params(cfg, 3);
    save_hf_safetensors(tmp / "ours.safetensors", cfg, a);
    const SafeTensors ours = load_safetensors(tmp / "ours.safetensors");
    std::vector<LoadedTensor> hf = as_transformers(ours, cfg);
    const fs::path path = tmp / "model.safetensors";
    save_loaded(path, hf);

    // No metadata: the head count is the caller's (C / 64 = 0 heads is refused, naming C).
    CHECK_THROWS_WITH(read_hf_config(path), Contains("heads do not divide the width C = 8"));
    REQUIRE(same_config(read_hf_config(path, 2), cfg));
    ParamSet b(gpt2_param_specs(cfg), Device::cpu);
    load_hf_safetensors(path, cfg, b);
    REQUIRE(bits(b) == bits(a));

    // GPT2Model's names (no prefix), with buffers: also fine.
    std::vector<LoadedTensor> plain = hf;
    plain.pop_back();   // lm_head
    for (LoadedTensor& t : plain) t.name = t.name.substr(12);
    save_loaded(tmp / "plain.safetensors", plain);
    ParamSet c(gpt2_param_specs(cfg), Device::cpu);
    load_hf_safetensors(tmp / "plain.safetensors", cfg, c);
    REQUIRE(bits(c) == bits(a));

    // An output layer that is not wte: refused, the parameters untouched.
    std::vector<LoadedTensor> untied = hf;
    find(untied, "lm_head.weight")->bytes[5] ^= std::byte{1};
    save_loaded(tmp / "untied.safetensors", untied);
    ParamSet d = random_params(cfg, 4);
    const auto before = bits(d);
    CHECK_THROWS_WITH(load_hf_safetensors(tmp / "untied.safetensors", cfg, d), Contains("not tied"));
    REQUIRE(bits(d) == before);
}

TEST_CASE("a Hugging Face file with missing, unexpected or misshapen tensors names them all", "[ch07][formats]") {
    const testing::TempDir tmp("ch07_formats");
    const Gpt2Config cfg = tiny();
    save_hf_safetensors(tmp / "ours.safetensors", cfg, random_params(cfg, 5));
    const SafeTensors ours = load_safetensors(tmp / "ours.safetensors");
    ParamSet p = random_params(cfg, 6);
    const auto before = bits(p);

    SECTION("missing and unexpected names, all of them") {
        std::vector<LoadedTensor> ts = ours.tensors;
        ts.erase(find(ts, "h.1.ln_2.bias"));
        ts.erase(find(ts, "h.0.mlp.c_fc.weight"));
        ts.push_back(f32_tensor("h.0.attn.rotary", {2}, {1, 2}));
        ts.push_back(f32_tensor("extra.weight", {1}, {3}));
        save_loaded(tmp / "bad.safetensors", ts);
        const auto load = [&] { load_hf_safetensors(tmp / "bad.safetensors", cfg, p); };
        CHECK_THROWS_WITH(load(), Contains("2 missing [h.0.mlp.c_fc.weight, h.1.ln_2.bias]"));
        CHECK_THROWS_WITH(load(), Contains("2 unexpected") && Contains("h.0.attn.rotary") && Contains("extra.weight"));
        CHECK_THROWS_WITH(load(), Contains("bad.safetensors"));
    }
    SECTION("the prefix on some names and not others") {
        std::vector<LoadedTensor> ts = ours.tensors;
        for (LoadedTensor& t : ts)
            if (t.name != "h.1.ln_1.weight") t.name = "transformer." + t.name;
        save_loaded(tmp / "mixed.safetensors", ts);
        CHECK_THROWS_WITH(load_hf_safetensors(tmp / "mixed.safetensors", cfg, p),
                          Contains("1 missing [transformer.h.1.ln_1.weight]") && Contains("1 unexpected [h.1.ln_1.weight]"));
    }
    SECTION("a weight stored (out, in) instead of Conv1D's (in, out), and a longer wpe") {
        std::vector<LoadedTensor> ts = ours.tensors;
        find(ts, "h.0.attn.c_attn.weight")->shape = {24, 8};
        auto wpe = find(ts, "wpe.weight");
        *wpe = f32_tensor("wpe.weight", {9, 8}, std::vector<float>(72, 0.5f));
        save_loaded(tmp / "shape.safetensors", ts);
        const auto load = [&] { load_hf_safetensors(tmp / "shape.safetensors", cfg, p); };
        CHECK_THROWS_WITH(load(), Contains("h.0.attn.c_attn.weight is (24, 8), expected (8, 24)"));
        CHECK_THROWS_WITH(load(), Contains("wpe.weight is (9, 8), expected (8, 8)"));
    }
    SECTION("a file of another depth against the config") {
        Gpt2Config one = cfg;
        one.layers = 1;
        ParamSet q = random_params(one, 7);
        const auto q_before = bits(q);
        CHECK_THROWS_WITH(load_hf_safetensors(tmp / "ours.safetensors", one, q),
                          Contains("unexpected") && Contains("h.1.attn.c_attn.weight"));
        REQUIRE(bits(q) == q_before);
    }
    SECTION("half precision: not supported, convert with torch") {
        // safetensors by hand: 8-byte length, the JSON header, the data (our writer has no F16).
        const std::string header = R"({"wte.weight":{"dtype":"F16","shape":[2,2],"data_offsets":[0,8]}})";
        std::string file(8, '\0');
        const std::uint64_t n = header.size();
        std::memcpy(file.data(), &n, 8);
        file += header + std::string(8, '\0');
        write_bytes(tmp / "half.safetensors", file);
        CHECK_THROWS_WITH(load_hf_safetensors(tmp / "half.safetensors", cfg, p),
                          Contains("wte.weight (F16)") && Contains("F16/BF16 are not supported") && Contains("torch"));
    }
    SECTION("parameters of another config") {
        Gpt2Config wide = cfg;
        wide.embed = 16;
        ParamSet w = random_params(wide, 8);
        CHECK_THROWS_WITH(load_hf_safetensors(tmp / "ours.safetensors", cfg, w), Contains("layout"));
    }
    REQUIRE(bits(p) == before);
}

TEST_CASE("a malformed llm.c file is a named error and the parameters stay as they were", "[ch07][formats]") {
    const testing::TempDir tmp("ch07_formats");
    const Gpt2Config cfg = tiny();
    save_llmc(tmp / "good.bin", cfg, random_params(cfg, 9));
    const std::string good = read_file(tmp / "good.bin");
    ParamSet p = random_params(cfg, 10);
    const auto before = bits(p);
    const fs::path bad = tmp / "bad.bin";
    const auto load = [&](const std::string& bytes) {
        write_bytes(bad, bytes);
        load_llmc(bad, cfg, p);
    };
    std::string f = good;

    SECTION("wrong magic") {
        set_header_int(f, 0, 20240520);   // llm.c's tokenizer file
        CHECK_THROWS_WITH(load(f), Contains("magic number 20240520 is not llm.c's 20240326"));
    }
    SECTION("version 5 (bfloat16) and others") {
        set_header_int(f, 1, 5);
        CHECK_THROWS_WITH(load(f), Contains("version 5") && Contains("bfloat16") && Contains("not supported"));
        set_header_int(f, 1, 2);
        CHECK_THROWS_WITH(load(f), Contains("version 2 is not supported"));
    }
    SECTION("truncated payload") {
        f.resize(f.size() - 4);
        CHECK_THROWS_WITH(load(f), Contains("truncated") &&
                                       Contains(fmt::format("needs {} bytes, found {}", good.size(), f.size())));
    }
    SECTION("trailing bytes") {
        f += std::string(8, '\0');
        CHECK_THROWS_WITH(load(f), Contains("8 trailing bytes") &&
                                       Contains(fmt::format("expected {} bytes, found {}", good.size(), f.size())));
    }
    SECTION("shorter than the header") {
        f.resize(100);
        CHECK_THROWS_WITH(load(f), Contains("100 bytes is shorter than llm.c's 1024-byte header"));
        CHECK_THROWS_WITH(read_llmc_config(bad), Contains("shorter than llm.c's 1024-byte header"));
    }
    SECTION("nonsense sizes") {
        set_header_int(f, 5, 3);   // NH = 3 does not divide C = 8
        CHECK_THROWS_WITH(load(f), Contains("make no model") && Contains("NH 3, C 8"));
        set_header_int(f, 5, 2);
        set_header_int(f, 7, 36);  // Vp < V
        CHECK_THROWS_WITH(read_llmc_config((write_bytes(bad, f), bad)), Contains("padded V 36"));
        set_header_int(f, 7, 128);
        set_header_int(f, 4, 0);   // L = 0
        CHECK_THROWS_WITH(load(f), Contains("L 0"));
    }
    SECTION("the header's model is not the config") {
        Gpt2Config four = cfg;
        four.heads = 4;
        ParamSet q = random_params(four, 11);   // same tensors: only the header can tell
        const auto q_before = bits(q);
        CHECK_THROWS_WITH(load_llmc(tmp / "good.bin", four, q),
                          Contains("(V 37, T 8, L 2, NH 2, C 8) does not match the config (V 37, T 8, L 2, NH 4, C 8)"));
        REQUIRE(bits(q) == q_before);
    }
    SECTION("another padded vocabulary is read as the header says") {
        // Vp is the file's: 40 rows instead of 128 (a writer that pads less) still loads.
        std::string small = good.substr(0, 1024 + 4 * 37 * 8) + good.substr(1024 + 4 * 128 * 8);
        small.insert(1024 + 4 * 37 * 8, std::string(4 * 3 * 8, '\0'));
        set_header_int(small, 7, 40);
        write_bytes(bad, small);
        ParamSet a(gpt2_param_specs(cfg), Device::cpu), b(gpt2_param_specs(cfg), Device::cpu);
        load_llmc(tmp / "good.bin", cfg, a);
        load_llmc(bad, cfg, b);
        REQUIRE(bits(b) == bits(a));
        return;   // p was not meant to stay
    }
    REQUIRE(bits(p) == before);
}

TEST_CASE("an ablated model has no GPT-2 layout: both exports refuse it", "[ch07][formats]") {
    const testing::TempDir tmp("ch07_formats");
    Gpt2Config cfg = tiny();
    cfg.mlp = false;
    const ParamSet p(gpt2_param_specs(cfg), Device::cpu);
    CHECK_THROWS_WITH(save_hf_safetensors(tmp / "a.safetensors", cfg, p), Contains("ablation"));
    CHECK_THROWS_WITH(save_llmc(tmp / "a.bin", cfg, p), Contains("ablation"));
    REQUIRE(fs::is_empty(tmp.path()));
}

TEST_CASE("Python reads both files independently and finds the same weights (numpy)", "[ch07][formats]") {
    if (std::system("/usr/bin/python3 -c 'import numpy' > /dev/null 2>&1") != 0) {
        WARN("SKIPPED: numpy not found (/usr/bin/python3 -c 'import numpy' failed)");
        return;
    }
    const testing::TempDir tmp("ch07_formats");
    const Gpt2Config cfg = tiny();
    const ParamSet a = random_params(cfg, 12);
    save_hf_safetensors(tmp / "gpt2.safetensors", cfg, a);
    save_llmc(tmp / "gpt2.bin", cfg, a);
    // Parses both formats from their specs alone (struct, json, numpy), then checks llm.c's tensors
    // against HF's: the same values, Conv1D weights transposed, wte's padding zero.
    const fs::path script = tmp.write("check.py", R"PY(
import json, struct, sys
import numpy as np
st_path, bin_path = sys.argv[1], sys.argv[2]
raw = open(st_path, 'rb').read()
n = struct.unpack('<Q', raw[:8])[0]
header = json.loads(raw[8:8 + n])
meta = header.pop('__metadata__')
assert meta['format'] == 'gpt2', meta
hf = {k: np.frombuffer(raw[8 + n + v['data_offsets'][0]:8 + n + v['data_offsets'][1]], '<f4').reshape(v['shape'])
      for k, v in header.items()}
b = open(bin_path, 'rb').read()
h = np.frombuffer(b[:1024], '<i4')
assert h[0] == 20240326 and h[1] == 3, h[:8]
T, V, L, NH, C, Vp = (int(x) for x in h[2:8])
assert (T, V, L, NH, C, Vp) == (8, 37, 2, 2, 8, 128), h[:8]
assert not h[8:].any()
p = np.frombuffer(b[1024:], '<f4')
shapes = [('wte', (Vp, C)), ('wpe', (T, C)), ('ln_1.weight', (L, C)), ('ln_1.bias', (L, C)),
          ('attn.c_attn.weight', (L, 3 * C, C)), ('attn.c_attn.bias', (L, 3 * C)),
          ('attn.c_proj.weight', (L, C, C)), ('attn.c_proj.bias', (L, C)), ('ln_2.weight', (L, C)),
          ('ln_2.bias', (L, C)), ('mlp.c_fc.weight', (L, 4 * C, C)), ('mlp.c_fc.bias', (L, 4 * C)),
          ('mlp.c_proj.weight', (L, C, 4 * C)), ('mlp.c_proj.bias', (L, C)), ('ln_f.weight', (C,)),
          ('ln_f.bias', (C,))]
off, llmc = 0, {}
for name, shape in shapes:
    size = int(np.prod(shape))
    llmc[name] = p[off:off + size].reshape(shape)
    off += size
assert off == p.size, (off, p.size)
assert np.array_equal(llmc['wte'][:V], hf['wte.weight']) and not llmc['wte'][V:].any()
assert np.array_equal(llmc['wpe'], hf['wpe.weight'])
assert np.array_equal(llmc['ln_f.weight'], hf['ln_f.weight']) and np.array_equal(llmc['ln_f.bias'], hf['ln_f.bias'])
for name, _ in shapes[2:14]:
    for l in range(L):
        mine, theirs = llmc[name][l], hf['h.%d.%s' % (l, name)]
        if name.endswith('weight') and mine.ndim == 2:
            theirs = theirs.T  # Conv1D (in, out) -> (out, in)
        assert np.array_equal(mine, theirs), (name, l)
print('ok')
)PY");
    const std::string cmd = fmt::format("/usr/bin/python3 {} {} {}", script.string(), (tmp / "gpt2.safetensors").string(),
                                        (tmp / "gpt2.bin").string());
    REQUIRE(std::system(cmd.c_str()) == 0);
}
