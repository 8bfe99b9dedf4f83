// core/nn/schedule.cpp: LrSchedule::at, parse and name (the formulas: schedule.hpp).
#include "core/nn/schedule.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "core/error.hpp"

namespace ladder {

double LrSchedule::at(std::size_t step) const {
    LADDER_CHECK(std::isfinite(lr) && lr >= 0, "learning-rate schedule: lr {} must be finite and >= 0", lr);
    const bool decays = kind != Kind::constant;
    if (decays) {
        LADDER_CHECK(min_lr >= 0 && min_lr <= lr, "learning-rate schedule: min_lr {} is not in [0, lr = {}]", min_lr, lr);
        LADDER_CHECK(warmup <= total, "learning-rate schedule: {} warmup steps are more than the {} steps in all", warmup,
                     total);
    }
    if (step < warmup) return lr * static_cast<double>(step) / static_cast<double>(warmup);
    if (!decays) return lr;
    if (step >= total) return min_lr;
    // [book:lr-schedule]
    const double p = static_cast<double>(step - warmup) / static_cast<double>(total - warmup);   // [0, 1)
    if (kind == Kind::cosine) return min_lr + (lr - min_lr) * (1 + std::cos(std::numbers::pi * p)) / 2;
    return std::max(min_lr, lr - (lr - min_lr) * p);
    // [/book]
}

LrSchedule::Kind LrSchedule::parse(std::string_view name) {
    for (Kind k : {Kind::constant, Kind::cosine, Kind::linear})
        if (name == LrSchedule::name(k)) return k;
    LADDER_THROW("unknown learning-rate schedule \"{}\" (choose constant, cosine or linear)", name);
}

std::string_view LrSchedule::name(Kind kind) {
    switch (kind) {
    case Kind::constant: return "constant";
    case Kind::cosine: return "cosine";
    case Kind::linear: return "linear";
    }
    LADDER_THROW("unknown learning-rate schedule kind {}", static_cast<int>(kind));
}

}  // namespace ladder
