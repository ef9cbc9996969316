// mul_linear_i8.h: the linear forms of a channel's int8 MUL and their check.
#include "engine/backends/native/kernels/mul_linear_i8.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>

namespace opscope::native {
namespace {

const std::array<int8_t, 256>& every_int8() {
  static const std::array<int8_t, 256> v = [] {
    std::array<int8_t, 256> a{};
    for (int i = 0; i < 256; ++i) a[static_cast<size_t>(i)] = static_cast<int8_t>(i);
    return a;
  }();
  return v;
}

}  // namespace

bool mul_linear_plan(const ukernels::BinaryParams& p, BinaryRowFn exact, MulLinearRowsFn apply,
                     const int8_t* rep, bool rep_is_a, int64_t inner, MulLinearPlan* plan) {
  if (!p.mul || p.float_mode || inner > kMulLinearMaxInner) return false;
  // The product's real scale mu = y_mult 2^(left - right) / 2^31, and the
  // second rounding's shift of the boundaries.
  const double mu = std::ldexp(static_cast<double>(p.y_mult), p.y_left - p.y_right - 31);
  const double e = p.y_right > 0 ? std::ldexp(1.0, -(p.y_right + 1)) : 0.0;
  const int32_t z_rep = rep_is_a ? p.a_zp : p.b_zp;
  const int32_t z_x = rep_is_a ? p.b_zp : p.a_zp;
  // Products of one sign: x - z_x >= 0 for every int8 x (z_x = -128) and
  // every k_c of one sign.
  bool k_pos = true, k_nonpos = true;
  const std::array<int8_t, 256>& xs = every_int8();
  // Column c of `grid` is every int8 value; the kernel's bytes for it
  // against the exact kernel's, channel by channel.
  alignas(64) int8_t grid[256 * kMulLinearMaxInner];
  alignas(64) int8_t formed[256 * kMulLinearMaxInner];
  alignas(64) int8_t exact_bytes[256];
  for (int i = 0; i < 256; ++i) {
    std::fill_n(grid + i * inner, inner, xs[static_cast<size_t>(i)]);
  }
  plan->k_neg = 0;
  for (int64_t c = 0; c < inner; ++c) {
    const int32_t k = static_cast<int32_t>(rep[c]) - z_rep;
    k_pos = k_pos && k >= 0;
    k_nonpos = k_nonpos && k <= 0;
    if (k < 0) plan->k_neg |= uint64_t{1} << c;
    // v = (x - z_x) alpha: the largest T (the finest form) whose x P + Q
    // stays inside int32 for every int8 x (it is linear in x: its ends
    // bound it).
    const double alpha = k * mu;
    const auto fits = [](int64_t pv, int64_t qv) {
      const int64_t lo = -128 * pv + qv, hi = 127 * pv + qv;
      return std::max(std::llabs(lo), std::llabs(hi)) < (int64_t{1} << 31) - 1;
    };
    int t = 30;
    int64_t pv = 0, qp = 0, qn = 0;
    for (; t >= 0; --t) {
      const double scale = std::ldexp(1.0, t);
      pv = std::llround(alpha * scale);
      qp = std::llround((0.5 + e - z_x * alpha) * scale);
      qn = std::llround((0.5 - e - z_x * alpha) * scale);
      if (fits(pv, qp) && fits(pv, qn)) break;
    }
    if (t < 0) return false;
    plan->p[c] = static_cast<int32_t>(pv);
    plan->q_pos[c] = static_cast<int32_t>(qp);
    plan->q_neg[c] = static_cast<int32_t>(qn);
    plan->t[c] = t;
  }
  plan->one_sign = z_x == -128 && k_pos;
  apply(rows_of(*plan, p, z_x), grid, formed, inner, 256);
  for (int64_t c = 0; c < inner; ++c) {
    if (rep_is_a) {
      exact(p, rep + c, 0, xs.data(), 1, exact_bytes, 256);
    } else {
      exact(p, xs.data(), 1, rep + c, 0, exact_bytes, 256);
    }
    for (int i = 0; i < 256; ++i) {
      if (formed[i * inner + c] != exact_bytes[i]) return false;
    }
  }
  return true;
}

ukernels::MulLinearRows rows_of(const MulLinearPlan& plan, const ukernels::BinaryParams& p,
                                int32_t x_zp) {
  ukernels::MulLinearRows r;
  r.p = plan.p;
  r.q_pos = plan.q_pos;
  r.q_neg = plan.q_neg;
  r.t = plan.t;
  r.k_neg = plan.k_neg;
  r.x_zp = x_zp;
  r.y_zp = p.y_zp;
  r.act_min = p.act_min;
  r.act_max = p.act_max;
  r.one_sign = plan.one_sign;
  return r;
}

}  // namespace opscope::native
