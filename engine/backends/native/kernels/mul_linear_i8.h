// int8 MUL of many rows by one repeated row (a squeeze-and-excitation
// scale: [H, W, C] x [C]) through one linear form per channel, checked
// against the exact kernel before it is used.
//
// With the repeated value of channel c fixed, the output is a function of
// the other operand's int8 value x alone: y_c(x) = clamp(R((x - z_x) k_c) +
// z_y), R the op's requantization, whose two roundings (half up at 2^-31,
// then half away from zero at 2^-r) put the boundaries of v = (x - z_x) k_c
// mu at K - 1/2 - e for positive products and -K + 1/2 + e for negative
// ones, e = 2^-(r+1) (0 without a right shift): y = floor(v + 1/2 + e) or
// floor(v + 1/2 - e) + z_y. The form ((x P + Q) >> T) + z_y approximates
// that with 32-bit integers; it is exact unless some x lands within its
// error of a boundary, so mul_linear_plan() computes every channel's bytes
// for all 256 values with the exact row kernel and accepts the forms only if
// they give the same bytes everywhere. The rows then cost one 32-bit
// multiply per 16 bytes instead of the exact form's three.
#pragma once

#include <cstdint>

#include "engine/backends/native/kernels/native_ukernels.h"

namespace opscope::native {

inline constexpr int64_t kMulLinearMaxInner = 64;

struct MulLinearPlan {
  alignas(64) int32_t p[kMulLinearMaxInner] = {};
  alignas(64) int32_t q_pos[kMulLinearMaxInner] = {};
  alignas(64) int32_t q_neg[kMulLinearMaxInner] = {};
  alignas(64) int32_t t[kMulLinearMaxInner] = {};
  uint64_t k_neg = 0;     // bit c: k_c < 0
  bool one_sign = false;  // every product has one sign: q_pos serves all
};

using BinaryRowFn = void (*)(const ukernels::BinaryParams&, const int8_t*, int64_t,
                             const int8_t*, int64_t, int8_t*, int64_t);

using MulLinearRowsFn = void (*)(const ukernels::MulLinearRows&, const int8_t*, int8_t*, int64_t,
                                 int64_t);

// The plan for the repeated row `rep` (inner <= kMulLinearMaxInner values,
// operand a when rep_is_a, else b) of a fixed-point MUL (p.mul, not
// p.float_mode): false when `apply` with the forms gives other bytes than
// `exact` for some value of some channel (the caller then runs the exact
// kernel).
bool mul_linear_plan(const ukernels::BinaryParams& p, BinaryRowFn exact, MulLinearRowsFn apply,
                     const int8_t* rep, bool rep_is_a, int64_t inner, MulLinearPlan* plan);

// The kernel's arguments for a plan; x_zp is the zero point of the operand
// that is not repeated.
ukernels::MulLinearRows rows_of(const MulLinearPlan& plan, const ukernels::BinaryParams& p,
                                int32_t x_zp);

}  // namespace opscope::native
