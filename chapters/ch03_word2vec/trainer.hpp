// trainer.hpp: skip-gram with negative sampling, trained two ways on the same corpus: the
// multi-threaded CPU trainer (lock-free "Hogwild" updates, as word2vec.c) and the GPU trainer
// (batches of pairs through the sgns and embedding_scatter_add kernels, on simt or cuda).
// w_in, w_out (V,D). Introduced in ch03.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "chapters/ch03_word2vec/corpus.hpp"
#include "core/device.hpp"

namespace ladder::ch03 {

struct TrainConfig {
    std::size_t dim = 100;          // D
    std::size_t window = 5;         // max words on each side; each position draws 1..window
    std::size_t negative = 5;       // negatives per (context, centre) pair (per window if share_negatives)
    std::size_t epochs = 5;
    double alpha = 0.025;           // learning rate at the start, decaying linearly ...
    double min_alpha = 0.0001;      // ... to this at the end (gensim's defaults)
    double sample = 1e-3;           // subsampling threshold (0: keep every word)
    unsigned threads = 1;           // CPU trainer
    std::uint64_t seed = 42;
    std::size_t table_size = 1u << 22;   // unigram^0.75 table slots (16 MiB of int32)
    std::size_t gpu_batch = 1024;   // pairs per GPU step
    bool share_negatives = true;    // CPU: one set of negatives per window (Ji et al. 2016: faster, as
                                    // accurate), else fresh ones per pair (word2vec.c, the GPU trainer)
    bool progress = true;           // a Progress line: words/s, loss, lr, ETA
};

struct LossPoint {
    double words = 0;               // corpus words processed so far (all epochs)
    double loss = 0;                // mean loss per (context, output) pair since the last point
    double lr = 0;
    double seconds = 0;
};

struct TrainResult {
    std::vector<float> w_in;        // (V,D): the word vectors
    std::vector<float> w_out;       // (V,D): the context ("output") vectors
    double seconds = 0;             // training wall time
    double words_per_sec = 0;       // raw corpus words x epochs / seconds (what gensim's peers are timed on)
    double final_loss = 0;          // mean pair loss over the last 5% of training
    std::vector<LossPoint> curve;   // ~100 points
};

// CPU: config.threads workers, each on a contiguous share of the sentences; all update the
// shared tables without locks. Bit-for-bit reproducible at threads = 1 for a fixed seed;
// with more threads, the interleaving of updates (and so the bits) varies run to run.
TrainResult train_cpu(const Corpus& corpus, const Vocab& vocab, const TrainConfig& config);

// GPU (device simt or cuda): the host draws batches of (context, centre, negatives) pairs;
// the sgns kernel computes every pair's gradients from the same tables, and
// embedding_scatter_add applies them (atomics: the order of additions, and so the bits,
// may vary on a GPU). Deterministic on simt only up to float atomics.
TrainResult train_gpu(Device device, const Corpus& corpus, const Vocab& vocab, const TrainConfig& config);

}  // namespace ladder::ch03
