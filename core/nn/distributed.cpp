// core/nn/distributed.cpp: the single process, the MPI transport (compiled when CMake found MPI:
// LADDER_HAVE_MPI), world(), and finding mpirun. Contracts in distributed.hpp. Introduced in ch08.
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

void allreduce_mean(const Communicator& comm, Tensor& t) {
    if (comm.size() == 1) return;
    if (t.device() == comm.buffer_device()) {
        comm.allreduce_mean(std::span<float>(t.data(), t.numel()));
        return;
    }
    std::vector<float> host = t.to_vector();
    comm.allreduce_mean(std::span<float>(host));
    t.copy_from(host);
}

void broadcast(const Communicator& comm, Tensor& t) {
    if (comm.size() == 1) return;
    if (t.device() == comm.buffer_device()) {
        comm.broadcast(std::span<float>(t.data(), t.numel()));
        return;
    }
    std::vector<float> host = t.to_vector();
    comm.broadcast(std::span<float>(host));
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

}  // namespace

bool mpi_built() {
#ifdef LADDER_HAVE_MPI
    return true;
#else
    return false;
#endif
}

Communicator& world() {
    static std::unique_ptr<Communicator> comm = []() -> std::unique_ptr<Communicator> {
        if (!started_by_launcher()) return std::make_unique<SingleProcess>();
#ifdef LADDER_HAVE_MPI
        return std::make_unique<MpiCommunicator>();
#else
        LADDER_THROW("this process was started by mpirun, but the build has no MPI: every rank would train "
                     "alone. Install libopenmpi-dev (apt-get install libopenmpi-dev openmpi-bin) and "
                     "configure again");
#endif
    }();
    return *comm;
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
