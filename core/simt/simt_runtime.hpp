// simt_runtime.hpp: the host-side control of the SIMT emulator (no CUDA shim here):
// guarded device memory, the schedule option, and a description for reports.
// Introduced in ch01 (issue: run every CUDA kernel without a GPU).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace ladder::simt {

// Device memory of the emulator: host memory with guard zones around every block
// (and the end of the block against an inaccessible page), so a kernel that reads or
// writes past either end is reported, naming the allocation and the offset.
void* device_malloc(std::size_t bytes);
void device_free(void* ptr) noexcept;
// Throws ladder::Error if any live allocation's guard zone was overwritten.
void check_guards();

// The order in which the threads of a block run between two barriers. A kernel that
// is missing a __syncthreads usually gives a different answer under another order.
enum class Schedule { forward, reverse, random };

struct Options {
    Schedule schedule = Schedule::forward;
    std::uint64_t seed = 0;      // for Schedule::random
    unsigned workers = 0;        // OS threads running blocks; 0 = one per core
    bool race_check = false;     // report shared-memory races between barriers
};

// The options in force. Initial values come from the environment:
// LADDER_SIMT_SCHEDULE=forward|reverse|random, LADDER_SIMT_SEED, LADDER_SIMT_WORKERS,
// LADDER_SIMT_RACE_CHECK=1.
Options options();
void set_options(const Options& o);
Schedule parse_schedule(const std::string& name);   // throws ladder::Error naming the choices
const char* schedule_name(Schedule s);

// "SIMT emulator (2 workers, forward schedule)".
std::string description();

}  // namespace ladder::simt
