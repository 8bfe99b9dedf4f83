// checkpoint_test.cpp: checkpoints round trip bit-exactly on cpu and simt; a file that does not
// fit the model, a truncated or corrupt file, and a save that fails or is killed midway each
// give a named ladder::Error and leave the model and the previous checkpoint whole. ch05.
#include <catch2/catch.hpp>

#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/error.hpp"
#include "core/fileio.hpp"
#include "core/nn/checkpoint.hpp"
#include "core/rng.hpp"
#include "core/safetensors.hpp"
#include "tests/temp_dir.hpp"

using namespace ladder;
namespace fs = std::filesystem;

namespace {

using State = std::vector<std::pair<std::string, Tensor>>;

std::vector<ParamSpec> specs() { return {{"wte", {7, 5}}, {"b1", {3}, false}, {"w2", {4, 4}}}; }

// Random normal values in every view and in the whole optimizer buffers (padding included:
// it must not travel, so the loaded padding shows what the loading model had).
void randomize(ParamSet& p, State& state, std::uint64_t seed) {
    Rng rng(seed);
    for (const auto& v : p.views()) {
        std::vector<float> x(v.shape.numel());
        rng.fill_normal(x, 0.0f, 1.0f);
        p.set_value(v.name, x);
    }
    for (auto& [name, t] : state) {
        std::vector<float> x(t.numel());
        rng.fill_normal(x, 0.0f, 1.0f);
        t.copy_from(x);
    }
}

State make_state(const ParamSet& p) {
    return {{"adamw.m", Tensor::zeros({p.numel()}, p.device())}, {"adamw.v", Tensor::zeros({p.numel()}, p.device())}};
}

// Every stored number as bits, in a fixed order: the views of the parameters, then of each state.
std::vector<std::uint32_t> stored_bits(const ParamSet& p, const State& state) {
    std::vector<std::uint32_t> out;
    auto add = [&](const std::vector<float>& buf) {
        for (const auto& v : p.views())
            for (std::size_t k = 0; k < v.shape.numel(); ++k) {
                std::uint32_t b;
                std::memcpy(&b, &buf[v.offset + k], 4);
                out.push_back(b);
            }
    };
    add(p.values().to_vector());
    for (const auto& [name, t] : state) add(t.to_vector());
    return out;
}

// Everything in the buffers (padding too), to prove a failed load wrote nothing.
std::vector<std::vector<float>> whole(const ParamSet& p, const State& state) {
    std::vector<std::vector<float>> out{p.values().to_vector()};
    for (const auto& [name, t] : state) out.push_back(t.to_vector());
    return out;
}

void write_bytes(const fs::path& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    REQUIRE(out.good());
}

std::uint64_t header_length(const std::string& file) {
    std::uint64_t n = 0;
    for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<unsigned char>(file[static_cast<std::size_t>(i)]);
    return n;
}

const std::map<std::string, std::string> kMeta{{"config", R"({"V": 7, "C": 5})"}, {"step", "120"}, {"data", "4096"}};

}  // namespace

TEST_CASE("checkpoints round trip bit-exactly on cpu and simt, across devices too", "[checkpoint][simt]") {
    const testing::TempDir tmp("checkpoint");
    for (Device from : {Device::cpu, Device::simt})
        for (Device to : {Device::cpu, Device::simt}) {
            INFO("saved on " << device_name(from) << ", loaded on " << device_name(to));
            ParamSet a(specs(), from);
            State sa = make_state(a);
            randomize(a, sa, 11);
            Rng rng(5);
            rng.normal();
            auto meta = kMeta;
            meta["rng"] = to_string(rng.state());
            const fs::path path = tmp / "ckpt.safetensors";
            save_checkpoint(path, a, sa, meta);

            ParamSet b(specs(), to);
            State sb = make_state(b);
            const auto got_meta = load_checkpoint(path, b, sb);
            REQUIRE(got_meta == meta);
            REQUIRE(stored_bits(b, sb) == stored_bits(a, sa));
            REQUIRE(rng_state_from_string(got_meta.at("rng")) == rng.state());
            // The padding is not stored: the loading model's stays zero (the saved states' was random).
            for (const auto& buf : whole(b, sb)) {
                std::vector<bool> in_view(buf.size(), false);
                for (const auto& v : b.views())
                    for (std::size_t k = 0; k < v.shape.numel(); ++k) in_view[v.offset + k] = true;
                for (std::size_t j = 0; j < buf.size(); ++j)
                    if (!in_view[j]) REQUIRE(buf[j] == 0.0f);
            }
        }
    // No temp file left behind.
    for (const auto& e : fs::directory_iterator(tmp.path())) REQUIRE(e.path().filename() == "ckpt.safetensors");
}

