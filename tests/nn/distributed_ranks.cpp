// tests/nn/distributed_ranks.cpp: N ranks with a global batch of G rows train to the parameters
// one process gets with G rows, within a tolerance derived below. Run by ctest as
// `mpirun -np 2 --oversubscribe nn_distributed_ranks` (tests/nn/CMakeLists.txt); any N that
// divides G works. Every rank trains; rank 0 then trains the single-process reference itself,
// compares, and every rank learns whether any rank failed, so they all exit with the same status.
//
// ---- the tolerance ----
// The model is tests/nn/tiny_bigram.hpp: logits z_r = wte[prev_r] + bias, mean cross-entropy over
// the M = G rows, softmax in double, each gradient term a_rj = (p_rj - y_rj) / rows rounded to
// float once, the gradient a float sum over the rows. The optimizer is plain SGD (no momentum, no
// weight decay, no clipping), lr = eta, for K steps. u = 2^-24 (float's unit roundoff).
//
// 1. Both runs see the same M rows at every step (the same seeded loader), so step k is the same
//    function f_k on both sides. f_k is convex in the parameters (cross-entropy of a linear map)
//    and L-smooth with L <= 1: its Hessian is (1/M) sum_r A_r^T J_r A_r, where A_r (theta -> z_r)
//    has norm sqrt(2) (a wte entry plus a bias entry per logit) and the softmax Jacobian J_r has
//    norm <= 1/2 (Gershgorin: row i sums to 2 p_i (1 - p_i) <= 1/2). For a convex L-smooth f, the
//    exact step theta -> theta - eta grad f(theta) is non-expansive when eta <= 2/L, so an error
//    already in the parameters never grows: the distance between the runs after K steps is at most
//    the sum of what rounding adds at each step, on each side.
// 2. The rounding of one gradient. The ranks' terms are the single run's times N exactly (a power
//    of 2: G = 16, N = 2), and the all-reduce's mean, (s_0 + s_1) / 2, is then another summation
//    tree over the same M terms. Any tree of height <= M over M terms, each term rounded once, is
//    within about M u sum_r |a_rj| of the exact sum. Over all elements, sum_j sum_r |a_rj| =
//    (1/M) sum_r sum_j |p_rj - y_rj| <= 2 for wte and 2 for bias: the L2 (<= L1) error of one
//    side's gradient is <= 4 M u. Times eta in the step.
// 3. The rounding of the update theta - fl(eta g): <= u (eta |g| + |theta_new|) per element, in L2
//    <= u (4 eta + |theta_0| + 4 eta k) after k steps (|g|_2 <= |g|_1 <= 4: each step moves
//    theta by at most 4 eta).
// Summed over K steps and both sides:
//    |theta_dist - theta_single|_2 <= D_K = 2 sum_{k=1..K} u (4 eta M + 4 eta + |theta_0|_2 + 4 eta k),
// times 1.01 for the second-order terms (gamma_n vs n u, the double softmax). With G = 16,
// eta = 0.5, K = 20, |theta_0| ~ 1.6 this is ~2e-4 in L2, while the parameters move by O(1) and a
// run on the wrong rows lands O(0.1) away (checked below, so the tolerance can tell).
// The losses: |d CE / d z|_1 <= 2 and |dz|_inf <= 2 max|d theta|, so the losses differ by at most
// 4 D_K, plus their own float rounding (a few u of the loss).
//
// A second run with AdamW and gradient clipping has no useful bound of this kind (Adam divides by
// sqrt(v) + 1e-8, so an element whose gradient is near 0 can amplify a rounding difference at
// will); there the test checks what data parallelism promises exactly: every rank ends with the
// same bits, because every rank clips and steps with the same all-reduced gradient.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "core/backend.hpp"
#include "core/nn/distributed.hpp"
#include "core/nn/train.hpp"
#include "tests/nn/tiny_bigram.hpp"

using namespace ladder;

