// grad_average.cpp: the Tensor-level average of the ranks' gradients: checks shapes, dtypes and
// devices, then runs the CPU reference or the backend's GPU version. Introduced in ch08.
#include "kernels/grad_average/grad_average.hpp"

#include <vector>

#include "core/error.hpp"
#include "core/gpu_dispatch.hpp"
#include "kernels/tensor_checks.hpp"

namespace ladder {

void grad_average(const Backend& be, Tensor& out, const Tensor& in) {
    constexpr const char* what = "grad_average";
    // in (N, ...): the first dimension counts the ranks, the rest is one rank's gradient.
    LADDER_CHECK(in.rank() >= 2 && in.dim(0) >= 1,
                 "{}: in has shape {}; it must be (N, ...) with N >= 1 ranks, a row per rank", what, in.shape().str());
    const std::vector<std::size_t> per_rank(in.shape().dims().begin() + 1, in.shape().dims().end());
    check_shape(what, Shape(std::span<const std::size_t>(per_rank)), "in (N, ...) without its rank dimension",
                {{"out", &out}});
    check_f32_on(be, what, {{"in", &in}, {"out", &out}});
    const std::size_t N = in.dim(0), n = out.numel();
    if (be.device() == Device::cpu) {
        grad_average_cpu(out.data(), in.data(), N, n);
    } else {
        LADDER_GPU_CALL(be.device(), grad_average, be.version("grad_average", grad_average_gpu_default), out.data(),
                        in.data(), N, n);
    }
}

}  // namespace ladder
