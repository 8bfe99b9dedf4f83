// registry.hpp: every op and its versions, in one list that the tests, `ladder compare`
// and `ladder bench` iterate. An op gives: cases (sizes), an input maker, the CPU
// reference, GPU versions v1..vN, a tolerance derived in a comment, and its work (flops,
// bytes). Introduced in ch01; each chapter registers its ops (kernels/<op>/<op>_op.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/device.hpp"
#include "core/rng.hpp"
#include "core/tensor.hpp"

namespace ladder {

// The sizes of one problem, by name: {{"M", 33}, {"N", 7}, {"K", 65}, {"tb", 1}}.
struct Case {
    std::vector<std::pair<std::string, std::size_t>> dims;
    std::size_t operator[](std::string_view name) const;   // throws if the case lacks it
    std::size_t get(std::string_view name, std::size_t fallback) const;
    std::string str() const;                               // "M=33 N=7 K=65 tb=1"
};

// The one case builder: rows of sizes over named dimensions. A dimension whose name ends
// in '?' is a flag: it is left out of the case where its value is 0, so that
// cases({"M", "N", "K", "tb?"}, {{7, 5, 3, 0}, {65, 129, 31, 1}}) gives "M=7 N=5 K=3" and
// "M=65 N=129 K=31 tb=1" (and case.get("tb", 0) reads it).
std::vector<Case> cases(std::initializer_list<std::string_view> names,
                        std::initializer_list<std::initializer_list<std::size_t>> rows);

// in: read by the op. out: written by the op (poisoned with NaN before each run, so an
// element the op forgets shows up). inout: read and written (e.g. C with beta = 1).
enum class Role { in, out, inout };

// One named array of a problem. `data` points at `shape.numel()` elements on `device`.
struct Buffer {
    std::string name;
    DType dtype = DType::f32;
    Role role = Role::in;
    Shape shape;
    Tensor storage;   // owns the memory (host or device)
};

// The arrays of one problem on one device, looked up by name.
class Problem {
public:
    Problem(Case c, Device device = Device::cpu) : case_(std::move(c)), device_(device) {}

    // Adds an array on this problem's device (uninitialised); returns its host span
    // when the device is cpu, so makers can fill it.
    std::span<float> add_f32(std::string name, Role role, Shape shape);
    std::span<std::int32_t> add_i32(std::string name, Role role, Shape shape);

    float* f32(std::string_view name);
    const float* f32(std::string_view name) const;
    std::int32_t* i32(std::string_view name);
    const std::int32_t* i32(std::string_view name) const;

    // The buffer as a Tensor of its logical shape (sharing the memory).
    Tensor tensor(std::string_view name) const;
    const Buffer& buffer(std::string_view name) const;
    Buffer& buffer(std::string_view name);
    const std::vector<Buffer>& buffers() const { return buffers_; }
    std::vector<Buffer>& buffers() { return buffers_; }
    const Case& sizes() const { return case_; }
    std::size_t operator[](std::string_view dim) const { return case_[dim]; }
    Device device() const { return device_; }

private:
    Case case_;
    Device device_;
    std::vector<Buffer> buffers_;
};

// Pass when |got - expected| <= abs + rel * |expected| for every element. Integer
// outputs are always compared exactly.
struct Tolerance {
    double abs = 0;
    double rel = 0;
};

// The same buffers as a Problem, in double precision, for the gradient check: the CPU
// references are templates on T, and here they run with T = double.
class Problem64 {
public:
    explicit Problem64(Case c) : case_(std::move(c)) {}
    // Adds (or replaces) a buffer of `n` zeros; returns it.
    std::vector<double>& add_f64(const std::string& name, Shape shape);
    std::vector<std::int32_t>& add_i32(const std::string& name, Shape shape);
    double* f64(std::string_view name);   // throws naming the buffer when it is missing
    const double* f64(std::string_view name) const;
    const std::int32_t* i32(std::string_view name) const;
    std::vector<double>& values(std::string_view name);
    const Shape& shape(std::string_view name) const;
    bool has(std::string_view name) const;
    const Case& sizes() const { return case_; }
    std::size_t operator[](std::string_view dim) const { return case_[dim]; }

private:
    struct F64 {
        std::string name;
        Shape shape;
        std::vector<double> data;
    };
    struct I32 {
        std::string name;
        Shape shape;
        std::vector<std::int32_t> data;
    };
    Case case_;
    std::vector<F64> f64_;
    std::vector<I32> i32_;
};

// A backward op names the forward op it differentiates; the gradient check
// (kernels/gradcheck.hpp) runs both references in double and compares the backward with
// central finite differences of the forward. Naming: the upstream gradient of a forward
// output `y` is the buffer "dy", the gradient of a forward input `x` is "dx":
//   softmax_xent_backward: outputs {"losses"} -> reads "dlosses"; wrt {"logits"} -> writes "dlogits".
struct Differentiates {
    std::string forward;                 // the forward op; it must give reference_f64
    std::vector<std::string> outputs;    // forward outputs y in the objective f = sum_y <dy, y>
    std::vector<std::string> wrt;        // forward inputs x whose gradient df/dx is checked
    // The backward assumes dy = 1 everywhere (it differentiates sum(y)); otherwise dy is
    // drawn from N(0, 1).
    bool unit_upstream = false;
    // The backward reference in double. `p` holds the forward's inputs and outputs (after
    // the forward ran), every "dy"; it writes every "dx" (zeroed before, so a backward that
    // accumulates with += is checked too).
    std::function<void(Problem64&)> backward_f64;
    // Small cases: the check runs the forward 4 times per checked input element.
    std::vector<Case> cases;
};

struct CpuImpl {
    std::string name;                          // "blas", "loops"
    std::string note;                          // one line: what it is
    std::function<void(Problem&)> run;         // on host buffers
};

struct GpuVersion {
    std::string name;                          // "v1"
    std::string note;                          // "one thread per output (baseline)"
    std::function<void(Device, Problem&)> run; // device is simt or cuda; buffers live there
};

struct OpSpec {
    OpSpec() = default;
    OpSpec(std::string name_, std::string chapter_, std::string summary_)
        : name(std::move(name_)), chapter(std::move(chapter_)), summary(std::move(summary_)) {}

