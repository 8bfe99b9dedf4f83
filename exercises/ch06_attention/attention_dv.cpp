// Exercise 6.4: attention's backward for V, on the CPU. For each head bh the forward was
//   out[t][i] = sum_s att[t][s] v[s][i]            att (T,T), v and out (T,hs)
// so v[s][i] receives dout[t][i] att[t][s] from every query t:
//   dv[s][i] = sum_t att[t][s] dout[t][i]          dv = att^T dout
// att (BH,T,T) is causal (att[t][s] = 0 for s > t), dout and dv (BH,T,hs). dv is overwritten.
// Introduced in ch06 (kernels/attention's attention_backward_cpu computes this dv with dq and dk).
#include "core/error.hpp"
#include "exercises/ch06_attention/exercises.hpp"

namespace ladder::ex06 {

// Code plan (loops, indices in std::size_t), for each head bh:
//   1. name the head's blocks: const float* att_h = att + bh * T * T; const float* dout_h =
//      dout + bh * T * hs; float* dv_h = dv + bh * T * hs;
//   2. set dv_h to zero (it is overwritten, and you will add into it);
//   3. for each query t and key s: add att_h[t * T + s] * dout_h[t * hs + i] to dv_h[s * hs + i]
//      for i < hs. (Looping t outside s reads att_h row by row and dout_h's row t once.)
// Hint: att is 0 for s > t, so the loop over s may stop at t; that halves the work and
// changes nothing else.
void attention_dv(float* dv, const float* att, const float* dout, std::size_t BH, std::size_t T, std::size_t hs) {
    // TODO(ex6.4): the three steps above, for every head.
    throw NotImplemented("exercise 6.4: attention_dv (exercises/ch06_attention/attention_dv.cpp)");
}

}  // namespace ladder::ex06
