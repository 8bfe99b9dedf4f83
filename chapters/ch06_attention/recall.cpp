// recall.cpp: the long-range recall task, its training loop and its accuracy. Introduced in ch06.
#include "chapters/ch06_attention/recall.hpp"

#include <algorithm>
#include <cmath>

#include "chapters/ch05_neural_lm/models.hpp"
#include "chapters/ch06_attention/attention_lm.hpp"
#include "core/error.hpp"
#include "core/nn/optimizer.hpp"

namespace ladder::ch06 {

// [book:recall-task]
std::vector<std::int32_t> RecallTask::batch(Rng& rng, std::size_t B, std::size_t distance) const {
    LADDER_CHECK(T >= 2 && distance < T, "recall: distance {} does not fit a window of T = {}", distance, T);
    LADDER_CHECK(keys >= 1 && values >= 1 && T > keys, "recall: {} pairs do not fit a window of T = {}", keys, T);
    const std::size_t W = T + 1;
    std::vector<std::int32_t> rows(B * W);
    std::vector<std::size_t> places(T - 1);
    for (std::size_t b = 0; b < B; ++b) {
        std::int32_t* row = rows.data() + b * W;
        for (std::size_t t = 0; t < T - 1; ++t) row[t] = static_cast<std::int32_t>(rng.below(fillers));
        // distance 0: d log-uniform in [1, T-1], so every octave (1, 2-3, 4-7, ...) is as common
        // as the others and a model that can only bridge short gaps still has them to learn from.
        const std::size_t d =
            distance ? distance
                     : std::min<std::size_t>(T - 1, static_cast<std::size_t>(std::exp(rng.uniform() * std::log(double(T)))));
        const std::size_t asked = rng.below(keys);
        // The other keys' pairs at distinct random places (a shuffle of the free positions).
        std::size_t n = 0;
        for (std::size_t t = 0; t < T - 1; ++t)
            if (t != T - 1 - d) places[n++] = t;
        for (std::size_t i = 0; i + 1 < n; ++i) std::swap(places[i], places[i + rng.below(n - i)]);
        std::size_t next = 0;
        for (std::size_t k = 0; k < keys; ++k) {
            const std::size_t v = rng.below(values);
            if (k == asked) {
                row[T - 1 - d] = pair(k, v);   // d steps before the query
                row[T] = answer(v);            // the answer: the target of the last position
            } else {
                row[places[next++]] = pair(k, v);
            }
        }
        row[T - 1] = query(asked);             // "what was this key bound to?"
    }
    return rows;
}
// [/book]

// [book:recall-train]
// Only the last position's loss trains: it alone carries the key. (The other T - 1 targets are
// random fillers whose gradients, averaged in, would drown its 1/T share in noise.) Each model
// takes the weights of its positions' losses in its own layout: attention's rows are b*T + t, the
// RNN's time-major t*B + b; the weight T makes the gradient that of the mean over the B rows.
double train_recall(LanguageModel& model, const Backend& be, const RecallTask& task, std::size_t steps, std::size_t B,
                    float lr, std::uint64_t seed) {
    LADDER_CHECK(model.window() == task.T + 1, "recall: the model's window is {} tokens, the task's {}", model.window(),
                 task.T + 1);
    auto* att = dynamic_cast<AttentionLm*>(&model);
    auto* rnn = dynamic_cast<ch05::RnnLm*>(&model);
    LADDER_CHECK(att || rnn, "recall: {} is neither chapter 6's attention model nor chapter 5's RNN", model.name());
    const std::size_t T = task.T;
    std::vector<float> w(B * T, 0.0f);
    for (std::size_t b = 0; b < B; ++b) w[att ? b * T + T - 1 : (T - 1) * B + b] = static_cast<float>(T);
    const Tensor weights = be.upload(w, Shape{B * T});
    OptimizerConfig oc;
    oc.kind = OptimizerKind::adamw;
    oc.adamw.weight_decay = 0.0f;
    Optimizer opt(oc, model.params());
    Rng rng(seed);
    double tail = 0;
    std::size_t tail_n = 0;
    for (std::size_t s = 0; s < steps; ++s) {
        const std::vector<std::int32_t> rows = task.batch(rng, B, 0);
        if (model.stateful()) model.reset_state(be, B);   // every row is a sequence of its own
        model.forward(be, rows, B);
        model.params().zero_grad();
        if (att) att->backward_from(be, weights);
        else rnn->backward_from(be, weights);
        const float scale = clip_scale(global_grad_norm(be, model.params()), 1.0f);
        opt.step(be, model.params(), lr, scale);
        if (s >= steps - std::max<std::size_t>(1, steps / 10)) {
            tail += (att ? att->loss_by_position() : rnn->loss_by_position()).back();
            ++tail_n;
        }
    }
    return tail / static_cast<double>(std::max<std::size_t>(1, tail_n));
}
// [/book]

double recall_accuracy(LanguageModel& model, const Backend& be, const RecallTask& task, std::size_t distance,
                       std::size_t rows, std::uint64_t seed) {
    Rng rng(seed);
    const std::size_t B = std::min<std::size_t>(rows, 64), T = task.T, V = task.vocab();
    std::size_t right = 0, seen = 0;
    while (seen < rows) {
        const std::vector<std::int32_t> batch = task.batch(rng, B, distance);
        if (model.stateful()) model.reset_state(be, B);
        model.forward(be, batch, B);
        // The scores of each row's last position: attention's logits are row-major (b*T + t), the
        // RNN's probabilities time-major (t*B + b).
        std::vector<float> scores;
        std::size_t row_stride = 0, first = 0;
        if (auto* a = dynamic_cast<AttentionLm*>(&model)) {
            scores = a->logits().to_vector(), row_stride = T * V, first = (T - 1) * V;
        } else if (auto* r = dynamic_cast<ch05::RnnLm*>(&model)) {
            scores = r->probs().to_vector(), row_stride = V, first = (T - 1) * B * V;
        } else {
            LADDER_THROW("recall: {} is neither chapter 6's attention model nor chapter 5's RNN", model.name());
        }
        for (std::size_t b = 0; b < B && seen < rows; ++b, ++seen) {
            const float* s = scores.data() + first + b * row_stride;
            const auto guess = static_cast<std::int32_t>(std::max_element(s, s + V) - s);
            right += guess == batch[b * (T + 1) + T];
        }
    }
    return static_cast<double>(right) / static_cast<double>(rows);
}

}  // namespace ladder::ch06
