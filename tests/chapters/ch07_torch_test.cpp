// ch07_torch_test.cpp: PyTorch as the oracle of chapter 7's GPT-2. Our model (naive and fused
// attention, on cpu and on the emulator, a full window and a shorter one, and an ablation without
// layernorm and MLP) computes the logits, the loss and every gradient at a tiny shape; the same
// weights go to tools/peers/torch_gpt2.py, whose float64 autograd of GPT-2 written from the paper
// is the exact answer ours must be within a derived bound of. Then three AdamW steps on both
// sides, and the losses before and after each. Skipped without torch.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "chapters/ch07_gpt/gpt2.hpp"
#include "core/backend.hpp"
#include "core/nn/optimizer.hpp"
#include "core/safetensors.hpp"
#include "kernels/error_bounds.hpp"
#include "tests/chapters/ch05_testing.hpp"
#include "tests/chapters/ch07_testing.hpp"
#include "tests/temp_dir.hpp"

using namespace ladder;
using namespace ladder::ch07;

namespace {

bool have_torch() { return std::system("/usr/bin/python3 -c 'import torch' > /dev/null 2>&1") == 0; }

// V 37, T 8, L 2, NH 2 (hs 8), C 16 (4C = 64): every size off the 32-wide warp and the 16-float
// alignment, two blocks so that a block's input is another block's output.
Gpt2Config small_gpt2(bool fused = false) {
    Gpt2Config c;
    c.vocab = 37;
    c.context = 8;
    c.layers = 2;
    c.heads = 2;
    c.embed = 16;
    c.fused = fused;
    return c;
}

// How far our float32 model may be from the exact (float64) one, relative to the largest entry
// of the tensor compared. Each op is charged op(n) = gamma_n n, n the number of terms its outputs
// sum: a float32 sum of n terms, in any order (serial, the CPU's eight partial sums, a warp's
// butterfly), is within gamma_n sum|terms| of the exact sum (Higham, Thm 3.1 / 3.5), and
// sum|terms| <= n max|term|, where a term is no larger than the result's scale (the unit-scale
// weights make every activation and weight O(1)). To first order in u = 2^-24 these errors add
// along the chain of ops that carries them to the tensor compared (as in ch06_torch_test), each op
// passing on what it receives at its output's scale; the n in each charge (where sum|terms| is
// typically sqrt(n) max|term|) is the room for what an op amplifies.
//   Forward, per block (every op feeds the loss, so all are on every chain):
//     ln_1          3 op(C): the mean and the variance are sums of C terms, and the centring x - mean
//                   cancels: its error is relative to |x|, at most (1 + sqrt(C)) sigma (no entry
//                   lies more than sqrt(C) sigma from the mean, and the mean of these rows is within
//                   sigma), so one more op(C) for the (1 + sqrt C) <= C; rsqrt and the affine map
//                   are a few roundings of it. The backward pays the same: its two row sums of C
//                   (of dy w and dy w xhat) and the centring.
//     c_attn        op(C + 1): C products and the bias.
//     split         0: it moves values.
//     scores        op(hs + 1): hs products, times 1/sqrt(hs).
//     softmax       op(Tc + 2): a sum of Tc exps (each within 2 ulp, a term), the division.
//     att v         op(Tc): the weighted sum over at most Tc keys.
//     merge         0.
//     c_proj        op(C + 1), the residual add op(2).
//     ln_2          3 op(C), as ln_1.
//     c_fc          op(C + 1).
//     gelu          op(4): a handful of roundings per element (kernels/gelu's bound: gamma_5 for
//                   the polynomial, 2 ulp of tanh, the product), no sum.
//     mlp.c_proj    op(4C + 1), the residual add op(2).
//   Forward, outside the blocks: the embeddings' sum op(2); ln_f 3 op(C); the logits op(C); the
//   cross-entropy op(V + 2) (the row's sum of V exps, its log, minus the target's logit; the mean
//   over rows is taken in double on the host: below the rest).
//   Backward, from the loss down to the deepest tensor (wte's input share, wpe): dlogits =
//   (p - onehot) / N op(2); dlnf = dlogits wte, sums of V: op(V); ln_f's backward 3 op(C); per
//   block, top down: dact = dy W sums of C op(C), gelu's slope op(4), dln_2 = dfc W_fc sums of 4C
//   op(4C), ln_2's backward 3 op(C), the residual accumulation op(2); dmerged = dm W sums of C
//   op(C), datt = dheads v^T sums of hs op(hs), the softmax backward (a sum of Tc, a difference)
//   op(Tc + 1), dq, dk, dv sums of Tc op(Tc), dln_1 = dqkv W_attn sums of 3C op(3C), ln_1's
//   backward 3 op(C), op(2). A weight's gradient is then a sum over the N = B Tc rows, and wte's
//   adds its output share (N rows) to the scattered input share (N rows at most): op(2N).
// Both sides of a comparison add the oracle's one rounding of its float64 result to float32: u.
// (The ablations drop the charges of what they drop.) At V 37, T 8, L 2, C 16, B 3: forward
// 9.7e-4, gradients 2.3e-3; PyTorch's own float32 against the oracle is within 0.1 % and 0.5 %
// of them (measured, three seeds, both windows).
double op(std::size_t n) { return gamma_n(static_cast<double>(n)) * static_cast<double>(n); }

struct OracleBounds {
    double forward;     // logits (and the loss, below), relative to the largest logit
    double gradients;   // each gradient, relative to its tensor's largest entry
};

OracleBounds oracle_bounds(const Gpt2Config& c, std::size_t B, std::size_t Tc) {
    const std::size_t C = c.embed, hs = c.head_size(), V = c.vocab, N = B * Tc;
    const double ln = c.layernorm ? 3 * op(C) : 0.0;
    double fwd = ln + op(C + 1) + op(hs + 1) + op(Tc + 2) + op(Tc) + op(C + 1) + op(2);   // attention sublayer
    double bwd = op(C) + op(hs) + op(Tc + 1) + op(Tc) + op(3 * C) + ln + op(2);
    if (c.mlp) {
        fwd += ln + op(C + 1) + op(4) + op(4 * C + 1) + op(2);
        bwd += op(C) + op(4) + op(4 * C) + ln + op(2);
    }
    const double L = static_cast<double>(c.layers);
    const double forward = L * fwd + op(2) + ln + op(C) + op(V + 2) + kFp32Unit;
    return {forward, forward + op(2) + op(V) + ln + L * bwd + op(2 * N)};
}

double max_abs(std::span<const float> v) {
    double m = 0;
    for (float x : v) m = std::max(m, static_cast<double>(std::fabs(x)));
    return m;
}

// The loss of a row, lse(l) - l_target, moves by at most 2 max|dl| when its logits move by dl
// (log-sum-exp and picking one entry are each 1-Lipschitz in the max norm); the mean of rows
// does too. So the loss inherits the forward bound at the logits' scale, twice, plus its own
// charges at its own scale.
double loss_bound(const OracleBounds& b, double loss, double logits_max) {
    return b.forward * (std::fabs(loss) + 2 * logits_max);
}

struct Batch {
    std::vector<std::int32_t> inputs, targets;
    std::size_t B, Tc;
};

Batch batch_of(const Gpt2Config& cfg, std::size_t B, std::size_t Tc, std::uint64_t seed) {
    return {testing::random_tokens(B * Tc, cfg.vocab, seed), testing::random_tokens(B * Tc, cfg.vocab, seed + 1), B,
            Tc};
}

// Our weights and the batch into IN (the oracle's format, tools/peers/torch_gpt2.py's docstring);
// `meta` adds the train mode's hyperparameters.
void write_input(const std::filesystem::path& path, const Gpt2& m, const Batch& b,
                 std::map<std::string, std::string> meta) {
    std::vector<TensorView> in;
    std::vector<std::vector<float>> keep;
    for (const ParamView& v : m.params().views()) {
        keep.push_back(m.params().host_value(v.name));
        in.push_back({v.name, DType::f32, std::vector<std::size_t>(v.shape.dims().begin(), v.shape.dims().end()),
                      keep.back().data()});
    }
    in.push_back({"inputs", DType::i32, {b.B, b.Tc}, b.inputs.data()});
    in.push_back({"targets", DType::i32, {b.B, b.Tc}, b.targets.data()});
    meta["config"] = m.config_json();
    save_safetensors(path, in, meta);
}

SafeTensors run_torch(const std::string& mode, const testing::TempDir& dir) {
    const std::filesystem::path in = dir / "in.safetensors", out = dir / "out.safetensors";
    const std::string cmd = "/usr/bin/python3 " + std::string(LADDER_SOURCE_DIR) + "/tools/peers/torch_gpt2.py " +
                            mode + " " + in.string() + " " + out.string() + " 2>&1";
    INFO(cmd);
    REQUIRE(std::system(cmd.c_str()) == 0);
    return load_safetensors(out);
}

// The largest |ours - theirs| of a tensor and where, against `bound`.
void require_close(const std::string& what, std::span<const float> ours, std::span<const float> theirs,
                   double bound) {
    REQUIRE(ours.size() == theirs.size());
    std::size_t worst = 0;
    double err = 0;
    for (std::size_t i = 0; i < ours.size(); ++i) {
        const double e = std::fabs(static_cast<double>(ours[i]) - static_cast<double>(theirs[i]));
        if (e > err) err = e, worst = i;
    }
    INFO(what << "[" << worst << "]: ours " << ours[worst] << ", torch " << theirs[worst] << ", |diff| " << err
              << ", bound " << bound);
    REQUIRE(err <= bound);
}

}  // namespace