    std::string name;                          // "matmul"
    std::string chapter;                       // "ch01"
    std::string summary;                       // "C (M,N) = alpha op(A) op(B) + beta C"
    std::vector<Case> test_cases;              // small, shapes off the block size
    std::vector<Case> bench_cases;             // larger, for timings
    std::vector<std::uint64_t> seeds = {1, 2, 3};
    // Builds the problem on the host: inputs filled from rng, outputs allocated.
    std::function<Problem(const Case&, Rng&)> make;
    CpuImpl reference;                         // the CPU reference: the truth
    std::vector<CpuImpl> cpu_peers;            // other CPU forms (naive loops, a library call)
    std::vector<GpuVersion> versions;          // v1..vN, naive -> fast
    std::vector<GpuVersion> gpu_peers;         // vendor libraries (cuBLAS), on a real GPU only
    // The tolerance of float outputs that `error_bounds` does not cover. Optional when
    // every output is an integer (compared exactly) or has a per-element bound.
    std::function<Tolerance(const Case&)> tolerance;
    // Optional, sharper than a tolerance: the allowed absolute error of every element
    // of an output, computed from the inputs (e.g. matmul: 2 K u sum_k |a_ik| |b_kj|, a
    // bound that holds for any summation order). Buffers not in the map use `tolerance`.
    std::function<std::map<std::string, std::vector<double>>(const Problem& reference)> error_bounds;
    // Optional: put unordered outputs in a canonical order before comparing (e.g. a
    // hash table's slots). Runs on host problems.
    std::function<void(Problem&)> canonicalize;
    std::function<double(const Case&)> flops;  // for GFLOP/s (optional)
    std::function<double(const Case&)> bytes;  // minimal bytes moved, for GB/s (optional)

    // Optional: the CPU reference in double (the same template, T = double) on the
    // problem's buffers, for the gradient checks of the backward ops that name this op.
    std::function<void(Problem64&)> reference_f64;
    // Optional, for backward ops: the forward this op differentiates (see Differentiates).
    std::optional<Differentiates> differentiates;

    // The emulator's checks, on by default for every GPU version (kernels/harness.hpp):
    // each test case runs under the race check (forward and reverse thread order, every
    // byte compared) and under a seeded random order. An op whose correct result depends on
    // the order of its threads opts out here with a one-line reason; it is then run in
    // forward and reverse order and each result compared with the reference.
    std::string no_race_check;                 // "": race check on
};

// The versions v1..vN of a GPU op, one note each (what changed, why faster), all run by
// one function of (device, version number, problem):
//   op.versions = numbered_versions(matmul_gpu_versions, {"naive", "tiled"},
//                                   [](Device d, int v, Problem& p) { LADDER_GPU_CALL(d, matmul, v, ...); });
std::vector<GpuVersion> numbered_versions(int count, std::initializer_list<const char*> notes,
                                          const std::function<void(Device, int, Problem&)>& run);

class Registry {
public:
    void add(OpSpec op);
    const std::vector<OpSpec>& ops() const { return ops_; }
    const OpSpec& get(std::string_view name) const;          // throws listing the known ops
    std::vector<const OpSpec*> chapter(std::string_view ch) const;
    std::vector<std::string> chapters() const;

private:
    std::vector<OpSpec> ops_;
};

// Every op of the build, registered once on first use.
const Registry& registry();

// Fills `out` with values that expose bugs: N(0, 1) with a few large outliers per
// `row` elements (llm.c multiplies three per row by 20), never constants.
void fill_test_values(Rng& rng, std::span<float> out, std::size_t row = 64);
// Small integers in [lo, hi] (exact arithmetic for integer-valued checks).
void fill_small_ints(Rng& rng, std::span<float> out, int lo, int hi);

}  // namespace ladder
