// params_test.cpp: ParamSet's layout (aligned, contiguous offsets in spec order), views that
// share the buffers, zero_grad on cpu and simt, and the errors for bad specs and names. ch05.
#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

#include "core/device.hpp"
#include "core/error.hpp"
#include "core/nn/params.hpp"

using namespace ladder;

namespace {
// Position-dependent values that no two elements share: a misplaced offset shows.
std::vector<float> ramp(std::size_t n, float start) {
    std::vector<float> v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = start + static_cast<float>(i);
    return v;
}

// A small model with shapes off the alignment (7*5 = 35, 3, 16, 1): every kind of padding.
std::vector<ParamSpec> specs() {
    return {{"wte", {7, 5}}, {"b1", {3}, false}, {"w2", {4, 4}}, {"gain", {1}, false}};
}
}  // namespace

TEST_CASE("ParamSet lays views out in spec order, each on a multiple of 16 floats", "[params]") {
    const ParamSet p(specs(), Device::cpu);
    const auto& v = p.views();
    REQUIRE(v.size() == 4);
    // By hand: wte [0, 35) -> next at 48; b1 [48, 51) -> 64; w2 [64, 80) -> 80; gain [80, 81) -> 96.
    REQUIRE(v[0].name == "wte");
    REQUIRE(v[0].offset == 0);
    REQUIRE(v[1].name == "b1");
    REQUIRE(v[1].offset == 48);
    REQUIRE(v[2].offset == 64);
    REQUIRE(v[3].offset == 80);
    REQUIRE(p.numel() == 96);
    REQUIRE(p.values().shape() == Shape{96});
    REQUIRE(p.grads().shape() == Shape{96});
    REQUIRE(v[0].decay);
    REQUIRE_FALSE(v[1].decay);
    REQUIRE(v[2].shape == Shape{4, 4});
    REQUIRE(p.device() == Device::cpu);
    // The same rule for any spec list: aligned, in order, no overlap, numel just past the last.
    for (std::size_t i = 0; i < v.size(); ++i) {
        REQUIRE(v[i].offset % ParamSet::kAlign == 0);
        if (i > 0) REQUIRE(v[i].offset >= v[i - 1].offset + v[i - 1].shape.numel());
        if (i > 0) REQUIRE(v[i].offset - (v[i - 1].offset + v[i - 1].shape.numel()) < ParamSet::kAlign);
    }
    REQUIRE(p.numel() - (v.back().offset + v.back().shape.numel()) < ParamSet::kAlign);
    REQUIRE(&p.view("w2") == &v[2]);
}

TEST_CASE("ParamSet views share the buffers; values and grads start at zero", "[params][simt]") {
    for (Device d : {Device::cpu, Device::simt}) {
        INFO("device " << device_name(d));
        ParamSet p(specs(), d);
        REQUIRE(p.device() == d);
        for (float x : p.values().to_vector()) REQUIRE(x == 0.0f);
        for (float x : p.grads().to_vector()) REQUIRE(x == 0.0f);
        for (std::size_t i = 0; i < p.views().size(); ++i) {
            const ParamView& pv = p.views()[i];
            const auto vals = ramp(pv.shape.numel(), 100.0f * static_cast<float>(i + 1));
            p.set_value(pv.name, vals);
            REQUIRE(p.host_value(pv.name) == vals);
            REQUIRE(p.value(pv.name).shape() == pv.shape);
            REQUIRE(p.value(i).shape() == pv.shape);
            REQUIRE(p.value(i).to_vector() == vals);
            REQUIRE(p.value(pv.name).device() == d);
            // The grad view is the same cut of the other buffer.
            Tensor g = p.grad(pv.name);
            REQUIRE(g.shape() == pv.shape);
            g.copy_from(ramp(pv.shape.numel(), -1000.0f * static_cast<float>(i + 1)));
            REQUIRE(p.grad(i).to_vector() == g.to_vector());
        }
        // Read back through the whole buffers: every value at its offset, the padding still zero.
        const auto all = p.values().to_vector();
        const auto all_g = p.grads().to_vector();
        std::vector<bool> covered(p.numel(), false);
        for (std::size_t i = 0; i < p.views().size(); ++i) {
            const ParamView& pv = p.views()[i];
            for (std::size_t k = 0; k < pv.shape.numel(); ++k) {
                REQUIRE(all[pv.offset + k] == 100.0f * static_cast<float>(i + 1) + static_cast<float>(k));
                REQUIRE(all_g[pv.offset + k] == -1000.0f * static_cast<float>(i + 1) + static_cast<float>(k));
                covered[pv.offset + k] = true;
            }
        }
        for (std::size_t j = 0; j < p.numel(); ++j) {
            if (covered[j]) continue;
            REQUIRE(all[j] == 0.0f);
            REQUIRE(all_g[j] == 0.0f);
        }
        // zero_grad clears every gradient and touches no value.
        p.zero_grad();
        for (float x : p.grads().to_vector()) REQUIRE(x == 0.0f);
        REQUIRE(p.values().to_vector() == all);
    }
}