TEST_CASE("a checkpoint is a plain safetensors file: views by name, state as '<state>.<view>'", "[checkpoint]") {
    const testing::TempDir tmp("checkpoint");
    ParamSet p(specs(), Device::cpu);
    State s = make_state(p);
    randomize(p, s, 12);
    const fs::path path = tmp / "plain.safetensors";
    save_checkpoint(path, p, s, kMeta);
    const SafeTensors st = load_safetensors(path);
    REQUIRE(st.tensors.size() == 9);   // 3 parameters + 2 states x 3 views
    REQUIRE(st.metadata == kMeta);
    for (const char* prefix : {"", "adamw.m.", "adamw.v."})
        for (const auto& v : p.views()) {
            const std::string name = prefix + v.name;
            INFO(name);
            REQUIRE(st.contains(name));
            const auto dims = v.shape.dims();
            REQUIRE(st.get(name).shape == std::vector<std::size_t>(dims.begin(), dims.end()));
        }
    const auto w2 = st.get("w2").f32();
    REQUIRE(std::vector<float>(w2.begin(), w2.end()) == p.host_value("w2"));
    const auto m_b1 = st.get("adamw.m.b1").f32();
    const auto m = s[0].second.to_vector();
    REQUIRE(std::vector<float>(m_b1.begin(), m_b1.end()) ==
            std::vector<float>(m.begin() + static_cast<std::ptrdiff_t>(p.view("b1").offset),
                               m.begin() + static_cast<std::ptrdiff_t>(p.view("b1").offset + 3)));

    REQUIRE(read_checkpoint_metadata(path) == kMeta);
    const auto meta = read_checkpoint_metadata(path);
    REQUIRE(require_meta(meta, "step", path) == "120");
    REQUIRE_THROWS_WITH(require_meta(meta, "rng", path),
                        Catch::Contains("checkpoint " + path.string() + " has no metadata 'rng'") &&
                            Catch::Contains("config, data, step"));
    REQUIRE_THROWS_WITH(read_checkpoint_metadata(tmp / "absent.safetensors"), Catch::Contains("absent.safetensors"));
}

