// trainer_gpu.cpp: the GPU SGNS trainer (simt or cuda). The host forms batches of pairs
// (subsampling, dynamic window and negatives drawn as on the CPU); the device computes each
// pair's gradients (sgns kernel) and adds them into the tables (embedding_scatter_add).
// w_in, w_out (V,D) live on the device. Introduced in ch03.
#include <algorithm>
#include <cmath>
#include <optional>

#include "chapters/ch03_word2vec/trainer.hpp"
#include "core/backend.hpp"
#include "core/cli.hpp"
#include "core/error.hpp"
#include "core/nn/schedule.hpp"
#include "core/rng.hpp"
#include "kernels/embedding_gather/embedding_gather.hpp"
#include "kernels/sgns/sgns.hpp"

namespace ladder::ch03 {

// [book:train-gpu-step]
// One step: B pairs (context in_ids[b]; centre out_ids[b][0]; negatives out_ids[b][1..K]).
// Every pair's gradient comes from the same tables (a mini-batch), then both tables move by
// -lr times the summed gradients of the rows they hold.
void gpu_step(const Backend& be, Tensor& w_in, Tensor& w_out, Tensor& in_ids, Tensor& out_ids, Tensor& loss,
              Tensor& d_in, Tensor& d_out, float lr) {
    const std::size_t B = in_ids.dim(0), K1 = out_ids.dim(1), D = w_in.dim(1);
    sgns(be, loss, d_in, d_out, w_in, w_out, in_ids, out_ids);
    embedding_scatter_add(be, w_in, d_in, in_ids, -lr);
    Tensor d_out_rows = d_out.reshape(Shape{B * K1, D}), out_flat = out_ids.reshape(Shape{B * K1});
    embedding_scatter_add(be, w_out, d_out_rows, out_flat, -lr);
}
// [/book]

TrainResult train_gpu(Device device, const Corpus& corpus, const Vocab& vocab, const TrainConfig& cfg) {
    LADDER_CHECK(device != Device::cpu, "train_gpu: device must be simt or cuda");
    LADDER_CHECK(cfg.negative + 1 <= sgns_max_k1, "train: --negative must be < {} on a GPU backend", sgns_max_k1);
    LADDER_CHECK(cfg.dim >= 1 && cfg.window >= 1 && cfg.epochs >= 1 && cfg.gpu_batch >= 1,
                 "train: --dim, --window, --epochs and the batch must be >= 1");
    Backend be(device);
    // On the emulator, v1 (a thread per pair, no warp shuffles) runs fastest: a shuffle
    // costs a fiber switch per lane there. A GPU gets the default, v2.
    if (device == Device::simt) be.set_version("sgns", sgns_simt_fastest);
    const std::size_t V = vocab.size(), D = cfg.dim, W = cfg.window, K1 = cfg.negative + 1, B = cfg.gpu_batch;
    TrainResult r;
    r.w_in.resize(V * D);
    Rng rng(cfg.seed);
    rng.fill_uniform(r.w_in, -0.5f / static_cast<float>(D), 0.5f / static_cast<float>(D));
    Tensor w_in = be.upload(r.w_in, Shape{V, D});
    Tensor w_out = be.zeros(Shape{V, D});
    Tensor in_t = be.empty(Shape{B}, DType::i32), out_t = be.empty(Shape{B, K1}, DType::i32);
    Tensor loss_t = be.empty(Shape{B}), d_in = be.empty(Shape{B, D}), d_out = be.empty(Shape{B, K1, D});
    const auto keep = keep_thresholds(vocab, cfg.sample);
    const auto table = unigram_table(vocab, cfg.table_size);
    const auto table_size = static_cast<std::uint64_t>(table.size());
    const double total = static_cast<double>(corpus.ids.size()) * static_cast<double>(cfg.epochs);
    std::optional<Progress> progress;
    if (cfg.progress) progress.emplace("train", total, "words");
    Rng host_rng = rng.split(0);
    std::vector<std::int32_t> in_ids, out_ids, kept;
    in_ids.reserve(B);
    out_ids.reserve(B * K1);
    double done = 0, loss_sum = 0, loss_pairs = 0;
    std::size_t steps = 0;
    float lr = static_cast<float>(cfg.alpha);
    // alpha decays linearly to min_alpha by words done (the frame's schedule, stepped by words).
    const LrSchedule schedule{LrSchedule::Kind::linear, cfg.alpha, cfg.min_alpha, 0, static_cast<std::size_t>(total)};
    Timer timer;
    auto flush = [&] {
        const std::size_t n = in_ids.size();
        if (n == 0) return;
        Tensor in_v = in_t.view(Shape{n}), out_v = out_t.view(Shape{n, K1}), loss_v = loss_t.view(Shape{n});
        Tensor d_in_v = d_in.view(Shape{n, D}), d_out_v = d_out.view(Shape{n, K1, D});
        in_v.copy_from(std::span<const std::int32_t>(in_ids));
        out_v.copy_from(std::span<const std::int32_t>(out_ids));
        gpu_step(be, w_in, w_out, in_v, out_v, loss_v, d_in_v, d_out_v, lr);
        // Read the loss back every 8th step: a copy from the device is a synchronisation.
        if (++steps % 8 == 1 || n < B) {
            const auto l = loss_v.to_vector();
            for (float x : l) loss_sum += x;
            loss_pairs += static_cast<double>(n);
        }
        in_ids.clear();
        out_ids.clear();
        lr = static_cast<float>(schedule.at(static_cast<std::size_t>(done)));
        const double last = r.curve.empty() ? 0 : r.curve.back().words;
        if (done - last >= total / 100 && loss_pairs > 0) {
            r.curve.push_back({done, loss_sum / loss_pairs, lr, timer.seconds()});
            loss_sum = loss_pairs = 0;
            if (progress) progress->update(done, {{"loss", r.curve.back().loss}, {"lr", lr, 5}});
        }
    };
    for (std::size_t epoch = 0; epoch < cfg.epochs; ++epoch) {
        for (std::size_t s = 0; s < corpus.sentences(); ++s) {
            const std::int32_t* sent = corpus.ids.data() + corpus.starts[s];
            const std::size_t len = corpus.starts[s + 1] - corpus.starts[s];
            kept.clear();
            for (std::size_t i = 0; i < len; ++i)
                if (keep[sent[i]] == 0xffffffffu || static_cast<std::uint32_t>(host_rng.next() >> 32) < keep[sent[i]])
                    kept.push_back(sent[i]);
            for (std::size_t i = 0; i < kept.size(); ++i) {
                const std::size_t b = 1 + static_cast<std::size_t>(host_rng.below(W));
                for (std::size_t j = i >= b ? i - b : 0; j <= i + b && j < kept.size(); ++j) {
                    if (j == i) continue;
                    in_ids.push_back(kept[j]);
                    out_ids.push_back(kept[i]);
                    for (std::size_t k = 1; k < K1; ++k) {
                        std::int32_t neg = table[((host_rng.next() >> 32) * table_size) >> 32];
                        if (neg == kept[i]) neg = table[((host_rng.next() >> 32) * table_size) >> 32];   // one redraw
                        out_ids.push_back(neg);
                    }
                    if (in_ids.size() == B) flush();
                }
            }
            done += static_cast<double>(len);
        }
    }
    flush();
    be.synchronize();
    r.seconds = timer.seconds();
    r.w_in = w_in.to_vector();
    r.w_out = w_out.to_vector();
    r.words_per_sec = static_cast<double>(corpus.raw_words) * static_cast<double>(cfg.epochs) / r.seconds;
    const std::size_t tail = std::max<std::size_t>(1, r.curve.size() / 20);
    const std::size_t n_tail = std::min(tail, r.curve.size());
    for (std::size_t i = r.curve.size() - n_tail; i < r.curve.size(); ++i) r.final_loss += r.curve[i].loss / static_cast<double>(n_tail);
    if (progress) progress->finish({{"loss", r.final_loss}, {"lr", cfg.min_alpha, 5}});
    return r;
}

}  // namespace ladder::ch03