TEST_CASE("ch07: GPT-2's logits, loss and gradients match PyTorch's float64 autograd", "[ch07][torch]") {
    if (!have_torch()) {
        WARN("SKIPPED: PyTorch not found (/usr/bin/python3 -c 'import torch' failed): ./ladder setup installs python3-torch");
        return;
    }
    struct Variant {
        std::string name;
        Gpt2Config cfg;
        Device device;
        std::size_t Tc;
        float weight_std;   // testing::unit_scale_weights's
    };
    // Without layernorm the residual stream is never rescaled and N(0, 0.5) weights drive the
    // loss to ~45 (every softmax saturated): 0.3 keeps it near 4.7, log V = 3.6.
    Gpt2Config ablated = small_gpt2();
    ablated.layernorm = false;
    ablated.mlp = false;
    const std::vector<Variant> variants = {
        {"cpu naive", small_gpt2(false), Device::cpu, 8, 0.5f},
        {"cpu naive, 5 of 8 positions", small_gpt2(false), Device::cpu, 5, 0.5f},
        {"cpu fused", small_gpt2(true), Device::cpu, 8, 0.5f},
        {"simt naive", small_gpt2(false), Device::simt, 8, 0.5f},
        {"simt naive, 5 of 8 positions", small_gpt2(false), Device::simt, 5, 0.5f},
        {"simt fused", small_gpt2(true), Device::simt, 8, 0.5f},
        {"cpu, no layernorm, no MLP", ablated, Device::cpu, 8, 0.3f},
        {"simt, no layernorm, no MLP", ablated, Device::simt, 8, 0.3f},
    };
    for (const Variant& var : variants) {
        DYNAMIC_SECTION(var.name) {
            testing::TempDir dir("ch07_torch");
            const std::size_t B = 3;
            const Backend be(var.device);
            Gpt2 m(var.cfg, var.device, 4);
            testing::unit_scale_weights(m, 6, var.weight_std);
            const Batch b = batch_of(var.cfg, B, var.Tc, 2);
            m.params().zero_grad();
            const float loss = m.forward_targets(be, b.inputs, b.targets, B, var.Tc);
            m.backward(be);
            write_input(dir / "in.safetensors", m, b, {});
            const SafeTensors out = run_torch("oracle", dir);
            const OracleBounds bound = oracle_bounds(var.cfg, B, var.Tc);

            const std::vector<float> logits = m.logits().to_vector();
            const auto theirs_logits = out.get("logits").f32();
            const double lmax = max_abs(theirs_logits);
            require_close("logits", logits, theirs_logits, bound.forward * lmax);
            const double want = out.get("loss").f32()[0];
            INFO("loss ours " << loss << ", torch " << want << ", bound " << loss_bound(bound, want, lmax));
            REQUIRE(std::fabs(loss - want) <= loss_bound(bound, want, lmax));
            for (const ParamView& v : m.params().views()) {
                const std::vector<float> ours = m.params().grad(v.name).to_vector();
                const auto theirs = out.get("grad." + v.name).f32();
                const double gmax = max_abs(theirs);
                INFO(v.name << ": largest gradient " << gmax);
                REQUIRE(gmax > 0);   // every parameter takes part
                require_close("grad." + v.name, ours, theirs, bound.gradients * gmax);
            }
        }
    }
}