namespace {

constexpr std::size_t kVocab = 16, kBatch = 16, kSteps = 20;
constexpr double kLr = 0.5;

TrainConfig sgd_config(const Communicator* comm, std::size_t batch) {
    TrainConfig cfg;
    cfg.steps = kSteps;
    cfg.batch = batch;
    cfg.eval_every = 0;   // once, at the end, on the whole split
    cfg.progress = false;
    cfg.clip = 0;
    cfg.lr.lr = kLr;
    cfg.optimizer.kind = OptimizerKind::sgd;
    cfg.optimizer.sgd.momentum = 0;
    cfg.optimizer.sgd.weight_decay = 0;
    cfg.seed = 7;
    cfg.comm = comm;
    return cfg;
}

TrainConfig adamw_config(const Communicator* comm) {
    TrainConfig cfg = sgd_config(comm, kBatch);
    cfg.optimizer.kind = OptimizerKind::adamw;
    cfg.lr.lr = 0.05;
    cfg.clip = 0.05f;   // below this model's gradient norm: every step clips
    return cfg;
}

double l2(const std::vector<float>& a, const std::vector<float>& b) {
    double s = 0;
    for (std::size_t i = 0; i < a.size(); ++i) s += (double(a[i]) - double(b[i])) * (double(a[i]) - double(b[i]));
    return std::sqrt(s);
}

// True on every rank when every rank's parameters are rank 0's, bit for bit.
bool ranks_agree(const Communicator& comm, const std::vector<float>& mine) {
    std::vector<float> first = mine;
    comm.broadcast(std::span<float>(first));
    double differ = first == mine ? 0 : 1;
    comm.allreduce_sum(std::span<double>(&differ, 1));
    return differ == 0;
}

// The exit status of every rank: 1 on all of them when any rank failed (each prints its own
// failures), else 0, with rank 0 printing `passed`.
int verdict(const Communicator& comm, const std::vector<std::string>& failures, const std::string& passed) {
    double failed_ranks = failures.empty() ? 0 : 1;
    comm.allreduce_sum(std::span<double>(&failed_ranks, 1));
    for (const auto& f : failures) fmt::print(stderr, "FAILED (rank {}): {}\n", comm.rank(), f);
    if (failed_ranks > 0) return 1;
    if (comm.rank() == 0) fmt::print("PASSED: {}\n", passed);
    return 0;
}

// `--fail-alone`: rank 0 cannot write its checkpoint (a folder that does not exist) while the
// other ranks, which write none, go on to the next all-reduce. train() must end every rank
// (printing "rank 0 of N: ...") rather than leave them waiting: ctest gives this a timeout.
int fail_alone(const Communicator& comm) {
    const Backend be(Device::cpu);
    const std::vector<std::int32_t> tokens = testing::markov_tokens(4000, kVocab, 11);
    const TokenSplit split = split_tokens(tokens, 0.2);
    testing::TinyBigram model(kVocab, 5);
    TrainConfig cfg = sgd_config(&comm, kBatch);
    cfg.checkpoint = "/nonexistent/ladder/ckpt.safetensors";
    cfg.checkpoint_every = 1;
    train(model, be, split.train, split.val, cfg);
    fmt::print(stderr, "rank {}: train() returned, but rank 0 should have failed\n", comm.rank());
    return 1;
}

// `--nccl`: the GPU transport's collectives on cuda tensors, run where NCCL and one GPU per rank
// exist (`mpirun -np 1` needs one GPU), reported as skipped elsewhere. Rank r's tensor holds
// (r + 1) k_i with k_i in 1..7, so the mean over N ranks is k_i (N + 1) / 2: its sum is exact in
// float (small integers), and the mean is then within N + 1 roundings of it, |error| <= (N + 1) u
// |mean| (one division, or N scalings and N - 1 additions of exact-sum terms, whichever way NCCL
// computes its average). The broadcast copies bits, so it must be exact.
int nccl_collectives() {
    if (!nccl_built()) {
        fmt::print("SKIPPED: this build has no NCCL (it needs the CUDA build and nccl.h + libnccl)\n");
        return 0;
    }
    if (!cuda_available()) {
        fmt::print("SKIPPED: {}\n", cuda_unavailable_reason());
        return 0;
    }
    const Communicator* gpus = nullptr;
    try {
        gpus = &world(Device::cuda);
    } catch (const Error& e) {
        // Thrown on every rank together (the communicator agrees on it first).
        if (std::string(e.what()).find("one GPU per rank") == std::string::npos) throw;
        fmt::print("SKIPPED: {}\n", e.what());
        return 0;
    }
    const Communicator& comm = *gpus;
    std::vector<std::string> failures;
    if (comm.name() != "nccl") failures.push_back(fmt::format("world(cuda) is '{}', not nccl", comm.name()));
    const std::size_t n = 1001;   // no multiple of anything NCCL might split by
    const double N = comm.size(), u = std::ldexp(1.0, -24);
    std::vector<float> mine(n), expected(n);
    for (std::size_t i = 0; i < n; ++i) {
        const double k = double(i % 7 + 1);
        mine[i] = static_cast<float>((comm.rank() + 1) * k);
        expected[i] = static_cast<float>(k * (N + 1) / 2);
    }
    Tensor t = Tensor::from(mine, Shape{n}, Device::cuda);
    comm.allreduce_mean(t);
    const std::vector<float> mean = t.to_vector();
    double worst = 0;
    for (std::size_t i = 0; i < n; ++i)
        worst = std::max(worst, std::abs(double(mean[i]) - expected[i]) / ((N + 1) * u * expected[i]));
    if (!(worst <= 1)) failures.push_back(fmt::format("allreduce_mean: {:.3g} times its bound off", worst));
    if (!ranks_agree(comm, mean)) failures.push_back("allreduce_mean: the ranks' results differ");

    Tensor b = Tensor::from(mine, Shape{n}, Device::cuda);
    comm.broadcast(b);
    std::vector<float> rank0(n);
    for (std::size_t i = 0; i < n; ++i) rank0[i] = static_cast<float>(i % 7 + 1);
    if (b.to_vector() != rank0) failures.push_back("broadcast: not rank 0's values");

    return verdict(comm, failures,
                   fmt::format("NCCL on {} rank(s): the mean within (N + 1) u (worst {:.2f} of it), the broadcast exact",
                               comm.size(), worst));
}

int run(const std::string& mode) {
    if (mode == "--nccl") return nccl_collectives();
    const Communicator& comm = world();
    if (mode == "--fail-alone") return fail_alone(comm);
    const bool lead = comm.rank() == 0;
    const std::size_t N = static_cast<std::size_t>(comm.size());
    if (N < 2 || kBatch % N != 0) {
        fmt::print(stderr, "nn_distributed_ranks: start it with mpirun -np N, N >= 2 dividing {} (got {} ranks)\n",
                   kBatch, N);
        return 2;
    }
    const Backend be(Device::cpu);
    const std::vector<std::int32_t> tokens = testing::markov_tokens(4000, kVocab, 11);
    const TokenSplit split = split_tokens(tokens, 0.2);
    std::vector<std::string> failures;

    // ---- SGD: N ranks vs one process, within the derived bound ----
    testing::TinyBigram dist(kVocab, 5);
    const std::vector<float> theta0 = dist.params().values().to_vector();
    const TrainResult rd = train(dist, be, split.train, split.val, sgd_config(&comm, kBatch));
    const std::vector<float> theta_d = dist.params().values().to_vector();
    if (!ranks_agree(comm, theta_d)) failures.push_back("SGD: the ranks' parameters differ");

    // ---- AdamW with clipping: every rank ends with the same bits ----
    testing::TinyBigram dist_adam(kVocab, 5);
    train(dist_adam, be, split.train, split.val, adamw_config(&comm));
    const std::vector<float> theta_da = dist_adam.params().values().to_vector();
    const bool adam_agree = ranks_agree(comm, theta_da);
    if (!adam_agree) failures.push_back("AdamW + clipping: the ranks' parameters differ");

    if (lead) {
        const double u = std::ldexp(1.0, -24), M = kBatch, eta = kLr;
        double bound = 0;
        for (std::size_t k = 1; k <= kSteps; ++k)
            bound += 2 * u * (4 * eta * M + 4 * eta + l2(theta0, std::vector<float>(theta0.size(), 0.0f)) + 4 * eta * double(k));
        bound *= 1.01;

        testing::TinyBigram single(kVocab, 5);
        const TrainResult rs = train(single, be, split.train, split.val, sgd_config(nullptr, kBatch));
        const std::vector<float> theta_s = single.params().values().to_vector();
        const double diff = l2(theta_d, theta_s), moved = l2(theta_s, theta0);
        // A run on other rows (a batch of G/N from the same seed): how far off a wrong shard lands.
        testing::TinyBigram other(kVocab, 5);
        train(other, be, split.train, split.val, sgd_config(nullptr, kBatch / N));
        const double off = l2(other.params().values().to_vector(), theta_s);

        fmt::print("SGD, {} ranks x {} rows vs 1 process x {} rows, {} steps: |theta_dist - theta_single| = {:.3g} "
                   "(bound {:.3g}); the parameters moved {:.3g}; a run on other rows lands {:.3g} away\n",
                   N, kBatch / N, kBatch, kSteps, diff, bound, moved, off);
        if (!(diff <= bound)) failures.push_back(fmt::format("SGD: {:.3g} apart, over the bound {:.3g}", diff, bound));
        if (!(off > 100 * bound))
            failures.push_back(fmt::format("the bound {:.3g} cannot tell a run on other rows ({:.3g} away)", bound, off));

        const double loss_bound = 4 * bound;
        const double dval = std::abs(rd.val_loss - rs.val_loss), dtrain = std::abs(rd.train_loss - rs.train_loss);
        fmt::print("val loss {:.6f} vs {:.6f}, train loss {:.6f} vs {:.6f} (bound {:.3g} + a few ulps)\n", rd.val_loss,
                   rs.val_loss, rd.train_loss, rs.train_loss, loss_bound);
        if (!(dval <= loss_bound + 4 * u * rs.val_loss))
            failures.push_back(fmt::format("val loss {} vs {}", rd.val_loss, rs.val_loss));
        if (!(dtrain <= loss_bound + 4 * u * rs.train_loss))
            failures.push_back(fmt::format("train loss {} vs {}", rd.train_loss, rs.train_loss));

        testing::TinyBigram single_adam(kVocab, 5);
        train(single_adam, be, split.train, split.val, adamw_config(nullptr));
        fmt::print("AdamW + clipping: the ranks {}; |theta_dist - theta_single| = {:.3g} (informative, no bound)\n",
                   adam_agree ? "bit-identical" : "DIFFER", l2(theta_da, single_adam.params().values().to_vector()));
        fmt::print("rank 0: {:.0f} tokens/s on this rank ({:.0f} over {} ranks), {:.3f} s of {:.3f} s in all-reduces\n",
                   rd.tokens_per_s, rd.global_tokens_per_s, N, rd.comm_seconds, rd.seconds);
    }
    return verdict(comm, failures, fmt::format("{} ranks train as one process with the whole batch", N));
}

}  // namespace

int main(int argc, char** argv) {
    try {
        return run(argc > 1 ? argv[1] : "");
    } catch (const std::exception& e) {
        fmt::print(stderr, "nn_distributed_ranks: {}\n", e.what());
        world().abort(1);   // the other ranks may be waiting in a collective
        return 1;
    }
}
