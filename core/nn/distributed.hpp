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
    virtual std::string name() const = 0;   // "single", "mpi"
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

    virtual void barrier() const = 0;

    // Ends every rank at once (MPI_Abort): what a rank that failed alone must do, since the others
    // would otherwise wait in their next collective forever. The single process does nothing here
    // (it simply throws on, as it always has).
    virtual void abort(int code) const = 0;

    // The device whose buffers the transport takes directly: cpu for MPI (host memory), cuda for
    // NCCL. A tensor anywhere else goes through a host copy (allreduce_mean(comm, tensor)).
    virtual Device buffer_device() const { return Device::cpu; }
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

// This process's communicator. Started by mpirun (Open MPI sets OMPI_COMM_WORLD_SIZE; MPICH's
// and Slurm's launchers PMI_SIZE): MPI, initialised on the first call and finalised at exit.
// Otherwise the single process, and MPI is never touched (a program run on its own stays free of
// MPI's start-up time and of its need for a launcher). Throws when started by mpirun but built
// without MPI (naming the package to install), since each rank would then train alone.
Communicator& world();

// The tensor all-reduced to its mean over the ranks, in place: directly when it lives on the
// communicator's buffer_device(), else through a host copy (simt, or cuda under MPI).
void allreduce_mean(const Communicator& comm, Tensor& t);
// The tensor overwritten with rank 0's (same rule for the device).
void broadcast(const Communicator& comm, Tensor& t);

// True when this build has the MPI transport (CMake found MPI at configure time).
bool mpi_built();

// The full path of mpirun (or mpiexec) on the PATH, to start N ranks of a program. Throws a
// ladder::Error naming the package (openmpi-bin) when there is none.
std::string find_mpirun();

// The command line that starts `ranks` copies of `program` on this machine:
// {mpirun, "-np", "2", "--oversubscribe", program, args...}, with --allow-run-as-root when this
// process is root (Open MPI refuses root otherwise; containers and CI run as root).
// --oversubscribe lets the ranks outnumber the cores (a test of 2 ranks on a 1-core runner).
std::vector<std::string> mpirun_command(int ranks, const std::string& program, const std::vector<std::string>& args);

// ---- NCCL: where the GPU all-reduce plugs in ----
// Not built yet: NCCL ships with the CUDA Toolkit (/usr/local/cuda on these machines, not a Debian
// package), but no GPU was at hand to run it on, so it waits for one. A NcclCommunicator would be one
// more subclass: rank() and size() from MPI (mpirun still starts the processes, one per GPU; rank
// 0 makes an ncclUniqueId and broadcasts it over MPI, then every rank calls ncclCommInitRank),
// allreduce_sum as ncclAllReduce(ncclFloat, ncclSum) on the parameters' CUDA stream, broadcast as
// ncclBroadcast, and buffer_device() = cuda, so allreduce_mean(comm, params.grads()) reduces the
// gradient buffer where it is, without the host copy MPI needs. world() would choose it when the
// build has NCCL and the model's device is cuda. Nothing in train() changes.

}  // namespace ladder
