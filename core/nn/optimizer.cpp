// optimizer.cpp: the frame's optimizer: runs of views by weight-decay rule, one sgd_update or
// adamw_update call per run, state for checkpoints, global gradient norm and clipping. ch05.
#include "core/nn/optimizer.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"
#include "kernels/global_norm/global_norm.hpp"

namespace ladder {

Optimizer::Optimizer(const OptimizerConfig& cfg, const ParamSet& params)
    : cfg_(cfg), numel_(params.numel()), device_(params.device()) {
    // Views come in increasing offsets; view i owns [offset_i, offset_{i+1}) (its padding
    // too), the last one up to numel. Neighbours with the same rule merge into one run.
    const auto& views = params.views();
    for (std::size_t i = 0; i < views.size(); ++i) {
        const std::size_t end = i + 1 < views.size() ? views[i + 1].offset : numel_;
        LADDER_CHECK(views[i].offset <= end, "Optimizer: views out of order: {} at {} before the next at {}",
                     views[i].name, views[i].offset, end);
        if (!runs_.empty() && runs_.back().decay == views[i].decay &&
            runs_.back().offset + runs_.back().numel == views[i].offset) {
            runs_.back().numel = end - runs_.back().offset;
        } else {
            runs_.push_back({views[i].offset, end - views[i].offset, views[i].decay});
        }
    }
    m_ = Tensor::zeros(Shape{numel_}, device_);
    if (cfg_.kind == OptimizerKind::adamw) v_ = Tensor::zeros(Shape{numel_}, device_);
}

// [book:optimizer-step]
void Optimizer::step(const Backend& be, ParamSet& params, float lr, float grad_scale) {
    LADDER_CHECK(params.numel() == numel_ && params.device() == device_,
                 "Optimizer::step: made for {} parameters on {}, given {} on {}", numel_, device_name(device_),
                 params.numel(), device_name(params.device()));
    ++steps_;
    for (const Run& run : runs_) {
        const Shape shape{run.numel};
        Tensor p = params.values().view(shape, run.offset), g = params.grads().view(shape, run.offset);
        Tensor m = m_.view(shape, run.offset);
        if (cfg_.kind == OptimizerKind::adamw) {
            AdamWConfig c = cfg_.adamw;
            c.lr = lr;
            if (!run.decay) c.weight_decay = 0;
            Tensor v = v_.view(shape, run.offset);
            adamw_update(be, p, m, v, g, c, steps_, grad_scale);
        } else {
            SgdConfig c = cfg_.sgd;
            c.lr = lr;
            if (!run.decay) c.weight_decay = 0;
            sgd_update(be, p, m, g, c, grad_scale);
        }
    }
}
// [/book]

std::vector<std::pair<std::string, Tensor>> Optimizer::state() {
    if (cfg_.kind == OptimizerKind::adamw) return {{"adamw.m", m_}, {"adamw.v", v_}};
    return {{"sgd.momentum", m_}};
}

void Optimizer::set_steps_taken(int t) {
    LADDER_CHECK(t >= 0, "Optimizer::set_steps_taken: the step count must be >= 0, got {}", t);
    steps_ = t;
}

float global_grad_norm(const Backend& be, ParamSet& params) {
    Tensor out = be.empty(Shape{1});
    global_norm_sq(be, out, params.grads());
    return std::sqrt(out.to_vector()[0]);
}

float clip_scale(float norm, float max_norm) {
    LADDER_CHECK(!std::isnan(max_norm), "clip_scale: max_norm is NaN");
    if (max_norm <= 0) return 1.0f;
    LADDER_CHECK(std::isfinite(norm) && norm >= 0,
                 "clip_scale: the gradient norm is {}: a gradient holds NaN or Inf (or the norm is negative)", norm);
    return std::min(1.0f, max_norm / (norm + 1e-6f));
}

}  // namespace ladder
