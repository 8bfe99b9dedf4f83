// simt_test_kernels.hpp: host entry points of the emulator's test kernels (simt_test_kernels.cu)
// and a small device buffer for the tests. Every function launches one kernel on the emulator.
// Introduced in ch01 (the SIMT emulator's tests).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "core/simt/simt.hpp"   // dim3; the tests run on the emulator only
#include "core/simt/simt_runtime.hpp"

namespace ladder::simt_test {

// Device memory for a test: filled from / read back into a std::vector.
template <class T>
class DeviceBuffer {
public:
    explicit DeviceBuffer(std::size_t n) : n_(n), p_(static_cast<T*>(simt::device_malloc(n * sizeof(T)))) {}
    explicit DeviceBuffer(const std::vector<T>& v) : DeviceBuffer(v.size()) { upload(v); }
    ~DeviceBuffer() { simt::device_free(p_); }
    DeviceBuffer(const DeviceBuffer&) = delete;
    DeviceBuffer& operator=(const DeviceBuffer&) = delete;
    void upload(const std::vector<T>& v) { std::memcpy(p_, v.data(), v.size() * sizeof(T)); }
    std::vector<T> download() const { return std::vector<T>(p_, p_ + n_); }
    T* get() const { return p_; }
    std::size_t size() const { return n_; }

private:
    std::size_t n_;
    T* p_;
};

// Sets the emulator's options for one scope and restores them.
class OptionsScope {
public:
    explicit OptionsScope(const simt::Options& o) : saved_(simt::options()) { simt::set_options(o); }
    explicit OptionsScope(simt::Schedule s, std::uint64_t seed = 0) : saved_(simt::options()) {
        simt::Options o = saved_;
        o.schedule = s;
        o.seed = seed;
        simt::set_options(o);
    }
    ~OptionsScope() { simt::set_options(saved_); }

private:
    simt::Options saved_;
};

// ---- barriers ----
// out[b] = sum of in[b*256 .. b*256+255] by a shared-memory tree; blocks of 256 threads.
void block_sum(int* out, const int* in, unsigned blocks);
// The same tree without the __syncthreads inside the loop (a planted bug).
void block_sum_no_inner_barrier(int* out, const int* in, unsigned blocks);
// out[i] = in[i] - in[i-1] within each block of `threads` (0 for the first of a block), read
// from shared memory WITHOUT a barrier between the store and the load (a planted bug).
void neighbour_diff_missing_barrier(int* out, const int* in, std::size_t n, unsigned threads);
// Threads with i >= n return at once; the rest pass three barriers, rotating values through
// shared memory: out[i] = 2 * (in[j] + in[k]) for neighbours j, k within the live part of the block.
void early_return_rotate(int* out, const int* in, std::size_t n, unsigned threads);
// __syncthreads_count / _and / _or of (in[i] > 0): out[3*b + {0,1,2}].
void barrier_reductions(int* out, const int* in, unsigned threads, unsigned blocks);
// Threads 0..15 and 16..31 call __syncthreads at different lines.
void divergent_barrier(int* out);
// Threads 0..15 wait at __syncthreads, threads 16..31 at a full-warp __syncwarp: a deadlock.
void barrier_vs_syncwarp(int* out);

// ---- warps ----
enum class ShuffleKind { idx, up, down, xor_ };
// out[i] = the shuffle of in[] across each warp; `arg` is the source lane, delta or lane mask.
template <class T>
void shuffle(ShuffleKind kind, T* out, const T* in, int arg, int width, unsigned threads, unsigned blocks);
// out[i] = the sum of in[] over i's warp, by a __shfl_xor_sync butterfly.
void warp_sum_xor(int* out, const int* in, unsigned threads, unsigned blocks);
// For each thread: ballot[i] = __ballot_sync(full, in[i] > 0), any[i], all[i].
void vote(unsigned* ballot, int* any, int* all, const int* in, unsigned threads, unsigned blocks);
// Lanes 0..15 and 16..31 of each warp shuffle separately (masks 0x0000ffff and 0xffff0000):
// low half out[i] = in[i] + in[i+1] (width 16, lane 15 keeps its own), high half
// out[i] = in[i] - in[i^1].
void half_warp_shuffles(int* out, const int* in, unsigned threads);
// Threads with lane >= live return; the others pass a __syncthreads (so the returned ones
// have exited) and write __activemask().
void active_mask_after_exit(unsigned* out, unsigned live);
// A shuffle that reads from a lane that returned early.
void shuffle_from_exited_lane(int* out, const int* in, std::size_t n);

// ---- atomics ----
// counts[in[i] % bins] += 1 for every i, by atomicAdd from many blocks.
void histogram(unsigned* counts, const int* in, std::size_t n, unsigned bins);
// *sum += in[i] (float atomicAdd), *dsum (double), *max/*min (int), *ull (unsigned long long).
void atomic_mix(float* sum, double* dsum, int* max, int* min, unsigned long long* ull, int* sub, const int* in,
                std::size_t n);
// A spin lock (atomicCAS / atomicExch) guarding a non-atomic increment of *counter.
void cas_lock_counter(int* counter, int* lock, unsigned blocks);

// ---- memory ----
// Each block fills `words_per_block` ints of dynamic shared memory (shmem = that * 4 bytes)
// with values from its blockIdx, then reads them back reversed after a barrier.
// poisoned[b] = 1 if every word read 0xFFFFFFFF before the block wrote it.
void dynamic_shared(int* out, int* poisoned, unsigned words_per_block, unsigned blocks, unsigned threads);
// The same, after opting the kernel in to more than 48 KiB with cudaFuncSetAttribute.
void dynamic_shared_opt_in(int* out, int* poisoned, unsigned words_per_block, unsigned blocks, unsigned threads);
// Static __shared__ 2-D tile: out = transpose of in (rows x cols), 16x16 tiles.
void transpose_tiled(float* out, const float* in, unsigned rows, unsigned cols);
// out[i] = 3 * in[i] + 1 for i < n by a grid-stride loop over a fixed small grid.
void grid_stride(int* out, const int* in, std::size_t n, unsigned blocks, unsigned threads);
// For each thread of the grid, writes its (threadIdx, blockIdx, blockDim, gridDim) as 12 uints.
void report_indices(unsigned* out, dim3 grid, dim3 block);
// out[i] = 1 for i <= n: writes one element past the end.
void write_past_end(float* out, std::size_t n);
// Writes at index `index` from one thread (dynamic shared of `shmem` bytes is also declared).
void write_shared_at(std::size_t shmem, std::size_t index);
// Recurses `depth` levels deep in device code (a stack overflow for a large depth).
void deep_recursion(int* out, int depth);

// ---- launches ----
// Launches an empty kernel with the given configuration.
void empty_launch(dim3 grid, dim3 block, std::size_t shmem);
// Thread `thrower` of block `block` throws std::runtime_error("boom at <block>/<thread>"); the
// others wait at a barrier (so unwinding parked threads is exercised).
void throw_in_kernel(unsigned block, unsigned thrower, unsigned blocks);
// C = A (M x K) times B (K x N), 16x16 shared-memory tiles.
void matmul_tiled(float* c, const float* a, const float* b, unsigned m, unsigned n, unsigned k);
// out[i] = a[i] + b[i], one thread per element.
void vector_add(float* out, const float* a, const float* b, std::size_t n);
// Every thread of a 256-thread block passes `rounds` barriers.
void barrier_rounds(int* out, unsigned rounds, unsigned blocks);

}  // namespace ladder::simt_test
