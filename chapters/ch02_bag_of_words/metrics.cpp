// metrics.cpp: accuracy, macro-F1 and the confusion matrix for chapter 2.
#include "chapters/ch02_bag_of_words/metrics.hpp"

#include <algorithm>

#include "core/error.hpp"

namespace ladder::ch02 {

// [book:metrics]
Scores evaluate(const std::vector<std::int32_t>& truth, const std::vector<std::int32_t>& predicted, std::size_t classes) {
    LADDER_CHECK(truth.size() == predicted.size(), "evaluate: {} labels but {} predictions", truth.size(), predicted.size());
    Scores s;
    s.confusion.assign(classes, std::vector<std::int64_t>(classes, 0));
    std::size_t right = 0;
    for (std::size_t i = 0; i < truth.size(); ++i) {
        ++s.confusion[truth[i]][predicted[i]];
        right += truth[i] == predicted[i];
    }
    s.accuracy = truth.empty() ? 0 : static_cast<double>(right) / static_cast<double>(truth.size());
    s.f1.assign(classes, 0.0);
    std::size_t present = 0;
    for (std::size_t c = 0; c < classes; ++c) {
        std::int64_t tp = s.confusion[c][c], fn = 0, fp = 0;
        for (std::size_t o = 0; o < classes; ++o) {
            if (o == c) continue;
            fn += s.confusion[c][o];   // a c document called o
            fp += s.confusion[o][c];   // an o document called c
        }
        if (tp + fn + fp == 0) continue;   // neither in the truth nor predicted
        s.f1[c] = 2.0 * static_cast<double>(tp) / static_cast<double>(2 * tp + fp + fn);
        s.macro_f1 += s.f1[c];
        ++present;
    }
    if (present) s.macro_f1 /= static_cast<double>(present);
    return s;
}
// [/book]

std::int32_t majority_class(const std::vector<std::int32_t>& labels, std::size_t classes) {
    std::vector<std::size_t> n(classes, 0);
    for (std::int32_t l : labels) ++n[l];
    return static_cast<std::int32_t>(std::max_element(n.begin(), n.end()) - n.begin());
}

}  // namespace ladder::ch02
