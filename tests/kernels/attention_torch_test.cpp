// attention_torch_test.cpp: PyTorch as the oracle of the attention op. For each of the four ops, the
// registry's problem (q, k, v, dout) goes to tools/peers/torch_attention.py, whose float64 autograd of
// the explicit masked-softmax form is the exact answer; our CPU reference and the emulator's GPU
// version must each lie within the op's own per-element error bound of it (the bound of two float
// implementations' difference, so it holds for each one against the exact value), plus the oracle's
// one rounding to float32 (2^-24 relative). Skipped without torch.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/safetensors.hpp"
#include "kernels/harness.hpp"
#include "kernels/registry.hpp"
#include "tests/temp_dir.hpp"

using namespace ladder;

namespace {

bool have_torch() { return std::system("/usr/bin/python3 -c 'import torch' > /dev/null 2>&1") == 0; }

// The oracle's answers for the problem's q, k, v (and dout, or zeros for a forward).
SafeTensors oracle(const Problem& p, const std::filesystem::path& dir) {
    const std::size_t BH = p["BH"], T = p["T"], hs = p["hs"];
    std::vector<float> zeros(BH * T * hs, 0.0f);
    std::vector<TensorView> in;
    for (const char* name : {"q", "k", "v"}) in.push_back({name, DType::f32, {BH, T, hs}, p.f32(name)});
    const bool has_dout = [&] {
        for (const Buffer& b : p.buffers())
            if (b.name == "dout") return true;
        return false;
    }();
    in.push_back({"dout", DType::f32, {BH, T, hs}, has_dout ? p.f32("dout") : zeros.data()});
    const float scale = 1.0f / std::sqrt(static_cast<float>(hs));   // the registry's
    const auto in_path = dir / "in.safetensors", out_path = dir / "out.safetensors";
    char text[64];
    std::snprintf(text, sizeof text, "%.9g", scale);   // reads back as the same float
    save_safetensors(in_path, in, {{"scale", text}});
    const std::string cmd = "/usr/bin/python3 " + std::string(LADDER_SOURCE_DIR) + "/tools/peers/torch_attention.py oracle " +
                            in_path.string() + " " + out_path.string() + " 2>&1";
    REQUIRE(std::system(cmd.c_str()) == 0);
    return load_safetensors(out_path);
}

}  // namespace

TEST_CASE("attention: every op's outputs lie within their error bounds of PyTorch's float64 answer",
          "[attention][torch][simt]") {
    if (!have_torch()) {
        WARN("SKIPPED: PyTorch not found (/usr/bin/python3 -c 'import torch' failed): ./ladder setup installs python3-torch");
        return;
    }
    testing::TempDir dir("attention_torch");
    for (const char* name : {"attention", "attention_fused", "attention_backward", "attention_fused_backward"}) {
        const OpSpec& op = registry().get(name);
        for (const Case& c : cases({"BH", "T", "hs"}, {{2, 70, 33}, {1, 40, 128}})) {
            const Problem host = make_problem(op, c, 7);
            const Problem ref = run_reference(op, host);
            const auto bounds = op.error_bounds(ref);
            const SafeTensors exact = oracle(host, dir.path());
            Problem gpu = upload_problem(host, Device::simt);
            op.versions.front().run(Device::simt, gpu);
            const Problem sim = download_problem(gpu);
            for (const auto& [out, bound] : bounds) {
                if (out == "att" || out == "dpreatt") continue;   // not among the oracle's outputs
                const auto want = exact.get(out).f32();
                for (const auto* got : {&ref, &sim}) {
                    const float* g = got->f32(out);
                    for (std::size_t i = 0; i < want.size(); ++i) {
                        const double allowed = bound[i] + 0x1p-24 * std::fabs(want[i]);
                        if (std::fabs(g[i] - want[i]) <= allowed) continue;
                        FAIL(name << " " << c.str() << " " << (got == &ref ? "cpu" : "simt v1") << ": " << out << "["
                                  << i << "] = " << g[i] << ", torch (float64) " << want[i] << ", allowed error "
                                  << allowed);
                    }
                }
            }
        }
    }
}
