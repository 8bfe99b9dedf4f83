// metrics.hpp: how good is a classifier? Accuracy, per-class precision/recall/F1, their
// macro average, the confusion matrix, and the majority-class baseline to beat.
// Introduced in ch02.
#pragma once

#include <cstdint>
#include <vector>

namespace ladder::ch02 {

struct Scores {
    double accuracy = 0;
    double macro_f1 = 0;                             // mean F1 over classes in truth or predictions
    std::vector<double> f1;                          // (C)
    std::vector<std::vector<std::int64_t>> confusion;   // (C, C): [true][predicted]
};

// f1_c = 2 tp / (2 tp + fp + fn); classes that occur neither in truth nor in the
// predictions are left out of the macro average (as scikit-learn does).
Scores evaluate(const std::vector<std::int32_t>& truth, const std::vector<std::int32_t>& predicted, std::size_t classes);

// The most frequent label (ties: the smaller one): what "always guess the same" predicts.
std::int32_t majority_class(const std::vector<std::int32_t>& labels, std::size_t classes);

}  // namespace ladder::ch02
