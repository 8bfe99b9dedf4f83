// optimizer.hpp: the training frame's optimizer over a ParamSet: SGD (momentum) or AdamW, one
// registered op call per run of views with the same weight-decay rule, its state buffers in the
// parameters' layout (numel) for checkpoints, and gradient-norm clipping. Introduced in ch05.
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "core/backend.hpp"
#include "core/nn/params.hpp"
#include "core/tensor.hpp"
#include "kernels/adamw/adamw.hpp"
#include "kernels/sgd/sgd.hpp"

namespace ladder {

enum class OptimizerKind { sgd, adamw };

struct OptimizerConfig {
    OptimizerKind kind = OptimizerKind::adamw;
    AdamWConfig adamw;   // its lr is replaced by step()'s (the schedule gives it)
    SgdConfig sgd;       // likewise
};

// Optimizer opt(cfg, params);             m, v (or the momentum buffer) zeroed, on params' device
// opt.step(be, params, lr, grad_scale);   every parameter updated once; steps_taken() + 1
class Optimizer {
public:
    Optimizer(const OptimizerConfig& cfg, const ParamSet& params);

    // One update of every parameter with learning rate lr (overrides cfg's lr) and grad_scale
    // (1, or max_norm / norm when clipping). Weight decay applies only to views with
    // decay = true: each run of consecutive views with the same rule (with the padding after
    // them, which stays 0) is one op call. The step number AdamW's bias correction uses is
    // steps_taken() + 1.
    void step(const Backend& be, ParamSet& params, float lr, float grad_scale);
    int steps_taken() const { return steps_; }

    // The state for checkpoints: named tensors (numel) of the parameters' layout, sharing this
    // optimizer's storage (a checkpoint load writes into them): {"adamw.m", m}, {"adamw.v", v}
    // or {"sgd.momentum", velocity}. With the step count: set_steps_taken(t) on resume.
    std::vector<std::pair<std::string, Tensor>> state();
    void set_steps_taken(int t);

    const OptimizerConfig& config() const { return cfg_; }

private:
    // Elements [offset, offset + numel) of the buffers, updated in one call.
    struct Run {
        std::size_t offset = 0, numel = 0;
        bool decay = true;
    };

    OptimizerConfig cfg_;
    std::size_t numel_ = 0;
    Device device_;
    std::vector<Run> runs_;
    Tensor m_, v_;   // AdamW's moments; SGD uses m_ as its momentum buffer
    int steps_ = 0;
};

// sqrt(sum of squares of every gradient): one global_norm_sq call over params.grads(), read
// back to the host.
float global_grad_norm(const Backend& be, ParamSet& params);

// The grad_scale for clipping to max_norm: min(1, max_norm / (norm + 1e-6)) (PyTorch's
// clip_grad_norm_); max_norm <= 0 means no clipping: 1. A NaN or infinite norm is an error
// (a gradient holds NaN or Inf: the scale would hide it or zero the step).
float clip_scale(float norm, float max_norm);

}  // namespace ladder
