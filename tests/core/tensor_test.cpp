// tensor_test.cpp: shapes, views, copies between cpu and the emulator, and the errors.
#include <catch2/catch.hpp>

#include <cmath>

#include "core/backend.hpp"
#include "core/tensor.hpp"

using namespace ladder;

TEST_CASE("Shape counts elements and prints itself", "[tensor]") {
    const Shape s{2, 3, 4};
    REQUIRE(s.rank() == 3);
    REQUIRE(s.numel() == 24);
    REQUIRE(s[-1] == 4);
    REQUIRE(s.str() == "(2, 3, 4)");
    REQUIRE(Shape{5}.str() == "(5,)");
    REQUIRE(Shape{}.numel() == 1);
    REQUIRE_THROWS_WITH((Shape{1, 2, 3, 4, 5}), Catch::Contains("at most 4 dimensions"));
    REQUIRE_THROWS_WITH(s[3], Catch::Contains("dimension 3 out of range"));
}

TEST_CASE("Tensors copy between cpu and simt unchanged", "[tensor]") {
    std::vector<float> v(10);
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(i) * 1.5f - 3.0f;
    Tensor cpu = Tensor::from(v, {2, 5});
    Tensor dev = cpu.to(Device::simt);
    REQUIRE(dev.device() == Device::simt);
    REQUIRE(dev.to_vector() == v);
    REQUIRE(dev.to(Device::cpu).to_vector() == v);
    REQUIRE_THROWS_WITH(dev.host(), Catch::Contains("lives on simt"));
    Tensor copy = dev.clone();
    copy.fill(2.0f);
    REQUIRE(dev.to_vector() == v);   // clone() copied the data
}

TEST_CASE("views share storage and reshape keeps the count", "[tensor]") {
    Tensor t = Tensor::zeros({3, 4});
    Tensor row1 = t.view({4}, 4);
    row1.fill(7.0f);
    const auto all = t.to_vector();
    for (std::size_t i = 0; i < 12; ++i) REQUIRE(all[i] == (i >= 4 && i < 8 ? 7.0f : 0.0f));
    REQUIRE_THROWS_WITH(t.view({5}, 8), Catch::Contains("run past"));
    REQUIRE_THROWS_WITH(t.reshape({5, 2}), Catch::Contains("has 12 elements"));
    REQUIRE(t.reshape({2, 6}).shape() == Shape{2, 6});
}

TEST_CASE("int32 tensors and dtype checks", "[tensor]") {
    std::vector<std::int32_t> ids{3, 1, 4, 1, 5};
    Tensor t = Tensor::from(ids, {5}, Device::simt);
    REQUIRE(t.dtype() == DType::i32);
    REQUIRE(t.to_vector_i32() == ids);
    REQUIRE_THROWS_WITH(t.data(), Catch::Contains("holds i32, not f32"));
    REQUIRE_THROWS_WITH(Tensor::from(ids, {4}), Catch::Contains("5 values for a tensor of shape (4,)"));
}

TEST_CASE("fill_nan poisons every element", "[tensor]") {
    // New simt memory is NaN already (device_malloc poisons it): fill with numbers first, or a
    // fill_nan that did nothing would pass.
    for (Device d : {Device::cpu, Device::simt}) {
        Tensor t({7}, d);
        t.fill(1.5f);
        for (float x : t.to_vector()) REQUIRE(x == 1.5f);
        t.fill_nan();
        for (float x : t.to_vector()) REQUIRE(std::isnan(x));
    }
}

TEST_CASE("a cuda backend without a device is a clear error", "[tensor][device]") {
    if (cuda_available()) {
        WARN("SKIPPED: this machine has a CUDA device");
        return;
    }
    REQUIRE_FALSE(cuda_unavailable_reason().empty());
    REQUIRE_THROWS_WITH(Backend(Device::cuda), Catch::Contains("backend cuda is not available") &&
                                                   Catch::Contains("--backend simt"));
    REQUIRE_THROWS_WITH(parse_device("gpu"), Catch::Contains("unknown backend 'gpu'"));
    REQUIRE(available_devices().size() == 2);
}