TEST_CASE("a checkpoint that does not fit the model names the tensor and both shapes", "[checkpoint]") {
    const testing::TempDir tmp("checkpoint");
    ParamSet p(specs(), Device::cpu);
    State s = make_state(p);
    randomize(p, s, 13);
    const fs::path path = tmp / "model.safetensors";
    save_checkpoint(path, p, s, kMeta);
    const std::string file = path.string();

    SECTION("wrong shape") {
        ParamSet q({{"wte", {5, 7}}, {"b1", {3}, false}, {"w2", {4, 4}}}, Device::cpu);
        State sq = make_state(q);
        randomize(q, sq, 14);
        const auto before = whole(q, sq);
        REQUIRE_THROWS_WITH(load_checkpoint(path, q, sq), Catch::Contains("checkpoint " + file) &&
                                                              Catch::Contains("tensor 'wte' has shape (7, 5)") &&
                                                              Catch::Contains("the model expects (5, 7)"));
        REQUIRE(whole(q, sq) == before);   // nothing written
    }
    SECTION("missing parameter") {
        ParamSet q({{"wte", {7, 5}}, {"b1", {3}, false}, {"w2", {4, 4}}, {"b2", {4}, false}}, Device::cpu);
        State sq = make_state(q);
        randomize(q, sq, 15);
        const auto before = whole(q, sq);
        REQUIRE_THROWS_WITH(load_checkpoint(path, q, sq), Catch::Contains("checkpoint " + file) &&
                                                              Catch::Contains("has no tensor 'b2'") &&
                                                              Catch::Contains("expects shape (4,)"));
        REQUIRE(whole(q, sq) == before);
    }
    SECTION("missing optimizer state") {
        const fs::path bare = tmp / "bare.safetensors";
        save_checkpoint(bare, p, {}, kMeta);
        ParamSet q(specs(), Device::cpu);
        State sq = make_state(q);
        REQUIRE_THROWS_WITH(load_checkpoint(bare, q, sq), Catch::Contains("has no tensor 'adamw.m.wte'"));
    }
    SECTION("a tensor the model lacks") {
        ParamSet q({{"wte", {7, 5}}, {"b1", {3}, false}}, Device::cpu);
        State sq = make_state(q);
        const auto before = whole(q, sq);
        REQUIRE_THROWS_WITH(load_checkpoint(path, q, sq), Catch::Contains("checkpoint " + file) &&
                                                              Catch::Contains("holds tensor") &&
                                                              Catch::Contains("w2") &&
                                                              Catch::Contains("the model does not have"));
        REQUIRE(whole(q, sq) == before);
    }
    SECTION("optimizer state in the file but not passed") {
        ParamSet q(specs(), Device::cpu);
        REQUIRE_THROWS_WITH(load_checkpoint(path, q, {}), Catch::Contains("holds tensor 'adamw.") &&
                                                              Catch::Contains("(optimizer state 'adamw."));
    }
    SECTION("an optimizer state of the wrong layout") {
        const State bad{{"adamw.m", Tensor::zeros({p.numel() - 1})}};
        REQUIRE_THROWS_WITH(save_checkpoint(tmp / "bad.safetensors", p, bad, kMeta),
                            Catch::Contains("optimizer state 'adamw.m'") &&
                                Catch::Contains(std::to_string(p.numel()) + " elements"));
        REQUIRE_FALSE(fs::exists(tmp / "bad.safetensors"));
        ParamSet q(specs(), Device::cpu);
        REQUIRE_THROWS_WITH(load_checkpoint(path, q, bad), Catch::Contains("optimizer state 'adamw.m'"));
    }
}

