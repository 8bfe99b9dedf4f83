// kv_cache.cpp: the Tensor-level KV cache: checks shapes, dtypes, devices and that the rows fit,
// then runs the CPU reference or the backend's GPU version. Introduced in ch07.
#include "kernels/kv_cache/kv_cache.hpp"

#include "core/error.hpp"
#include "core/gpu_dispatch.hpp"
#include "kernels/tensor_checks.hpp"

namespace ladder {

namespace {

// The cache (B,NH,Tmax,hs) and the new rows (B,NH,n,hs): the same B, NH and hs, and pos + n <= Tmax.
struct CacheDims {
    std::size_t BH, n, Tmax, hs;
};

CacheDims cache_dims(const char* what, const char* rows_name, const Tensor& rows, const Tensor& cache,
                     std::size_t pos) {
    LADDER_CHECK(rows.rank() == 4, "{}: {} has shape {}; it must be (B, NH, n, hs)", what, rows_name,
                 rows.shape().str());
    LADDER_CHECK(cache.rank() == 4, "{}: the cache has shape {}; it must be (B, NH, Tmax, hs)", what,
                 cache.shape().str());
    const std::size_t B = rows.dim(0), NH = rows.dim(1), n = rows.dim(2), hs = rows.dim(3), Tmax = cache.dim(2);
    LADDER_CHECK(cache.dim(0) == B && cache.dim(1) == NH && cache.dim(3) == hs,
                 "{}: the cache has shape {} but {} has {}: B, NH and hs must agree", what, cache.shape().str(),
                 rows_name, rows.shape().str());
    LADDER_CHECK(pos + n <= Tmax, "{}: positions {}..{} do not fit a cache of {} positions", what, pos, pos + n,
                 Tmax);
    LADDER_CHECK(hs >= 1 && hs <= attention_cached_max_head_size, "{}: head size {} must be in 1..{}", what, hs,
                 attention_cached_max_head_size);
    return {B * NH, n, Tmax, hs};
}

}  // namespace

void kv_cache_append(const Backend& be, Tensor& cache_k, Tensor& cache_v, const Tensor& k, const Tensor& v,
                     std::size_t pos) {
    constexpr const char* what = "kv_cache_append";
    const CacheDims d = cache_dims(what, "k", k, cache_k, pos);
    check_shape(what, k.shape(), "k", {{"v", &v}});
    check_shape(what, cache_k.shape(), "cache_k", {{"cache_v", &cache_v}});
    check_f32_on(be, what, {{"cache_k", &cache_k}, {"cache_v", &cache_v}, {"k", &k}, {"v", &v}});
    if (be.device() == Device::cpu) {
        kv_cache_append_cpu(cache_k.data(), cache_v.data(), k.data(), v.data(), d.BH, d.n, d.Tmax, d.hs, pos);
    } else {
        LADDER_GPU_CALL(be.device(), kv_cache_append, be.version("kv_cache_append", kv_cache_append_gpu_default),
                        cache_k.data(), cache_v.data(), k.data(), v.data(), d.BH, d.n, d.Tmax, d.hs, pos);
    }
}

void attention_cached(const Backend& be, Tensor& out, const Tensor& q, const Tensor& cache_k, const Tensor& cache_v,
                      std::size_t pos, float scale) {
    constexpr const char* what = "attention_cached";
    const CacheDims d = cache_dims(what, "q", q, cache_k, pos);
    check_shape(what, q.shape(), "q", {{"out", &out}});
    check_shape(what, cache_k.shape(), "cache_k", {{"cache_v", &cache_v}});
    check_f32_on(be, what, {{"out", &out}, {"q", &q}, {"cache_k", &cache_k}, {"cache_v", &cache_v}});
    if (be.device() == Device::cpu) {
        attention_cached_cpu(out.data(), q.data(), cache_k.data(), cache_v.data(), d.BH, d.n, d.Tmax, d.hs, pos,
                             scale);
    } else {
        LADDER_GPU_CALL(be.device(), attention_cached, be.version("attention_cached", attention_cached_gpu_default),
                        out.data(), q.data(), cache_k.data(), cache_v.data(), d.BH, d.n, d.Tmax, d.hs, pos, scale);
    }
}

}  // namespace ladder
