// tests/nn/distributed_test.cpp: the data-parallel frame without a second process: the single
// process's collectives, world() outside mpirun, the bad-input errors (a batch the ranks do not
// divide, no mpirun on the PATH), and a communicator of one rank leaving training bit-identical.
// The test with two real ranks is distributed_ranks.cpp, started by mpirun (CMakeLists.txt).
#include <catch2/catch.hpp>

#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "core/backend.hpp"
#include "core/error.hpp"
#include "core/nn/distributed.hpp"
#include "core/nn/train.hpp"
#include "tests/nn/tiny_bigram.hpp"
#include "tests/temp_dir.hpp"

using namespace ladder;
using Catch::Matchers::Contains;

namespace {

// Claims to be rank 0 of `n` without any other process: enough for what train() checks before
// its first collective. A collective reached anyway fails the test (it would hang with MPI).
class PretendRanks final : public Communicator {
public:
    using Communicator::broadcast;   // the float and string overloads, beside the one overridden here
    explicit PretendRanks(int n) : n_(n) {}
    std::string name() const override { return "pretend"; }
    int rank() const override { return 0; }
    int size() const override { return n_; }
    void allreduce_sum(std::span<float>) const override { FAIL("allreduce reached"); }
    void allreduce_sum(std::span<double>) const override { FAIL("allreduce reached"); }
    void broadcast(std::span<std::byte>) const override { FAIL("broadcast reached"); }
    void barrier() const override { FAIL("barrier reached"); }
    void abort(int) const override { FAIL("abort reached: the error should come before any communication"); }

private:
    int n_;
};

TrainConfig small_config(std::size_t batch) {
    TrainConfig cfg;
    cfg.steps = 5;
    cfg.batch = batch;
    cfg.eval_every = 0;
    cfg.progress = false;
    cfg.lr.lr = 0.1;
    return cfg;
}

// Sets an environment variable for one scope and puts the old value back.
class ScopedEnv {
public:
    ScopedEnv(const char* name, const std::string& value) : name_(name) {
        if (const char* old = std::getenv(name)) old_ = old;
        ::setenv(name, value.c_str(), 1);
    }
    ~ScopedEnv() {
        if (old_) ::setenv(name_, old_->c_str(), 1);
        else ::unsetenv(name_);
    }
    ScopedEnv(const ScopedEnv&) = delete;
    ScopedEnv& operator=(const ScopedEnv&) = delete;

private:
    const char* name_;
    std::optional<std::string> old_;
};

}  // namespace

TEST_CASE("distributed: the single process is rank 0 of 1 and its collectives leave the data as it is") {
    const SingleProcess one;
    CHECK(one.name() == "single");
    CHECK(one.rank() == 0);
    CHECK(one.size() == 1);
    std::vector<float> v{1.5f, -2.0f, 3.25f};
    one.allreduce_mean(std::span<float>(v));
    CHECK(v == std::vector<float>{1.5f, -2.0f, 3.25f});
    std::string text = "rank 0's";
    one.broadcast(text);
    CHECK(text == "rank 0's");
    Tensor t = Tensor::from(std::vector<float>{4.0f, 5.0f}, Shape{2});
    one.allreduce_mean(t);
    CHECK(t.to_vector() == std::vector<float>{4.0f, 5.0f});
}

TEST_CASE("distributed: outside mpirun, world() is the single process and never starts MPI") {
    if (std::getenv("OMPI_COMM_WORLD_SIZE") || std::getenv("PMI_SIZE")) {
        WARN("SKIPPED: this test process was itself started by a launcher");
        return;
    }
    CHECK(world().name() == "single");
    CHECK(world().size() == 1);
}

TEST_CASE("distributed: a global batch the ranks do not divide is a clear error naming both numbers") {
    const Backend be(Device::cpu);
    const std::vector<std::int32_t> tokens = testing::markov_tokens(400, 8, 1);
    const TokenSplit split = split_tokens(tokens, 0.25);
    testing::TinyBigram model(8, 2);
    const PretendRanks three(3);
    TrainConfig cfg = small_config(16);
    cfg.comm = &three;
    REQUIRE_THROWS_WITH(train(model, be, split.train, split.val, cfg),
                        Contains("global batch of 16 rows does not split evenly over 3 ranks") &&
                            Contains("multiple of 3"));
}

TEST_CASE("distributed: a stateful model with checkpoints on several ranks is refused before any communication") {
    const Backend be(Device::cpu);
    const std::vector<std::int32_t> tokens = testing::markov_tokens(400, 8, 1);
    const TokenSplit split = split_tokens(tokens, 0.25);
    testing::TinyBigram model(8, 2);
    model.set_stateful(true);
    const PretendRanks two(2);
    TrainConfig cfg = small_config(16);
    cfg.comm = &two;
    const testing::TempDir dir("distributed");
    cfg.checkpoint = dir / "ckpt.safetensors";
    REQUIRE_THROWS_WITH(train(model, be, split.train, split.val, cfg),
                        Contains("each of the 2 ranks holds its own streams'") && Contains("without checkpoint/resume"));
}

TEST_CASE("distributed: a one-rank communicator trains to the same bits as none") {
    const Backend be(Device::cpu);
    const std::vector<std::int32_t> tokens = testing::markov_tokens(600, 8, 3);
    const TokenSplit split = split_tokens(tokens, 0.25);
    testing::TinyBigram a(8, 4), b(8, 4);
    TrainConfig cfg = small_config(12);
    const TrainResult ra = train(a, be, split.train, split.val, cfg);
    const SingleProcess one;
    cfg.comm = &one;
    const TrainResult rb = train(b, be, split.train, split.val, cfg);
    CHECK(a.params().values().to_vector() == b.params().values().to_vector());
    CHECK(ra.val_loss == rb.val_loss);
    CHECK(ra.train_loss == rb.train_loss);
    CHECK(rb.ranks == 1);
    CHECK(rb.comm_seconds == 0);
    CHECK(rb.global_tokens_per_s == rb.tokens_per_s);
}

TEST_CASE("distributed: find_mpirun on a PATH without it names the package to install") {
    const testing::TempDir empty("no_mpirun");
    const ScopedEnv path("PATH", empty.path().string());
    REQUIRE_THROWS_WITH(find_mpirun(), Contains("mpirun (or mpiexec) is not on the PATH") &&
                                           Contains("apt-get install openmpi-bin") &&
                                           Contains(empty.path().string()));
    REQUIRE_THROWS_WITH(mpirun_command(2, "prog", {}), Contains("openmpi-bin"));
}

TEST_CASE("distributed: find_mpirun finds an executable mpirun on the PATH and builds the command") {
    const testing::TempDir dir("fake_mpirun");
    const auto exe = dir.write("mpirun", "#!/bin/sh\n");
    std::filesystem::permissions(exe, std::filesystem::perms::owner_all);
    const ScopedEnv path("PATH", "/nonexistent:" + dir.path().string());
    CHECK(find_mpirun() == exe.string());
    const std::vector<std::string> cmd = mpirun_command(2, "prog", {"--x"});
    REQUIRE(cmd.size() >= 6);
    CHECK(cmd[0] == exe.string());
    CHECK(cmd[1] == "-np");
    CHECK(cmd[2] == "2");
    CHECK(cmd[cmd.size() - 2] == "prog");
    CHECK(cmd.back() == "--x");
}
