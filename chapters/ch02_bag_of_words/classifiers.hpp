// classifiers.hpp: two classifiers on bag-of-words features. Multinomial naive Bayes (counted,
// not trained: log P(class) + sum of count * log P(word | class)) and logistic regression
// (softmax of X W, trained by mini-batch gradient descent on the cross-entropy). Both
// score documents with the spmm op; training uses spmm and softmax_xent on the backend.
// Introduced in ch02.
#pragma once

#include <cstdint>
#include <vector>

#include "chapters/ch02_bag_of_words/features.hpp"
#include "core/backend.hpp"

namespace ladder::ch02 {

// Row-wise argmax of scores (rows, cols); ties go to the smaller column.
std::vector<std::int32_t> argmax_rows(const std::vector<float>& scores, std::size_t rows, std::size_t cols);

// ---- multinomial naive Bayes ----
struct NaiveBayes {
    std::size_t classes = 0, vocab = 0;
    std::vector<float> log_prior;        // (C) log P(c)
    std::vector<float> log_likelihood;   // (V, C) log P(w | c), word-major: X (docs,V) . this = (docs,C)
    float alpha = 1;                     // the add-alpha smoothing it was fitted with
    double seconds = 0;                  // time to fit
};
// Counts per class with add-alpha (Laplace) smoothing. counts: count vectors (docs, V).
NaiveBayes train_naive_bayes(const Csr& counts, const std::vector<std::int32_t>& labels, std::size_t classes,
                             float alpha = 1.0f);
std::vector<std::int32_t> predict(const Backend& be, const NaiveBayes& nb, const Csr& counts);
// Fits one model per alpha and keeps the one with the best validation accuracy (the first
// of equals); `val_accuracy` (optional) receives each alpha's. seconds: all fits together.
NaiveBayes train_naive_bayes_tuned(const Backend& be, const Csr& counts, const std::vector<std::int32_t>& labels,
                                   const Csr& val_counts, const std::vector<std::int32_t>& val_labels, std::size_t classes,
                                   const std::vector<float>& alphas, std::vector<double>* val_accuracy = nullptr);
// Per class, the k words that most favour it: log P(w | c) - log P(w | not c), over words
// seen at least min_count times (topk op). (classes, k) word ids.
std::vector<std::vector<std::int32_t>> telling_words(const Backend& be, const NaiveBayes& nb, const Csr& counts,
                                                     const std::vector<std::int32_t>& labels, std::size_t k,
                                                     std::int64_t min_count);

// ---- logistic regression ----
struct LogRegOptions {
    std::size_t epochs = 40;
    std::size_t batch = 32;
    float lr = 8.0f;              // step size at epoch 0
    float lr_decay = 0.05f;       // lr_e = lr / (1 + lr_decay e)
    std::uint64_t seed = 42;      // shuffling
    bool progress = true;         // show a Progress line
};
struct LogReg {
    std::size_t features = 0, classes = 0;
    std::vector<float> w;         // (features + 1, C); the last row is the bias
};
struct EpochLog {
    std::size_t epoch = 0;
    double train_loss = 0, val_accuracy = 0, lr = 0;
};
struct LogRegFit {
    LogReg model;                 // the weights of the epoch with the best validation accuracy
    std::vector<EpochLog> log;
    std::size_t best_epoch = 0;
    double seconds = 0;
};
LogRegFit train_logistic_regression(const Backend& be, const Csr& x, const std::vector<std::int32_t>& labels,
                                    const Csr& x_val, const std::vector<std::int32_t>& labels_val, std::size_t classes,
                                    const LogRegOptions& opts);
// logits (rows, C) = [x 1] W, through spmm on the backend.
std::vector<float> logits(const Backend& be, const LogReg& m, const Csr& x);
std::vector<std::int32_t> predict(const Backend& be, const LogReg& m, const Csr& x);

}  // namespace ladder::ch02
