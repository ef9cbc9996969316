// TFLite's per-channel int8 requantization on 4 NEON lanes: for each lane,
// exactly what reference::int8::multiply_by_quantized_multiplier (fixed_point.h)
// then + output zero point and the activation clamp compute, step for step
// (each step's proof is at the step). Shared by the native backend's
// aarch64 files (qgemm_neondot.cc, kernels/depthwise_conv2d_i8_neondot.cc),
// which are all compiled with the same flags; include only from them.
#pragma once

#include <arm_neon.h>

#include <cstdint>

namespace opscope::native::neon {

// One channel quad's multiplier: the Q31 mantissa, the left shift
// (max(shift, 0)), the negated right shift (-max(-shift, 0): SSHL by a
// negative count shifts right) and the right shift's mask 2^s - 1 and
// half-mask (2^s - 1) >> 1.
struct Requant4 {
  int32x4_t mult, lshift, neg_rshift, rmask, rhalf;
};

// Channels [0, 4) of the per-channel arrays (right shifts in [0, 31]).
inline Requant4 load_requant4(const int32_t* mult, const int32_t* left, const int32_t* right) {
  Requant4 p;
  p.mult = vld1q_s32(mult);
  p.lshift = vld1q_s32(left);
  const int32x4_t r = vld1q_s32(right);
  p.neg_rshift = vnegq_s32(r);
  // 2^s - 1 modulo 2^32: 2^31 wraps to INT32_MIN, minus 1 is INT32_MAX.
  p.rmask = vsubq_s32(vshlq_s32(vdupq_n_s32(1), r), vdupq_n_s32(1));
  p.rhalf = vshrq_n_s32(p.rmask, 1);
  return p;
}

// clamp(output_zp + multiply_by_quantized_multiplier(x, M), lo, hi) on 4
// lanes; x is the int32 sum with the bias already added (wrapped).
// any_left_shift: whether some lane's left shift may be > 0 (else the
// shift is skipped).
inline int32x4_t requantize4(int32x4_t x, const Requant4& p, bool any_left_shift,
                             int32_t output_zp, int32_t lo, int32_t hi) {
  // saturate_int32(x * 2^left): SQSHL saturates to INT32_MIN / INT32_MAX
  // exactly where the product leaves int32 (left in [0, 30]).
  if (any_left_shift) x = vqshlq_s32(x, p.lshift);
  // saturating_rounding_doubling_high_mul(x, m): SQRDMULH computes
  // sat((2 x m + 2^31) >> 32) = floor((x m + 2^30) / 2^31), saturating only
  // for INT32_MIN * INT32_MIN, as the reference. The reference's nudged
  // truncating division is the same floor: for x m >= 0 truncation is the
  // floor; for x m < 0 it is ceil((x m + 1 - 2^30) / 2^31) =
  // floor((x m + 1 - 2^30 + 2^31 - 1) / 2^31).
  x = vqrdmulhq_s32(x, p.mult);
  // rounding_divide_by_pot(x, s), written as the reference writes it:
  // (x >> s) + [(x & mask) > (mask >> 1) + [x < 0]]. Not SRSHL, which
  // rounds ties up (toward +inf) where the reference rounds negative ties
  // away from zero.
  const int32x4_t rem = vandq_s32(x, p.rmask);
  const int32x4_t threshold = vsubq_s32(p.rhalf, vshrq_n_s32(x, 31));  // rhalf + [x < 0]
  const uint32x4_t up = vcgtq_s32(rem, threshold);                     // all ones (-1) where up
  x = vsubq_s32(vshlq_s32(x, p.neg_rshift), vreinterpretq_s32_u32(up));
  // + output zero point (wrapping, as the reference's int32 add), clamp.
  x = vaddq_s32(x, vdupq_n_s32(output_zp));
  x = vmaxq_s32(x, vdupq_n_s32(lo));
  return vminq_s32(x, vdupq_n_s32(hi));
}

// Four 4-lane results already clamped to int8's range, as 16 bytes in lane
// order (the saturating narrows change nothing).
inline int8x16_t narrow16(int32x4_t a, int32x4_t b, int32x4_t c, int32x4_t d) {
  const int16x8_t lo = vcombine_s16(vqmovn_s32(a), vqmovn_s32(b));
  const int16x8_t hi = vcombine_s16(vqmovn_s32(c), vqmovn_s32(d));
  return vcombine_s8(vqmovn_s16(lo), vqmovn_s16(hi));
}

}  // namespace opscope::native::neon
