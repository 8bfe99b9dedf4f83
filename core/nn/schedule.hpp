// core/nn/schedule.hpp: the learning rate at a step: constant, or a linear warmup then a cosine or
// linear decay to a floor. step in [0, total] -> lr. One implementation for every chapter (ch03's
// word2vec decays linearly by words done; ch05-ch11 by optimizer steps). Introduced in ch05.
#pragma once

#include <cstddef>
#include <string_view>

namespace ladder {

// With w = warmup, n = total, p = (step - w) / (n - w) the progress through the decay:
//   step < w           lr * step / w                          (every kind: 0 at step 0)
//   constant           lr
//   cosine             min_lr + (lr - min_lr) * (1 + cos(pi p)) / 2
//   linear             max(min_lr, lr - (lr - min_lr) * p)
//   step >= n          min_lr                                 (cosine, linear)
// LrSchedule{Kind::cosine, 1.0, 0.1, 10, 110}.at(60) = 0.1 + 0.9 * (1 + cos(pi/2)) / 2 = 0.55
struct LrSchedule {
    enum class Kind { constant, cosine, linear };
    Kind kind = Kind::constant;
    double lr = 1e-3, min_lr = 0;
    std::size_t warmup = 0, total = 0;

    // Throws if lr < 0, min_lr is not in [0, lr] (decaying kinds), or warmup > total (decaying kinds).
    double at(std::size_t step) const;
    static Kind parse(std::string_view name);   // "constant" | "cosine" | "linear"; an error lists them
    static std::string_view name(Kind kind);
};

}  // namespace ladder
