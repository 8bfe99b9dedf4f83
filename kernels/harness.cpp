// harness.cpp: poison, guard, run, compare (in that fixed order), and time.
#include "kernels/harness.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>

#include "core/cli.hpp"
#include "core/error.hpp"
#include "core/simt/simt_runtime.hpp"

namespace ladder {

namespace {

// A NaN with a payload no arithmetic produces: a guard element that still holds it was
// not written. Compared bit for bit.
constexpr std::uint32_t kGuardBits = 0x7fa5a5a5u;
constexpr std::int32_t kIntPoison = std::numeric_limits<std::int32_t>::min();

std::uint64_t mix(std::uint64_t seed, const std::string& s) {
    std::uint64_t h = 0xcbf29ce484222325ULL ^ seed;           // FNV-1a over the case text
    for (unsigned char ch : s) h = (h ^ ch) * 0x100000001b3ULL;
    return h;
}

bool is_output(Role r) { return r != Role::in; }

// Host copy of a buffer's first `n` 32-bit words (floats or ints as raw bits).
std::vector<std::uint32_t> words(const Buffer& b, Device device, std::size_t n) {
    std::vector<std::uint32_t> w(n);
    const void* src = b.dtype == DType::f32 ? static_cast<const void*>(b.storage.data())
                                            : static_cast<const void*>(b.storage.data_i32());
    copy_to_host(device, w.data(), src, n * 4);
    return w;
}

// A copy of `src` on `device` with `guard` guard elements after every buffer; outputs
// (Role::out) are poisoned when `poison_outputs`.
Problem copy_problem(const Problem& src, Device device, std::size_t guard, bool poison_outputs = true) {
    Problem out(src.sizes(), device);
    for (const Buffer& b : src.buffers()) {
        const std::size_t n = b.shape.numel();
        Buffer nb{b.name, b.dtype, b.role, b.shape, Tensor(Shape{n + guard}, device, b.dtype)};
        std::vector<std::uint32_t> w = words(b, src.device(), n);
        if (b.role == Role::out && poison_outputs) {
            const std::uint32_t p = b.dtype == DType::f32 ? std::bit_cast<std::uint32_t>(std::numeric_limits<float>::quiet_NaN())
                                                           : static_cast<std::uint32_t>(kIntPoison);
            std::fill(w.begin(), w.end(), p);
        }
        w.resize(n + guard, kGuardBits);
        void* dst = b.dtype == DType::f32 ? static_cast<void*>(nb.storage.data()) : static_cast<void*>(nb.storage.data_i32());
        copy_to_device(device, dst, w.data(), w.size() * 4);
        out.buffers().push_back(std::move(nb));
    }
    return out;
}

double value_at(const std::vector<std::uint32_t>& w, std::size_t i, DType t) {
    return t == DType::f32 ? static_cast<double>(std::bit_cast<float>(w[i])) : static_cast<double>(static_cast<std::int32_t>(w[i]));
}

}  // namespace

std::string Mismatch::str() const { return fmt::format("{}[{}]: expected {:.9g}, got {:.9g}", buffer, index, expected, got); }

Problem make_problem(const OpSpec& op, const Case& c, std::uint64_t seed) {
    Rng rng(mix(seed, op.name + " " + c.str()));
    Problem p = op.make(c, rng);
    LADDER_CHECK(p.device() == Device::cpu, "op {}: make() must build the problem on the host", op.name);
    return p;
}

Problem upload_problem(const Problem& host, Device device) { return copy_problem(host, device, kGuardElements); }

Problem download_problem(const Problem& dev) {
    Problem out(dev.sizes(), Device::cpu);
    for (const Buffer& b : dev.buffers()) {
        const std::size_t n = b.shape.numel();
        Buffer nb{b.name, b.dtype, b.role, b.shape, Tensor(Shape{n}, Device::cpu, b.dtype)};
        std::vector<std::uint32_t> w = words(b, dev.device(), n);
        void* dst = b.dtype == DType::f32 ? static_cast<void*>(nb.storage.data()) : static_cast<void*>(nb.storage.data_i32());
        if (n > 0) std::memcpy(dst, w.data(), n * 4);   // an empty buffer may have no storage
        out.buffers().push_back(std::move(nb));
    }
    return out;
}

Problem run_reference(const OpSpec& op, const Problem& host) {
    Problem p = copy_problem(host, Device::cpu, 0);
    op.reference.run(p);
    return p;
}

CheckResult compare_outputs(const OpSpec& op, const Problem& expected, const Problem& got, const Problem* dev) {
    CheckResult r;
    auto fail = [&](std::string why) {
        if (r.ok) r.failure = std::move(why);
        r.ok = false;
    };
    // 1. Guard zones: an out-of-bounds write past any buffer.
    for (const Buffer& b : dev ? dev->buffers() : std::vector<Buffer>{}) {
        const std::size_t n = b.shape.numel();
        if (b.storage.numel() <= n) continue;
        const std::vector<std::uint32_t> w = words(b, dev->device(), b.storage.numel());
        const auto hit = std::find_if(w.begin() + static_cast<std::ptrdiff_t>(n), w.end(),
                                      [](std::uint32_t x) { return x != kGuardBits; });
        if (hit != w.end()) {
            const auto i = static_cast<std::size_t>(hit - w.begin());
            fail(fmt::format("out-of-bounds write: {}[{}] is {} element(s) past the end of '{}' (shape {})", b.name, i,
                             i - n + 1, b.name, b.shape.str()));
            return r;
        }
    }
    // 2. Unwritten (still poison) and NaN, 3. Inf of the wrong sign, 4. the tolerance.
    const bool has_tol = static_cast<bool>(op.tolerance);
    const Tolerance tol = has_tol ? op.tolerance(expected.sizes()) : Tolerance{};
    const auto bounds = op.error_bounds ? op.error_bounds(expected) : std::map<std::string, std::vector<double>>{};
    constexpr double inf = std::numeric_limits<double>::infinity();
    double worst_ratio = -1;   // error / allowed error of r.worst
    auto record = [&](const Mismatch& m, double ratio) {
        if (ratio > worst_ratio) {
            worst_ratio = ratio;
            r.worst = m;
        }
        if (ratio > 1) {
            ++r.bad;
            if (!r.first) r.first = m;
        }
    };
    for (const Buffer& eb : expected.buffers()) {
        if (!is_output(eb.role)) continue;
        const std::size_t n = eb.shape.numel();
        const auto ew = words(eb, Device::cpu, n), gw = words(got.buffer(eb.name), Device::cpu, n);
        const auto bound = bounds.find(eb.name);
        LADDER_CHECK(bound == bounds.end() || bound->second.size() == n, "op {}: error_bounds['{}'] has {} entries, not {}",
                     op.name, eb.name, bound->second.size(), n);
        LADDER_CHECK(eb.dtype != DType::f32 || bound != bounds.end() || has_tol, "op {}: float output '{}' has neither a "
                     "per-element error bound nor a tolerance", op.name, eb.name);
        for (std::size_t i = 0; i < n; ++i) {
            ++r.checked;
            const double e = value_at(ew, i, eb.dtype), g = value_at(gw, i, eb.dtype);
            const Mismatch m{eb.name, i, e, g};
            if (eb.dtype == DType::i32) {   // integers: exact
                if (ew[i] == gw[i]) continue;
                fail(static_cast<std::int32_t>(gw[i]) == kIntPoison
                         ? fmt::format("{}[{}] was never written (still holds the poison value); expected {}", eb.name, i, e)
                         : fmt::format("{} (integer outputs must match exactly)", m.str()));
                record(m, inf);
                continue;
            }
            if (std::isnan(e) && std::isnan(g)) continue;
            if (std::isnan(e) || std::isnan(g) || std::isinf(e) || std::isinf(g)) {
                if (e == g) continue;   // the same infinity
                const bool poison = gw[i] == std::bit_cast<std::uint32_t>(std::numeric_limits<float>::quiet_NaN());
                fail(std::isnan(g)   ? fmt::format("{}[{}] {}; expected {:.9g}", eb.name, i,
                                                   poison ? "was never written (still NaN poison)" : "is NaN", e)
                     : std::isnan(e) ? fmt::format("{} (the reference gives NaN here)", m.str())
                                     : fmt::format("{} (infinity mismatch)", m.str()));
                r.max_abs = r.max_rel = inf;
                record(m, inf);
                continue;
            }
            const double err = std::fabs(g - e);
            const double allowed = bound != bounds.end() ? bound->second[i] : tol.abs + tol.rel * std::fabs(e);
            r.max_abs = std::max(r.max_abs, err);
            if (std::fabs(e) > tol.abs) r.max_rel = std::max(r.max_rel, err / std::fabs(e));
            record(m, allowed > 0 ? err / allowed : (err > 0 ? inf : 0));
        }
    }
    if (r.bad > 0 && r.ok) {
        fail(fmt::format("{} of {} elements outside the tolerance ({}); first {}; worst {}", r.bad, r.checked,
                         bounds.count(r.first->buffer) || !has_tol
                             ? std::string("the op's per-element error bound")
                             : fmt::format("abs {:.3g} + rel {:.3g} x |expected|", tol.abs, tol.rel),
                         r.first->str(), r.worst->str()));
    }
    return r;
}

const char* simt_mode_name(SimtMode m) {
    switch (m) {
    case SimtMode::configured: return "configured schedule";
    case SimtMode::race_check: return "race check";
    case SimtMode::forward: return "forward order";
    case SimtMode::reverse: return "reverse order";
    case SimtMode::random: return "random order";
    }
    return "?";
}

std::vector<SimtMode> simt_modes(const OpSpec& op, std::size_t seed_index) {
    if (seed_index == 0)
        return op.no_race_check.empty() ? std::vector{SimtMode::race_check}
                                        : std::vector{SimtMode::forward, SimtMode::reverse};
    if (seed_index == 1) return {SimtMode::random};
    return {SimtMode::configured};
}

namespace {
// Sets the emulator's options for one check and restores them after.
class SimtModeScope {
public:
    SimtModeScope(Device device, SimtMode mode, std::uint64_t seed) : saved_(simt::options()) {
        if (device != Device::simt || mode == SimtMode::configured) return;
        simt::Options o = saved_;
        o.race_check = mode == SimtMode::race_check;
        o.schedule = mode == SimtMode::reverse ? simt::Schedule::reverse
                     : mode == SimtMode::random ? simt::Schedule::random
                                                : simt::Schedule::forward;
        o.seed = seed;
        simt::set_options(o);
    }
    ~SimtModeScope() { simt::set_options(saved_); }
    SimtModeScope(const SimtModeScope&) = delete;
    SimtModeScope& operator=(const SimtModeScope&) = delete;

private:
    simt::Options saved_;
};
}  // namespace

CheckResult check_gpu(const OpSpec& op, const GpuVersion& v, Device device, const Case& c, std::uint64_t seed,
                      SimtMode mode) {
    const Problem host = make_problem(op, c, seed);
    Problem expected = run_reference(op, host);
    Problem dev = upload_problem(host, device);
    try {
        const SimtModeScope scope(device, mode, seed);
        v.run(device, dev);
        device_synchronize(device);
    } catch (const Error& e) {
        CheckResult r;
        r.ok = false;
        r.failure = fmt::format("{} on {}{} threw: {}", v.name, device_name(device),
                                device == Device::simt && mode != SimtMode::configured
                                    ? fmt::format(" ({})", simt_mode_name(mode))
                                    : std::string(),
                                e.what());
        return r;
    }
    Problem got = download_problem(dev);
    if (op.canonicalize) {
        op.canonicalize(expected);
        op.canonicalize(got);
    }
    return compare_outputs(op, expected, got, &dev);
}

void check_gpu_all(const OpSpec& op, const GpuVersion& v, Device device,
                   const std::function<void(const std::string& what, const CheckResult& r)>& report) {
    for (const Case& c : op.test_cases) {
        for (std::size_t s = 0; s < op.seeds.size(); ++s) {
            const auto modes = device == Device::simt ? simt_modes(op, s) : std::vector{SimtMode::configured};
            for (SimtMode mode : modes) {
                const std::string what =
                    fmt::format("{} on {}, {}, seed {}{}", v.name, device_name(device), c.str(), op.seeds[s],
                                device == Device::simt ? std::string(", ") + simt_mode_name(mode) : std::string());
                report(what, check_gpu(op, v, device, c, op.seeds[s], mode));
            }
        }
    }
}

CheckResult check_cpu(const OpSpec& op, const CpuImpl& impl, const Case& c, std::uint64_t seed) {
    const Problem host = make_problem(op, c, seed);
    Problem expected = run_reference(op, host);
    // CPU implementations also get guard zones: run on a guarded host copy.
    Problem dev = copy_problem(host, Device::cpu, kGuardElements);
    impl.run(dev);
    Problem got = download_problem(dev);
    if (op.canonicalize) {
        op.canonicalize(expected);
        op.canonicalize(got);
    }
    return compare_outputs(op, expected, got, &dev);
}

Measured measure(const OpSpec& op, const Problem& host, const Problem& expected, Device device,
                 const std::function<void(Problem&)>& run, int min_repeats, double min_seconds) {
    Problem p = upload_problem(host, device);
    run(p);
    device_synchronize(device);
    Problem got = download_problem(p);
    Problem exp = copy_problem(expected, Device::cpu, 0, /*poison_outputs=*/false);
    if (op.canonicalize) {
        op.canonicalize(exp);
        op.canonicalize(got);
    }
    Measured m;
    m.check = compare_outputs(op, exp, got, &p);
    if (m.check.ok) m.timing = time_runs(device, [&] { run(p); }, min_repeats, min_seconds);
    return m;
}

Timing time_runs(Device device, const std::function<void()>& run, int min_repeats, double min_seconds) {
    run();   // warm-up: first-touch pages, caches, lazy CUDA module loading
    device_synchronize(device);
    std::vector<double> ms;
    Timer total;
    while (static_cast<int>(ms.size()) < min_repeats || (total.seconds() < min_seconds && ms.size() < 1000)) {
        ms.push_back(device_time_ms(device, run));
    }
    std::sort(ms.begin(), ms.end());
    return Timing{ms.front(), ms[ms.size() / 2], static_cast<int>(ms.size())};
}

}  // namespace ladder
