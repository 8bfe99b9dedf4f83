// core/nn/distributed.hpp: the processes that train one model together (data parallelism): who
// this process is among them, and the collectives the train loop needs (an all-reduce of the
// gradients, a broadcast of rank 0's parameters). One interface, three transports: a single
// process (no communication at all), MPI between CPU processes on one machine or several, and,
// where it is installed, NCCL between GPUs. Introduced in ch08.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "core/device.hpp"
#include "core/tensor.hpp"

namespace ladder {

// [book:communicator]
// N processes ("ranks" 0..N-1) that run the same program. Every call is collective: every rank
// makes the same calls in the same order, with buffers of the same size, or the job hangs.
// const: a communicator is shared by the code that uses it and its calls change no state that
// the caller sees, only the buffers passed in.
class Communicator {
public:
    virtual ~Communicator() = default;
    virtual std::string name() const = 0;   // "single", "mpi", "nccl"
    virtual int rank() const = 0;           // this process, in [0, size())
    virtual int size() const = 0;           // N

    // Every rank's `data` becomes the elementwise sum over the ranks, the same bits on every rank.
    virtual void allreduce_sum(std::span<float> data) const = 0;
    virtual void allreduce_sum(std::span<double> data) const = 0;
    // The sum, then times 1/N: the mean of the ranks' values.
    void allreduce_mean(std::span<float> data) const;
    void allreduce_mean(std::span<double> data) const;

    // Every rank's `data` becomes rank 0's.
    virtual void broadcast(std::span<std::byte> data) const = 0;
    void broadcast(std::span<float> data) const { broadcast(std::as_writable_bytes(data)); }
    // A string of any length: rank 0's (the others' are replaced; their lengths need not match).
    void broadcast(std::string& text) const;

    // The two collectives on a tensor wherever it lives: a host tensor directly, one on simt or
    // cuda through a host copy. NCCL overrides both, to reduce a cuda tensor where it is.
    virtual void allreduce_mean(Tensor& t) const;
    virtual void broadcast(Tensor& t) const;

    virtual void barrier() const = 0;

    // Ends every rank at once (MPI_Abort): what a rank that failed alone must do, since the others
    // would otherwise wait in their next collective forever. The single process does nothing here
    // (it simply throws on, as it always has).
    virtual void abort(int code) const = 0;
};
// [/book]

// The one process of a run without mpirun: rank 0 of 1; every collective leaves the data as it
// is (the sum and the mean over one rank are the value itself).
class SingleProcess final : public Communicator {
public:
    using Communicator::broadcast;   // the float and string overloads, beside the one overridden here
    std::string name() const override { return "single"; }
    int rank() const override { return 0; }
    int size() const override { return 1; }
    void allreduce_sum(std::span<float>) const override {}
    void allreduce_sum(std::span<double>) const override {}
    void broadcast(std::span<std::byte>) const override {}
    void barrier() const override {}
    void abort(int) const override {}
};

// This process's communicator for a model on `device`. Started by mpirun (Open MPI sets
// OMPI_COMM_WORLD_SIZE; MPICH's and Slurm's launchers PMI_SIZE): MPI, initialised on the first
// call and finalised at exit; for a model on cuda, NCCL over the same ranks when the build has it
// (MPI still carries the host-side collectives: scalars, text, the launch of NCCL itself).
// Otherwise the single process, and MPI is never touched (a program run on its own stays free of
// MPI's start-up time and of its need for a launcher). Throws when started by mpirun but built
// without MPI (naming the package to install), since each rank would then train alone; NCCL
// throws on every rank at once when a machine has fewer GPUs than the ranks it runs.
Communicator& world(Device device = Device::cpu);

// True when this build has the MPI transport (CMake found MPI at configure time).
bool mpi_built();
// True when it also has NCCL (a CUDA build that found nccl.h and libnccl: the CUDA Toolkit's).
bool nccl_built();

// The full path of mpirun (or mpiexec) on the PATH, to start N ranks of a program. Throws a
// ladder::Error naming the package (openmpi-bin) when there is none.
std::string find_mpirun();

// The command line that starts `ranks` copies of `program` on this machine:
// {mpirun, "-np", "2", "--oversubscribe", program, args...}, with --allow-run-as-root when this
// process is root (Open MPI refuses root otherwise; containers and CI run as root).
// --oversubscribe lets the ranks outnumber the cores (a test of 2 ranks on a 1-core runner).
std::vector<std::string> mpirun_command(int ranks, const std::string& program, const std::vector<std::string>& args);

}  // namespace ladder
