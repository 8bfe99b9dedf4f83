// backend_versions_test.cpp: Backend::set_version accepts exactly the registered op names
// and says which they are when it gets another (a typo must not leave the default running
// silently). Introduced in ch01.
#include <catch2/catch.hpp>

#include "core/backend.hpp"
#include "core/error.hpp"
#include "kernels/registry.hpp"

using namespace ladder;
using Catch::Contains;

TEST_CASE("Backend set_version takes every registered op", "[backend]") {
    Backend be(Device::cpu);
    for (const OpSpec& op : registry().ops()) {
        be.set_version(op.name, 1);
        INFO(op.name);
        REQUIRE(be.version(op.name, 99) == 1);
    }
}

TEST_CASE("Backend set_version rejects an unknown op and lists the registered ones", "[backend]") {
    Backend be(Device::cpu);
    try {
        be.set_version("matmull", 2);
        FAIL("set_version(\"matmull\", 2) did not throw");
    } catch (const Error& e) {
        const std::string what = e.what();
        CHECK_THAT(what, Contains("no op named 'matmull'"));
        for (const OpSpec& op : registry().ops()) CHECK_THAT(what, Contains(op.name));
    }
    REQUIRE(be.version("matmull", 7) == 7);   // nothing was recorded
}

TEST_CASE("Backend set_version rejects versions below 1", "[backend]") {
    Backend be(Device::cpu);
    REQUIRE_THROWS_WITH(be.set_version("matmul", 0), Contains("numbered from 1"));
    REQUIRE(be.version("matmul", 4) == 4);
}
