// vector_add_test.cpp: vector_add v2's misaligned fallback and the Tensor API. GPU
// versions: the registry loop (ops_test.cpp).
#include <catch2/catch.hpp>

#include "core/backend.hpp"
#include "kernels/vector_add/vector_add.hpp"
#include "tests/testing.hpp"

using namespace ladder;

TEST_CASE("vector_add v2 falls back correctly for misaligned pointers", "[vector_add][simt]") {
    const Backend simt(Device::simt);
    std::vector<float> a(103), b(103);
    for (std::size_t i = 0; i < a.size(); ++i) {
        a[i] = static_cast<float>(i) * 0.5f;
        b[i] = 1.0f - static_cast<float>(i);
    }
    Tensor ta = simt.upload(a, {103}), tb = simt.upload(b, {103}), out = simt.empty({103});
    // Offset views: pointers one float past a 16-byte boundary.
    Tensor va = ta.view({100}, 1), vb = tb.view({100}, 1), vo = out.view({100}, 1);
    simt::vector_add(2, vo.data(), va.data(), vb.data(), 100);
    const auto got = vo.to_vector();
    for (std::size_t i = 0; i < 100; ++i) REQUIRE(got[i] == a[i + 1] + b[i + 1]);
}

TEST_CASE("add on Tensors rejects different shapes", "[vector_add][cpu]") {
    const Backend cpu(Device::cpu);
    Tensor a = cpu.zeros({4}), b = cpu.zeros({5}), out = cpu.zeros({4});
    REQUIRE_THROWS_WITH(add(cpu, out, a, b), Catch::Contains("shapes differ"));
}
