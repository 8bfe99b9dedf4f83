// classifiers.cpp: multinomial naive Bayes and mini-batch logistic regression for chapter 2.
#include "chapters/ch02_bag_of_words/classifiers.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <optional>

#include "core/cli.hpp"
#include "core/error.hpp"
#include "core/rng.hpp"
#include "kernels/softmax_xent/softmax_xent.hpp"
#include "kernels/spmm/spmm.hpp"
#include "kernels/topk/topk.hpp"

namespace ladder::ch02 {

std::vector<std::int32_t> argmax_rows(const std::vector<float>& scores, std::size_t rows, std::size_t cols) {
    std::vector<std::int32_t> out(rows);
    for (std::size_t r = 0; r < rows; ++r) {
        const float* s_r = scores.data() + r * cols;
        out[r] = static_cast<std::int32_t>(std::max_element(s_r, s_r + cols) - s_r);   // first of equal maxima
    }
    return out;
}

namespace {
// (rows, C) = x (rows, F) . w (F, C) on the backend, plus an optional per-column offset.
std::vector<float> sparse_times_dense(const Backend& be, const Csr& x, const std::vector<float>& w, std::size_t C) {
    const DeviceCsr dx = upload(be, x);
    const Tensor tw = be.upload(w, {x.cols, C});
    Tensor out = be.empty({x.rows, C});
    spmm(be, out, dx.row_ptr, dx.col, dx.val, x.cols, tw);
    return out.to_vector();
}
}  // namespace

// ---- naive Bayes ----

// [book:naive-bayes]
NaiveBayes train_naive_bayes(const Csr& counts, const std::vector<std::int32_t>& labels, std::size_t classes, float alpha) {
    Timer timer;
    NaiveBayes nb;
    nb.classes = classes;
    nb.vocab = counts.cols;
    nb.alpha = alpha;
    const std::size_t C = classes, V = counts.cols;
    std::vector<double> docs_in(C, 0), words_in(C, 0), n_wc(V * C, 0);   // n_wc[w*C + c]: count of w in class c
    for (std::size_t d = 0; d < counts.rows; ++d) {
        const std::size_t c = static_cast<std::size_t>(labels[d]);
        docs_in[c] += 1;
        for (std::int32_t j = counts.row_ptr[d]; j < counts.row_ptr[d + 1]; ++j) {
            n_wc[counts.col[j] * C + c] += counts.val[j];
            words_in[c] += counts.val[j];
        }
    }
    nb.log_prior.resize(C);
    nb.log_likelihood.resize(V * C);
    for (std::size_t c = 0; c < C; ++c) {
        nb.log_prior[c] = static_cast<float>(std::log(docs_in[c] / static_cast<double>(counts.rows)));
        // P(w | c) = (n_wc + alpha) / (n_c + alpha V): a word never seen in c is rare, not impossible.
        for (std::size_t w = 0; w < V; ++w)
            nb.log_likelihood[w * C + c] =
                static_cast<float>(std::log((n_wc[w * C + c] + alpha) / (words_in[c] + alpha * static_cast<double>(V))));
    }
    nb.seconds = timer.seconds();
    return nb;
}

std::vector<std::int32_t> predict(const Backend& be, const NaiveBayes& nb, const Csr& counts) {
    // log P(c | doc) = log P(c) + sum_w count_w log P(w | c) + const: one sparse product.
    std::vector<float> scores = sparse_times_dense(be, counts, nb.log_likelihood, nb.classes);   // (docs, C)
    for (std::size_t d = 0; d < counts.rows; ++d)
        for (std::size_t c = 0; c < nb.classes; ++c) scores[d * nb.classes + c] += nb.log_prior[c];
    return argmax_rows(scores, counts.rows, nb.classes);
}
// [/book]

std::vector<std::vector<std::int32_t>> telling_words(const Backend& be, const NaiveBayes& nb, const Csr& counts,
                                                     const std::vector<std::int32_t>& labels, std::size_t k,
                                                     std::int64_t min_count) {
    const std::size_t C = nb.classes, V = nb.vocab;
    std::vector<double> n_wc(V * C, 0), total(C, 0);
    std::vector<std::int64_t> n_w(V, 0);
    for (std::size_t d = 0; d < counts.rows; ++d)
        for (std::int32_t j = counts.row_ptr[d]; j < counts.row_ptr[d + 1]; ++j) {
            n_wc[counts.col[j] * C + labels[d]] += counts.val[j];
            total[labels[d]] += counts.val[j];
            n_w[counts.col[j]] += static_cast<std::int64_t>(counts.val[j]);
        }
    const double all = std::accumulate(total.begin(), total.end(), 0.0);
    // score (C, V): log P(w | c) - log P(w | every other class), both add-one smoothed.
    std::vector<float> score(C * V, -std::numeric_limits<float>::infinity());
    for (std::size_t w = 1; w < V; ++w) {   // w = 0 is <unk>
        if (n_w[w] < min_count) continue;
        double in_all = 0;
        for (std::size_t c = 0; c < C; ++c) in_all += n_wc[w * C + c];
        for (std::size_t c = 0; c < C; ++c) {
            const double p_in = (n_wc[w * C + c] + 1) / (total[c] + static_cast<double>(V));
            const double p_out = (in_all - n_wc[w * C + c] + 1) / (all - total[c] + static_cast<double>(V));
            score[c * V + w] = static_cast<float>(std::log(p_in / p_out));
        }
    }
    k = std::min(k, V);
    const Tensor s = be.upload(score, {C, V});
    Tensor values = be.empty({C, k}), indices = be.empty({C, k}, DType::i32);
    topk(be, values, indices, s, k);
    const std::vector<std::int32_t> idx = indices.to_vector_i32();
    const std::vector<float> val = values.to_vector();
    std::vector<std::vector<std::int32_t>> out(C);
    for (std::size_t c = 0; c < C; ++c)
        for (std::size_t i = 0; i < k; ++i)
            if (std::isfinite(val[c * k + i])) out[c].push_back(idx[c * k + i]);
    return out;
}

NaiveBayes train_naive_bayes_tuned(const Backend& be, const Csr& counts, const std::vector<std::int32_t>& labels,
                                   const Csr& val_counts, const std::vector<std::int32_t>& val_labels, std::size_t classes,
                                   const std::vector<float>& alphas, std::vector<double>* val_accuracy) {
    LADDER_CHECK(!alphas.empty(), "naive Bayes: no smoothing values to choose from");
    Timer timer;
    NaiveBayes best;
    double best_acc = -1;
    for (float a : alphas) {
        NaiveBayes nb = train_naive_bayes(counts, labels, classes, a);
        const std::vector<std::int32_t> pred = predict(be, nb, val_counts);
        std::size_t right = 0;
        for (std::size_t i = 0; i < pred.size(); ++i) right += pred[i] == val_labels[i];
        const double acc = pred.empty() ? 0.0 : static_cast<double>(right) / static_cast<double>(pred.size());
        if (val_accuracy) val_accuracy->push_back(acc);
        if (acc > best_acc) {
            best_acc = acc;
            best = std::move(nb);
        }
    }
    best.seconds = timer.seconds();
    return best;
}

// ---- logistic regression ----

std::vector<float> logits(const Backend& be, const LogReg& m, const Csr& x) {
    LADDER_CHECK(x.cols == m.features, "logistic regression: {} features, the model has {}", x.cols, m.features);
    return sparse_times_dense(be, with_bias_column(x), m.w, m.classes);
}

std::vector<std::int32_t> predict(const Backend& be, const LogReg& m, const Csr& x) {
    return argmax_rows(logits(be, m, x), x.rows, m.classes);
}

namespace {
// The rows of m in the order `perm`, and the labels to match.
Csr permute_rows(const Csr& m, const std::vector<std::size_t>& perm) {
    Csr p;
    p.rows = m.rows;
    p.cols = m.cols;
    p.col.reserve(m.nnz());
    p.val.reserve(m.nnz());
    for (std::size_t r : perm) {
        p.col.insert(p.col.end(), m.col.begin() + m.row_ptr[r], m.col.begin() + m.row_ptr[r + 1]);
        p.val.insert(p.val.end(), m.val.begin() + m.row_ptr[r], m.val.begin() + m.row_ptr[r + 1]);
        p.row_ptr.push_back(static_cast<std::int32_t>(p.col.size()));
    }
    return p;
}

double accuracy_of(const std::vector<std::int32_t>& truth, const std::vector<std::int32_t>& pred) {
    std::size_t right = 0;
    for (std::size_t i = 0; i < truth.size(); ++i) right += truth[i] == pred[i];
    return truth.empty() ? 0.0 : static_cast<double>(right) / static_cast<double>(truth.size());
}
}  // namespace

LogRegFit train_logistic_regression(const Backend& be, const Csr& x, const std::vector<std::int32_t>& labels,
                                    const Csr& x_val, const std::vector<std::int32_t>& labels_val, std::size_t classes,
                                    const LogRegOptions& opts) {
    LADDER_CHECK(opts.batch > 0 && opts.epochs > 0, "logistic regression: --batch and --epochs must be positive");
    Timer timer;
    const Csr xb = with_bias_column(x);                  // (N, F+1): the last column is the bias feature
    const std::size_t N = xb.rows, F1 = xb.cols, C = classes, B = std::min(opts.batch, N);
    LogRegFit fit;
    fit.model = {x.cols, C, std::vector<float>(F1 * C, 0.0f)};
    // On the device for the whole run: the weights, the shuffled training set (re-filled
    // each epoch) and per-batch buffers; a batch is a view of consecutive rows.
    Tensor w = be.zeros({F1, C});
    Tensor row_ptr = be.empty({N + 1}, DType::i32), col = be.empty({xb.nnz()}, DType::i32), val = be.empty({xb.nnz()});
    Tensor targets = be.empty({N}, DType::i32);
    Tensor logit_buf = be.empty({B, C}), probs_buf = be.empty({B, C}), dlogit_buf = be.empty({B, C});
    Tensor loss_buf = be.empty({B});
    Tensor ones = be.upload(std::vector<float>(B, 1.0f), {B});
    Rng rng(opts.seed);
    std::optional<Progress> progress;
    if (opts.progress) progress.emplace("train", static_cast<double>(opts.epochs), "epochs");
    double best = -1;
    for (std::size_t e = 0; e < opts.epochs; ++e) {
        const std::vector<std::size_t> perm = rng.permutation(N);
        const Csr shuffled = permute_rows(xb, perm);
        std::vector<std::int32_t> y(N);
        for (std::size_t i = 0; i < N; ++i) y[i] = labels[perm[i]];
        row_ptr.copy_from(shuffled.row_ptr);
        col.copy_from(shuffled.col);
        val.copy_from(shuffled.val);
        targets.copy_from(y);
        const float lr = opts.lr / (1.0f + opts.lr_decay * static_cast<float>(e));
        double loss_sum = 0;
        // [book:logreg-step]
        for (std::size_t s = 0; s < N; s += B) {
            const std::size_t b = std::min(B, N - s);   // rows in this batch
            const Tensor rp = row_ptr.view({b + 1}, s), t = targets.view({b}, s);
            Tensor logit = logit_buf.view({b, C}), probs = probs_buf.view({b, C}), dlogit = dlogit_buf.view({b, C});
            Tensor loss = loss_buf.view({b});
            spmm(be, logit, rp, col, val, F1, w);                                  // logits (b,C) = X_b W
            softmax_xent_forward(be, loss, probs, logit, t);                       // loss (b), probs (b,C)
            softmax_xent_backward(be, dlogit, probs, t, ones.view({b}), static_cast<float>(b));   // d mean loss / d logits
            spmm(be, w, rp, col, val, F1, dlogit, /*ta=*/true, -lr, 1.0f);          // W += -lr X_b^T dlogits
            for (float l : loss.to_vector()) loss_sum += l;
        }
        // [/book]
        EpochLog log{e + 1, loss_sum / static_cast<double>(N), 0, lr};
        LogReg current{x.cols, C, w.to_vector()};
        log.val_accuracy = accuracy_of(labels_val, predict(be, current, x_val));
        fit.log.push_back(log);
        if (log.val_accuracy > best) {   // early stopping: keep the best epoch's weights
            best = log.val_accuracy;
            fit.best_epoch = e + 1;
            fit.model = std::move(current);
        }
        if (progress)
            progress->update(static_cast<double>(e + 1),
                             {{"loss", log.train_loss}, {"val acc", log.val_accuracy, 3}, {"lr", lr, 3}});
    }
    if (progress) progress->finish({{"loss", fit.log.back().train_loss}, {"best val acc", best, 3}});
    fit.seconds = timer.seconds();
    return fit;
}

}  // namespace ladder::ch02
