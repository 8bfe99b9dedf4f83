// safetensors_test.cpp: round trips, the exact byte layout other tools expect, and a
// clear error for every kind of corrupt file.
#include <catch2/catch.hpp>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/fileio.hpp"
#include "core/safetensors.hpp"
#include "tests/temp_dir.hpp"

using namespace ladder;
namespace fs = std::filesystem;

namespace {
// A file with the given JSON header text and data bytes.
std::string make_file(const std::string& header, const std::string& data) {
    std::string out(8, '\0');
    std::uint64_t n = header.size();
    for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((n >> (8 * i)) & 0xff);
    return out + header + data;
}

SafeTensors parse(const std::string& file) {
    return parse_safetensors(std::as_bytes(std::span(file.data(), file.size())), "test.safetensors");
}
}  // namespace

TEST_CASE("safetensors round trip keeps names, shapes, values and metadata", "[safetensors]") {
    const testing::TempDir tmp("safetensors");
    const std::vector<float> w{1.5f, -2.0f, 3.25f, 0.0f, 1e-30f, -7.0f};
    const std::vector<std::int32_t> ids{7, -1, 100};
    const std::vector<TensorView> views{{"wte", DType::f32, {2, 3}, w.data()}, {"ids", DType::i32, {3}, ids.data()}};
    const fs::path path = tmp / "round.safetensors";
    save_safetensors(path, views, {{"step", "12"}});
    const SafeTensors st = load_safetensors(path);
    REQUIRE(st.metadata.at("step") == "12");
    REQUIRE(st.tensors.size() == 2);
    REQUIRE(st.get("wte").shape == std::vector<std::size_t>{2, 3});
    REQUIRE(std::vector<float>(st.get("wte").f32().begin(), st.get("wte").f32().end()) == w);
    REQUIRE(std::vector<std::int32_t>(st.get("ids").i32().begin(), st.get("ids").i32().end()) == ids);
    REQUIRE_THROWS_WITH(st.get("wpe"), Catch::Contains("no tensor named 'wpe'"));
    REQUIRE_THROWS_WITH(st.get("ids").f32(), Catch::Contains("holds I32, not F32"));
    // No temp file left behind.
    for (const auto& e : fs::directory_iterator(path.parent_path()))
        REQUIRE(e.path().string().find(".tmp") == std::string::npos);
}

TEST_CASE("the file layout is the one Python's safetensors reads", "[safetensors]") {
    const testing::TempDir tmp("safetensors");
    const std::vector<float> w{1.0f, 2.0f, 3.0f};
    const fs::path path = tmp / "layout.safetensors";
    const std::vector<TensorView> views{{"a", DType::f32, {3}, w.data()}};
    save_safetensors(path, views);
    const std::string bytes = read_file(path);
    std::uint64_t n = 0;
    for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<unsigned char>(bytes[i]);
    REQUIRE((8 + n) % 8 == 0);   // data starts 8-byte aligned
    const auto header = nlohmann::json::parse(bytes.substr(8, n));
    REQUIRE(header["a"]["dtype"] == "F32");
    REQUIRE(header["a"]["shape"] == nlohmann::json::array({3}));
    REQUIRE(header["a"]["data_offsets"] == nlohmann::json::array({0, 12}));
    REQUIRE(bytes.size() == 8 + n + 12);
    float back[3];
    std::memcpy(back, bytes.data() + 8 + n, 12);
    REQUIRE(back[2] == 3.0f);
}

TEST_CASE("corrupt safetensors files get errors that name the problem", "[safetensors]") {
    const testing::TempDir tmp("safetensors");
    const std::string ok_header = R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
    const std::string data(8, '\0');
    REQUIRE_NOTHROW(parse(make_file(ok_header, data)));
    REQUIRE_THROWS_WITH(parse("abc"), Catch::Contains("too short"));
    REQUIRE_THROWS_WITH(parse(make_file(ok_header, data).substr(0, 20)), Catch::Contains("exceeds the file size"));
    REQUIRE_THROWS_WITH(parse(make_file("{not json", data)), Catch::Contains("does not parse"));
    REQUIRE_THROWS_WITH(parse(make_file(R"({"w":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}})", data)),
                        Catch::Contains("tensor 'w'") && Catch::Contains("\"F16\" is not supported"));
    REQUIRE_THROWS_WITH(parse(make_file(R"({"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", data)),
                        Catch::Contains("needs 12 bytes but data_offsets give 8"));
    REQUIRE_THROWS_WITH(parse(make_file(R"({"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})", data)),
                        Catch::Contains("fall outside the 8 data bytes"));
    REQUIRE_THROWS_WITH(parse(make_file(R"({"w":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})", data)),
                        Catch::Contains("not a non-negative integer"));
    REQUIRE_THROWS_WITH(parse(make_file(R"({"w":{"dtype":"F32","shape":[2]}})", data)),
                        Catch::Contains("lacks dtype, shape or data_offsets"));
    REQUIRE_THROWS_WITH(
        parse(make_file(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                        data)),
        Catch::Contains("tensors 'a' and 'b' overlap"));
    REQUIRE_THROWS_WITH(load_safetensors(tmp / "missing.safetensors"), Catch::Contains("cannot open"));
}