TEST_CASE("ch07: three AdamW steps give PyTorch's losses", "[ch07][torch]") {
    if (!have_torch()) {
        WARN("SKIPPED: PyTorch not found (/usr/bin/python3 -c 'import torch' failed): ./ladder setup installs python3-torch");
        return;
    }
    testing::TempDir dir("ch07_adamw");
    const Gpt2Config cfg = small_gpt2();
    const std::size_t B = 3, Tc = cfg.context;
    const std::size_t steps = 3;
    const float lr = 1e-3f, b1 = 0.9f, b2 = 0.95f, eps = 1e-8f, wd = 0.1f;
    const Backend be(Device::cpu);
    Gpt2 m(cfg, Device::cpu, 4);
    testing::unit_scale_weights(m, 6);
    // torch_gpt2.py decays the 2-D tensors (wte, wpe, the four linear weights): ours must be the same.
    for (const ParamView& v : m.params().views()) {
        INFO(v.name);
        REQUIRE(v.decay == (v.shape.rank() == 2));
    }
    const Batch b = batch_of(cfg, B, Tc, 9);
    // The float32 hyperparameters' exact values (17 significant digits read back as the same
    // double), so that both sides use the same numbers.
    const auto text = [](float x) { return fmt::format("{:.17g}", static_cast<double>(x)); };
    write_input(dir / "in.safetensors", m, b,
                {{"steps", std::to_string(steps)}, {"lr", text(lr)}, {"beta1", text(b1)}, {"beta2", text(b2)},
                 {"eps", text(eps)}, {"weight_decay", text(wd)}});
    const SafeTensors out = run_torch("train", dir);
    const auto theirs = out.get("losses").f32();
    REQUIRE(theirs.size() == steps + 1);

    OptimizerConfig oc;
    oc.kind = OptimizerKind::adamw;
    oc.adamw = {lr, b1, b2, eps, wd};
    Optimizer opt(oc, m.params());
    const OracleBounds bound = oracle_bounds(cfg, B, Tc);
    // After the steps, the two runs' parameters differ, and the loss with them by (to first order)
    // sum_i g_i dp_i, dp_i = -lr sum_s dd_i(s), d = mhat / (sqrt(vhat) + eps) the Adam direction
    // (the decay's lr wd dp is second order). With mhat = sum_k a_k g_k, vhat = sum_k c_k g_k^2
    // the bias-corrected averages, d is at most U_s = sqrt(sum_k a_k^2 / c_k) (Cauchy-Schwarz:
    // 1.00 to 1.001 here). When our gradient is within delta_i of the exact one (the oracle
    // test's bound, delta_i = rel max|g| of the tensor), |g_i dd_i| <= 4 U_s delta_i:
    //   |g| <= 2 delta:  dd may be anything up to 2 U_s (a gradient that is noise gives a full
    //                    step, either way: the key biases, whose gradient is 0 exactly), so
    //                    |g dd| <= 2 delta 2 U_s;
    //   |g| > 2 delta:   d is smooth there, its slope in the gradients (summed over the steps'
    //                    gradients, with g_k close to g: a small lr) at most (2 |g'| + eps) /
    //                    (|g'| + eps)^2 at a g' within delta of g, so |g'| >= |g| / 2 and
    //                    |g dd| <= 4 delta (and U_s >= 1: Cauchy-Schwarz again, sum a = sum c = 1).
    // So the loss after step t may differ by lr sum_{s <= t} 4 U_s sum_i delta_i(s), plus its own
    // forward bound. Neglected (second order in lr): how the parameter differences move the later
    // gradients. PyTorch float32 against the oracle in the same setting (simulated, three seeds):
    // 1e-6 apart, against a bound of 4e-2 after the first step; the steps themselves move the loss
    // by 0.3 each, and a missing bias correction or an L2 penalty coupled into the Adam moments
    // (Adam, not AdamW) by 6e-2 or more.
    double drift = 0;
    for (std::size_t t = 0; t <= steps; ++t) {
        m.params().zero_grad();
        const float loss = m.forward_targets(be, b.inputs, b.targets, B, Tc);
        m.backward(be);
        const double lmax = max_abs(m.logits().to_vector());
        const double tol = loss_bound(bound, theirs[t], lmax) + drift;
        INFO("loss before step " << t + 1 << ": ours " << loss << ", torch " << theirs[t] << ", bound " << tol);
        REQUIRE(std::fabs(loss - theirs[t]) <= tol);
        if (t == steps) {   // the steps did something: the loss fell by more than the last bound
            REQUIRE(theirs[steps] < theirs[0] - tol);
            break;
        }
        // sum_i delta_i: per tensor, numel rel max|g| with torch's max|g| (at most ours / (1 - rel))
        double deltas = 0;
        const double rel = bound.gradients;
        for (const ParamView& v : m.params().views())
            deltas += static_cast<double>(v.shape.numel()) * rel * max_abs(m.params().grad(v.name).to_vector()) /
                      (1 - rel);
        const double s = static_cast<double>(t + 1);   // this step's number
        double u2 = 0;                                 // U_s^2
        for (std::size_t k = 1; k <= t + 1; ++k) {
            const double age = s - static_cast<double>(k);
            const double a = (1 - b1) * std::pow(double(b1), age) / (1 - std::pow(double(b1), s));
            const double c = (1 - b2) * std::pow(double(b2), age) / (1 - std::pow(double(b2), s));
            u2 += a * a / c;
        }
        drift += 4 * double(lr) * std::sqrt(u2) * deltas;
        opt.step(be, m.params(), lr, 1.0f);
    }
}