TEST_CASE("a truncated or corrupt checkpoint is a named error, never a crash", "[checkpoint]") {
    const testing::TempDir tmp("checkpoint");
    ParamSet p(specs(), Device::cpu);
    State s = make_state(p);
    randomize(p, s, 16);
    const fs::path good = tmp / "good.safetensors";
    save_checkpoint(good, p, s, kMeta);
    const std::string bytes = read_file(good);
    const std::size_t header_end = 8 + header_length(bytes);
    REQUIRE(header_end < bytes.size());

    ParamSet q(specs(), Device::cpu);
    State sq = make_state(q);
    randomize(q, sq, 17);
    const auto before = whole(q, sq);
    const fs::path cut = tmp / "cut.safetensors";
    // Inside the length field, inside the JSON, at its end (no data), inside the data, one short.
    for (std::size_t len : {std::size_t{0}, std::size_t{3}, std::size_t{8}, std::size_t{9}, header_end / 2,
                            header_end - 1, header_end, header_end + 5, (header_end + bytes.size()) / 2,
                            bytes.size() - 1}) {
        INFO("cut at " << len << " of " << bytes.size() << " bytes");
        write_bytes(cut, bytes.substr(0, len));
        REQUIRE_THROWS_AS(load_checkpoint(cut, q, sq), Error);
        REQUIRE_THROWS_WITH(load_checkpoint(cut, q, sq), Catch::Contains("cut.safetensors"));
        REQUIRE(whole(q, sq) == before);
        // The metadata reader reads only the header: it fails exactly when the header is cut.
        if (len < header_end) REQUIRE_THROWS_AS(read_checkpoint_metadata(cut), Error);
        else REQUIRE(read_checkpoint_metadata(cut) == kMeta);
    }

    const auto corrupt = [&](std::string b, const char* expect) {
        INFO(expect);
        write_bytes(cut, b);
        REQUIRE_THROWS_WITH(load_checkpoint(cut, q, sq), Catch::Contains("cut.safetensors") && Catch::Contains(expect));
        REQUIRE(whole(q, sq) == before);
    };
    const std::string header = bytes.substr(8, header_end - 8);
    std::string b = bytes;
    b[8] = '[';   // the JSON object's opening brace
    corrupt(b, "does not parse");
    b = bytes;
    b[7] = static_cast<char>(0x7f);   // the length's top byte: far past the file
    corrupt(b, "exceeds the file size");
    b = bytes;
    const std::size_t shape_at = 8 + header.find("[7,5]");
    REQUIRE(shape_at > 8);
    b.replace(shape_at, 5, "[7,6]");   // the bytes no longer match the shape
    corrupt(b, "needs 168 bytes");   // 7 * 6 floats
    b = bytes;
    const std::size_t dtype_at = 8 + header.find("\"F32\"");
    b.replace(dtype_at, 5, "\"F16\"");
    corrupt(b, "not supported");
    b = bytes;
    const std::size_t name_at = 8 + header.find("\"wte\"");
    b.replace(name_at, 5, "\"wtf\"");   // a renamed tensor: the model's 'wte' is missing
    corrupt(b, "has no tensor 'wte'");
    b = bytes;
    b[8] = ' ';   // still JSON, but not an object: " \"wte\"..." -> a parse error or a non-object
    write_bytes(cut, b);
    REQUIRE_THROWS_AS(load_checkpoint(cut, q, sq), Error);
}

