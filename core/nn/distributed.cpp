// core/nn/distributed.cpp: the single process, the MPI transport (compiled when CMake found MPI:
// LADDER_HAVE_MPI), NCCL on top of it (a CUDA build that found NCCL: LADDER_HAVE_NCCL), world(),
// and finding mpirun. Contracts in distributed.hpp. Introduced in ch08.
#include "core/nn/distributed.hpp"

#include <algorithm>
#include <climits>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string_view>
#include <system_error>

#include <unistd.h>

#include "core/error.hpp"

#ifdef LADDER_HAVE_MPI
#define OMPI_SKIP_MPICXX 1   // the C API only: the C++ bindings need libmpi_cxx, which we do not link
#include <mpi.h>
#endif
#ifdef LADDER_HAVE_NCCL
#include <cuda_runtime.h>
#include <nccl.h>
#endif

namespace ladder {

void Communicator::allreduce_mean(std::span<float> data) const {
    allreduce_sum(data);
    // Dividing (rather than multiplying by a rounded 1/N) keeps N = 2, 4, 8 exact and every other
    // N correctly rounded.
    const float n = static_cast<float>(size());
    if (size() > 1)
        for (float& x : data) x /= n;
}

void Communicator::allreduce_mean(std::span<double> data) const {
    allreduce_sum(data);
    const double n = static_cast<double>(size());
    if (size() > 1)
        for (double& x : data) x /= n;
}

void Communicator::broadcast(std::string& text) const {
    // The length first, so the other ranks can make room for rank 0's bytes.
    std::uint64_t n = text.size();
    broadcast(std::as_writable_bytes(std::span(&n, 1)));
    text.resize(n);
    broadcast(std::as_writable_bytes(std::span(text.data(), text.size())));
}

void Communicator::allreduce_mean(Tensor& t) const {
    if (size() == 1) return;
    if (t.device() == Device::cpu) {
        allreduce_mean(std::span<float>(t.data(), t.numel()));
        return;
    }
    std::vector<float> host = t.to_vector();
    allreduce_mean(std::span<float>(host));
    t.copy_from(host);
}

void Communicator::broadcast(Tensor& t) const {
    if (size() == 1) return;
    if (t.device() == Device::cpu) {
        broadcast(std::span<float>(t.data(), t.numel()));
        return;
    }
    std::vector<float> host = t.to_vector();
    broadcast(std::span<float>(host));
    t.copy_from(host);
}

namespace {

// Launched as one rank of several: Open MPI's mpirun sets OMPI_COMM_WORLD_SIZE in every rank's
// environment, MPICH's (Hydra) and Slurm's srun set PMI_SIZE.
bool started_by_launcher() {
    for (const char* var : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"})
        if (const char* v = std::getenv(var); v && *v) return true;
    return false;
}

#ifdef LADDER_HAVE_MPI

void mpi_check(int code, const char* what) {
    if (code == MPI_SUCCESS) return;
    char text[MPI_MAX_ERROR_STRING];
    int len = 0;
    MPI_Error_string(code, text, &len);
    LADDER_THROW("{} failed: {}", what, std::string_view(text, static_cast<std::size_t>(len)));
}

// MPI counts are ints: a buffer of more than INT_MAX elements goes in pieces.
template <typename T, typename F>
void in_chunks(std::span<T> data, F&& f) {
    constexpr std::size_t kMax = std::size_t{1} << 30;
    for (std::size_t at = 0; at < data.size(); at += kMax) {
        const std::size_t n = std::min(kMax, data.size() - at);
        f(data.data() + at, static_cast<int>(n));
    }
}

// MPI_COMM_WORLD: every process mpirun started. MPI_Allreduce gives every rank the same result
// (Open MPI's algorithms either reduce each piece on one rank and pass it on, or combine the same
// two partial sums on both sides of a pair, and float addition is commutative), so the replicas
// of the model stay bit-identical from step to step.
class MpiCommunicator final : public Communicator {
public:
    using Communicator::broadcast;   // the float and string overloads, beside the one overridden here
    MpiCommunicator() {
        int initialised = 0;
        MPI_Initialized(&initialised);
        if (!initialised) {
            mpi_check(MPI_Init(nullptr, nullptr), "MPI_Init");
            // MPI_Finalize at exit, after every static destructor that might still communicate
            // has run (atexit handlers registered later run earlier).
            std::atexit([] {
                int finalised = 0;
                MPI_Finalized(&finalised);
                if (!finalised) MPI_Finalize();
            });
        }
        MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
        MPI_Comm_size(MPI_COMM_WORLD, &size_);
    }
    std::string name() const override { return "mpi"; }
    int rank() const override { return rank_; }
    int size() const override { return size_; }
    void allreduce_sum(std::span<float> data) const override {
        in_chunks(data, [](float* p, int n) {
            mpi_check(MPI_Allreduce(MPI_IN_PLACE, p, n, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD), "MPI_Allreduce");
        });
    }
    void allreduce_sum(std::span<double> data) const override {
        in_chunks(data, [](double* p, int n) {
            mpi_check(MPI_Allreduce(MPI_IN_PLACE, p, n, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD), "MPI_Allreduce");
        });
    }
    void broadcast(std::span<std::byte> data) const override {
        in_chunks(data, [](std::byte* p, int n) {
            mpi_check(MPI_Bcast(p, n, MPI_BYTE, 0, MPI_COMM_WORLD), "MPI_Bcast");
        });
    }
    void barrier() const override { mpi_check(MPI_Barrier(MPI_COMM_WORLD), "MPI_Barrier"); }
    void abort(int code) const override { MPI_Abort(MPI_COMM_WORLD, code); }

private:
    int rank_ = 0, size_ = 1;
};

#endif

#ifdef LADDER_HAVE_NCCL

void nccl_check(ncclResult_t code, const char* what) {
    if (code != ncclSuccess) LADDER_THROW("{} failed: {}", what, ncclGetErrorString(code));
}

// NCCL between the ranks' GPUs, one GPU per rank, for a model on cuda. The gradient all-reduce
// and the parameter broadcast run on the GPU buffers where they are (no host copy, over NVLink or
// PCIe between the GPUs of one machine, the network between machines); everything else (scalars,
// text, the checkpoint's bytes, barriers) goes over MPI, which also starts the ranks and carries
// NCCL's own start: rank 0 makes an ncclUniqueId and broadcasts it, then each rank joins.
// The collectives run on the legacy default stream, which every kernel here launches on, so they
// follow the backward pass that wrote the gradients and precede the optimizer's step; each call
// waits for its result, like MPI's, so the times the train loop records are the all-reduce's.
// NCCL's ring and tree all-reduces finish each element on one rank and copy it to the others, so
// every rank gets the same bits and the replicas stay identical, as under MPI.
class NcclCommunicator final : public Communicator {
public:
    using Communicator::allreduce_mean;   // the span overloads, beside the tensor one overridden here
    using Communicator::broadcast;

    explicit NcclCommunicator(const Communicator& host) : host_(host) {
        // The ranks on one machine take its GPUs in the order of their rank there.
        MPI_Comm local;
        mpi_check(MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, host.rank(), MPI_INFO_NULL, &local),
                  "MPI_Comm_split_type");
        int local_rank = 0, local_size = 1;
        MPI_Comm_rank(local, &local_rank);
        MPI_Comm_size(local, &local_size);
        MPI_Comm_free(&local);
        const int gpus = cuda_device_count();
        // Every rank learns whether any rank lacks its GPU, so all of them throw together instead
        // of leaving the others waiting for an ncclUniqueId that never comes.
        double short_ranks = gpus >= local_size ? 0 : 1;
        host.allreduce_sum(std::span<double>(&short_ranks, 1));
        LADDER_CHECK(short_ranks == 0,
                     "NCCL needs one GPU per rank: rank {} shares its machine with {} rank(s) and sees {} GPU(s){}; start "
                     "at most one rank per GPU (mpirun -np), or train on cpu, where the ranks all-reduce over MPI",
                     host.rank(), local_size, gpus, gpus ? "" : fmt::format(" ({})", cuda_unavailable_reason()));
        if (const cudaError_t e = cudaSetDevice(local_rank); e != cudaSuccess)
            LADDER_THROW("cudaSetDevice({}) failed: {}", local_rank, cudaGetErrorString(e));
        ncclUniqueId id{};
        if (host.rank() == 0) nccl_check(ncclGetUniqueId(&id), "ncclGetUniqueId");
        host.broadcast(std::as_writable_bytes(std::span(&id, 1)));
        nccl_check(ncclCommInitRank(&comm_, host.size(), id, host.rank()), "ncclCommInitRank");
    }
    ~NcclCommunicator() override { ncclCommDestroy(comm_); }
    NcclCommunicator(const NcclCommunicator&) = delete;
    NcclCommunicator& operator=(const NcclCommunicator&) = delete;

    std::string name() const override { return "nccl"; }
    int rank() const override { return host_.rank(); }
    int size() const override { return host_.size(); }
    void allreduce_sum(std::span<float> data) const override { host_.allreduce_sum(data); }
    void allreduce_sum(std::span<double> data) const override { host_.allreduce_sum(data); }
    void broadcast(std::span<std::byte> data) const override { host_.broadcast(data); }
    void barrier() const override { host_.barrier(); }
    void abort(int code) const override {
        ncclCommAbort(comm_);
        host_.abort(code);
    }

    // ncclAvg: the mean in the same pass as the sum. Whether NCCL scales by 1/N before or after
    // adding, for N = 2, 4, 8 the bits are those of the host path's sum divided by N (scaling by a
    // power of two is exact, barring underflow); for other N they may differ in the last place,
    // the same on every rank.
    void allreduce_mean(Tensor& t) const override {
        if (t.device() != Device::cuda) return Communicator::allreduce_mean(t);
        nccl_check(ncclAllReduce(t.data(), t.data(), t.numel(), ncclFloat, ncclAvg, comm_, nullptr), "ncclAllReduce");
        device_synchronize(Device::cuda);
    }
    void broadcast(Tensor& t) const override {
        if (t.device() != Device::cuda) return Communicator::broadcast(t);
        nccl_check(ncclBroadcast(t.data(), t.data(), t.numel(), ncclFloat, 0, comm_, nullptr), "ncclBroadcast");
        device_synchronize(Device::cuda);
    }

private:
    const Communicator& host_;
    ncclComm_t comm_ = nullptr;
};

#endif

}  // namespace

bool mpi_built() {
#ifdef LADDER_HAVE_MPI
    return true;
#else
    return false;
#endif
}

bool nccl_built() {
#ifdef LADDER_HAVE_NCCL
    return true;
#else
    return false;
#endif
}

Communicator& world(Device device) {
    static std::unique_ptr<Communicator> host = []() -> std::unique_ptr<Communicator> {
        if (!started_by_launcher()) return std::make_unique<SingleProcess>();
#ifdef LADDER_HAVE_MPI
        return std::make_unique<MpiCommunicator>();
#else
        LADDER_THROW("this process was started by mpirun, but the build has no MPI: every rank would train "
                     "alone. Install libopenmpi-dev (apt-get install libopenmpi-dev openmpi-bin) and "
                     "configure again");
#endif
    }();
    if (device != Device::cuda || !started_by_launcher()) return *host;
#ifdef LADDER_HAVE_NCCL
    // Made on the first call for cuda, after `host` (so destroyed before MPI is finalised). Under
    // mpirun even for one rank: NCCL runs on a single GPU too, so one rank tests the whole path.
    static NcclCommunicator gpus(*host);
    return gpus;
#else
    return *host;   // a model on cuda under MPI: its tensors go through host copies
#endif
}

std::string find_mpirun() {
    const char* path = std::getenv("PATH");
    const std::string dirs = path ? path : "";
    for (const char* exe : {"mpirun", "mpiexec"}) {
        std::size_t at = 0;
        while (!dirs.empty() && at <= dirs.size()) {
            const std::size_t end = std::min(dirs.find(':', at), dirs.size());
            // An empty entry in PATH means the current folder, as the shell reads it.
            const std::filesystem::path dir = end == at ? "." : dirs.substr(at, end - at);
            const std::filesystem::path candidate = dir / exe;
            std::error_code ec;
            if (std::filesystem::is_regular_file(candidate, ec) && ::access(candidate.c_str(), X_OK) == 0)
                return candidate.string();
            at = end + 1;
        }
    }
    LADDER_THROW("mpirun (or mpiexec) is not on the PATH ({}), so no ranks can be started: install Open "
                 "MPI's launcher with `apt-get install openmpi-bin` (libopenmpi-dev too, to build with MPI)",
                 dirs.empty() ? "empty" : dirs);
}

std::vector<std::string> mpirun_command(int ranks, const std::string& program, const std::vector<std::string>& args) {
    LADDER_CHECK(ranks > 0, "mpirun_command: {} ranks (need at least 1)", ranks);
    std::vector<std::string> cmd{find_mpirun(), "-np", std::to_string(ranks), "--oversubscribe"};
    if (::geteuid() == 0) cmd.emplace_back("--allow-run-as-root");
    cmd.push_back(program);
    cmd.insert(cmd.end(), args.begin(), args.end());
    return cmd;
}

}  // namespace ladder