TEST_CASE("Tensor::fill_zero clears exactly its view, on cpu and simt", "[params][simt]") {
    for (Device d : {Device::cpu, Device::simt}) {
        INFO("device " << device_name(d));
        const auto vals = ramp(40, 1.0f);
        Tensor t = Tensor::from(vals, {40}, d);
        Tensor mid = t.view({3, 5}, 17);   // elements [17, 32)
        mid.fill_zero();
        const auto got = t.to_vector();
        for (std::size_t i = 0; i < 40; ++i) REQUIRE(got[i] == (i >= 17 && i < 32 ? 0.0f : vals[i]));
        Tensor ints = Tensor::from(std::vector<std::int32_t>{5, -6, 7}, {3}, d);
        ints.fill_zero();
        REQUIRE(ints.to_vector_i32() == std::vector<std::int32_t>{0, 0, 0});
        if (d == Device::simt) device_synchronize(d);   // the emulator's guard zones are intact
    }
}

TEST_CASE("ParamSet rejects bad specs and names the unknown parameter", "[params]") {
    REQUIRE_THROWS_WITH(ParamSet({{"w", {2, 2}}, {"b", {2}}, {"w", {3}}}, Device::cpu),
                        Catch::Contains("'w' appears twice"));
    REQUIRE_THROWS_WITH(ParamSet({{"w", {2, 0}}}, Device::cpu),
                        Catch::Contains("'w'") && Catch::Contains("empty shape (2, 0)"));
    REQUIRE_THROWS_WITH(ParamSet({{"s", Shape{}}}, Device::cpu), Catch::Contains("'s'") && Catch::Contains("empty shape"));
    REQUIRE_THROWS_WITH(ParamSet({{"", {2}}}, Device::cpu), Catch::Contains("empty name"));
    REQUIRE_THROWS_WITH(ParamSet({}, Device::cpu), Catch::Contains("no parameters"));

    ParamSet p(specs(), Device::cpu);
    REQUIRE_THROWS_WITH(p.view("wpe"), Catch::Contains("no parameter named 'wpe'") &&
                                           Catch::Contains("wte, b1, w2, gain"));
    REQUIRE_THROWS_AS(p.value("wpe"), Error);
    REQUIRE_THROWS_AS(p.grad("wpe"), Error);
    REQUIRE_THROWS_WITH(p.value(4), Catch::Contains("index 4 out of range") && Catch::Contains("4 parameters"));
    REQUIRE_THROWS_WITH(p.set_value("b1", std::vector<float>{1, 2}),
                        Catch::Contains("'b1'") && Catch::Contains("(3,)") && Catch::Contains("takes 3 values, got 2"));
    REQUIRE_THROWS_WITH(p.host_value("b2"), Catch::Contains("'b2'"));
}
