// loss_sum_test.cpp: what is specific to the losses' total: a worked example by hand on cpu and
// every simt version, why the reference accumulates in double (a float sum in index order loses
// every 1 added to 2^24), the rounding depth the bound uses, the empty sum, and the Tensor API's
// errors. (Every version on the registry's cases, the race check and the derived bound:
// ops_test.cpp.) ch08.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "core/backend.hpp"
#include "kernels/error_bounds.hpp"
#include "kernels/loss_sum/loss_sum.hpp"
#include "tests/kernels/versions.hpp"

using namespace ladder;

namespace {

using Where = testing::Run;
const std::vector<Where> everywhere = testing::cpu_and_simt(loss_sum_gpu_versions);

float total(const Where& w, const std::vector<float>& losses) {
    const Backend be = w.backend({"loss_sum"});
    const Tensor x = be.upload(losses, {losses.size()});
    Tensor out = be.empty({1});
    loss_sum(be, out, x);
    return out.to_vector()[0];
}

}  // namespace

TEST_CASE("loss_sum: a worked example by hand, on cpu and every simt version", "[loss_sum][simt]") {
    // Five tokens' losses in nats: 2.5 + 0.25 + 1 + 3 + 0.125 = 6.875 (binary fractions: every
    // partial sum exact, in any order).
    const std::vector<float> five = {2.5f, 0.25f, 1.0f, 3.0f, 0.125f};
    // A batch of 300001 tokens (v2's 1024 slices, v1's 1172-long chains): 300000 losses of 0.5
    // and one of 3, total 150003. Every partial sum is a multiple of 0.5 below 2^22, so exact.
    std::vector<float> batch(300001, 0.5f);
    batch[123457] = 3.0f;
    for (const Where& w : everywhere) {
        INFO(w.str());
        CHECK(total(w, five) == 6.875f);
        CHECK(total(w, {4.0f}) == 4.0f);
        CHECK(total(w, batch) == 150003.0f);
    }
}

TEST_CASE("loss_sum: the reference accumulates in double; a float sum in order would not do", "[loss_sum][simt]") {
    // 2^24 followed by 4096 ones: the exact total 2^24 + 4096 is a float (an even integer below
    // 2^25), but a float sum in index order rounds 2^24 + 1 back to 2^24 every time (ties to
    // even) and returns 2^24. The reference returns the exact total; the GPU versions, whose
    // trees add the ones among themselves first, lose only the ones that meet 2^24 in thread
    // 0's chain (16 of them for v1), within the op's bound gamma_d sum |x|.
    std::vector<float> x(4097, 1.0f);
    x[0] = 16777216.0f;
    float in_order = 0.0f;
    for (const float v : x) in_order += v;
    CHECK(in_order == 16777216.0f);
    CHECK(total(everywhere[0], x) == 16781312.0f);
    const double bound = gamma_n(static_cast<double>(loss_sum_rounding_depth(x.size()))) * 16781312.0;
    for (const Where& w : {everywhere[1], everywhere[2]}) {
        INFO(w.str());
        CHECK(std::fabs(static_cast<double>(total(w, x)) - 16781312.0) <= bound);
    }
}

TEST_CASE("loss_sum: the rounding depth of the bound, worked", "[loss_sum]") {
    // R = 1: v1 1 + 8; v2 one block of one loss, 1 + 8, then one partial, 1 + 8: 18.
    CHECK(loss_sum_rounding_depth(1) == 18);
    // R = 300001: v1 ceil(300001 / 256) + 8 = 1172 + 8 = 1180; v2 G = 1024, slices of 293,
    // 2 + 8 + 4 + 8 = 22. The longer one counts.
    CHECK(loss_sum_rounding_depth(300001) == 1180);
    // R = 256 * 1024 * 4: v1 4096 + 8; v2 slices of 1024: 4 + 8 + 4 + 8.
    CHECK(loss_sum_rounding_depth(256 * 1024 * 4) == 4104);
}

TEST_CASE("loss_sum on Tensors: the empty sum, and shapes and dtypes are checked", "[loss_sum][simt]") {
    for (const Where& w : everywhere) {
        INFO(w.str());
        CHECK(total(w, {}) == 0.0f);
    }
    const Backend cpu(Device::cpu);
    Tensor losses = cpu.zeros({4, 8}), out = cpu.empty({1}), two = cpu.empty({2});
    loss_sum(cpu, out, losses);  // any shape: (B, T) per-token losses
    CHECK(out.to_vector()[0] == 0.0f);
    CHECK_THROWS_WITH(loss_sum(cpu, two, losses),
                      Catch::Contains("loss_sum: out has shape (2,); it must hold one value, the total"));
    Tensor ints = cpu.zeros({4, 8}, DType::i32);
    CHECK_THROWS_WITH(loss_sum(cpu, out, ints),
                      Catch::Contains("loss_sum: losses is") && Catch::Contains("it must be float32"));
    const Backend simt(Device::simt);
    Tensor out_simt = simt.empty({1});
    CHECK_THROWS_WITH(loss_sum(simt, out_simt, losses),
                      Catch::Contains("loss_sum: losses is on cpu but the backend is"));
}