TEST_CASE("a save that fails or is killed midway leaves the previous checkpoint loadable", "[checkpoint]") {
    const testing::TempDir tmp("checkpoint");
    ParamSet p(specs(), Device::cpu);
    State s = make_state(p);
    randomize(p, s, 18);
    const fs::path path = tmp / "run.safetensors";
    auto meta1 = kMeta;
    meta1["step"] = "100";
    save_checkpoint(path, p, s, meta1);
    const auto saved = stored_bits(p, s);
    const auto file_size = fs::file_size(path);
    randomize(p, s, 19);   // training moved on; the next save must not destroy the last one
    auto meta2 = kMeta;
    meta2["step"] = "200";
    const auto check_previous_intact = [&] {
        ParamSet q(specs(), Device::cpu);
        State sq = make_state(q);
        REQUIRE(load_checkpoint(path, q, sq).at("step") == "100");
        REQUIRE(stored_bits(q, sq) == saved);
    };

    SECTION("the temp file cannot be created") {
        // save_safetensors writes "<path>.tmp<pid>" (core/fileio.cpp); a folder there blocks it.
        const fs::path blocker = path.string() + ".tmp" + std::to_string(::getpid());
        fs::create_directory(blocker);
        REQUIRE_THROWS_AS(save_checkpoint(path, p, s, meta2), Error);
        check_previous_intact();
    }
    SECTION("the write fails after part of the file (file size limit, as a full disk)") {
        // RLIMIT_FSIZE makes write() fail with EFBIG past half the checkpoint's size.
        rlimit old{};
        REQUIRE(::getrlimit(RLIMIT_FSIZE, &old) == 0);
        const auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
        rlimit small = old;
        small.rlim_cur = file_size / 2;
        REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
        bool threw = false;
        try {
            save_checkpoint(path, p, s, meta2);
        } catch (const Error&) {
            threw = true;
        }
        ::setrlimit(RLIMIT_FSIZE, &old);
        std::signal(SIGXFSZ, old_handler);
        REQUIRE(threw);
        check_previous_intact();
        for (const auto& e : fs::directory_iterator(tmp.path())) REQUIRE(e.path() == path);   // temp file removed
    }
    SECTION("the process is killed while writing") {
        // The child is killed by SIGXFSZ (its default action) when the temp file passes the limit:
        // a kill in the middle of the write, at a byte we choose.
        const pid_t child = ::fork();
        REQUIRE(child >= 0);
        if (child == 0) {
            rlimit no_core{0, 0};
            ::setrlimit(RLIMIT_CORE, &no_core);
            rlimit small{file_size / 2, file_size / 2};
            ::setrlimit(RLIMIT_FSIZE, &small);
            std::signal(SIGXFSZ, SIG_DFL);
            try {
                save_checkpoint(path, p, s, meta2);
            } catch (...) {
                ::_exit(2);
            }
            ::_exit(0);   // not reached: the save outgrows the limit
        }
        int status = 0;
        REQUIRE(::waitpid(child, &status, 0) == child);
        REQUIRE(WIFSIGNALED(status));
        REQUIRE(WTERMSIG(status) == SIGXFSZ);
        check_previous_intact();
        // The killed save left its partial temp file (nobody could remove it), never the checkpoint.
        const fs::path partial = path.string() + ".tmp" + std::to_string(child);
        REQUIRE(fs::exists(partial));
        REQUIRE(fs::file_size(partial) <= file_size / 2);
    }
    // And a save that succeeds replaces it.
    if (fs::exists(path.string() + ".tmp" + std::to_string(::getpid())))
        fs::remove(path.string() + ".tmp" + std::to_string(::getpid()));
    save_checkpoint(path, p, s, meta2);
    ParamSet q(specs(), Device::cpu);
    State sq = make_state(q);
    REQUIRE(load_checkpoint(path, q, sq).at("step") == "200");
    REQUIRE(stored_bits(q, sq) == stored_bits(p, s));
}

TEST_CASE("extra tensors (a carried hidden state) travel under their own names and shapes", "[checkpoint][simt]") {
    const testing::TempDir tmp("checkpoint");
    ParamSet p(specs(), Device::simt);
    State s = make_state(p);
    randomize(p, s, 20);
    std::vector<float> h(2 * 3);
    Rng rng(21);
    rng.fill_normal(h, 0.0f, 1.0f);
    const State extra{{"state.carried", Tensor::from(h, {2, 3}, Device::simt)}};
    const fs::path path = tmp / "rnn.safetensors";
    save_checkpoint(path, p, s, kMeta, extra);
    REQUIRE(load_safetensors(path).get("state.carried").shape == std::vector<std::size_t>{2, 3});

    ParamSet q(specs(), Device::cpu);
    State sq = make_state(q);
    const State carried{{"state.carried", Tensor::zeros({2, 3})}};
    REQUIRE(load_checkpoint(path, q, sq, carried) == kMeta);
    REQUIRE(carried[0].second.to_vector() == h);
    REQUIRE(stored_bits(q, sq) == stored_bits(p, s));

    const State wrong{{"state.carried", Tensor::zeros({3, 2})}};
    REQUIRE_THROWS_WITH(load_checkpoint(path, q, sq, wrong),
                        Catch::Contains("tensor 'state.carried' has shape (2, 3), the model expects (3, 2)"));
    REQUIRE_THROWS_WITH(load_checkpoint(path, q, sq), Catch::Contains("holds tensor 'state.carried'"));
    const State clash{{"wte", Tensor::zeros({1})}};
    REQUIRE_THROWS_WITH(save_checkpoint(tmp / "clash.safetensors", p, s, kMeta, clash),
                        Catch::Contains("two tensors would be stored as 'wte'"));
}
