// Fixed-point arithmetic of TFLite's int8 kernels, written for opscope from
// TFLite's documented quantization spec (real = scale * (q - zero_point)).
//
// A real multiplier M > 0 is held as a Q31 mantissa and a power-of-two
// exponent: M = multiplier * 2^(shift - 31), multiplier in [2^30, 2^31).
// Applying it to an int32 x is done in two roundings, as TFLite does by
// default (without TFLITE_SINGLE_ROUNDING):
//   1. a saturating rounding doubling high multiply: (x * 2^left * m + 2^30)
//      >> 31, with ties rounded up for positive and away from zero for
//      negative products;
//   2. a rounding right shift by -shift that rounds half away from zero.
// Every helper here is exact integer arithmetic (no floating point), so
// results do not depend on the CPU or compiler flags.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

namespace opscope::reference::int8 {

struct QuantizedMultiplier {
  int32_t multiplier = 0;  // Q31 mantissa in [2^30, 2^31), or 0 for M == 0
  int shift = 0;           // power of two: > 0 shifts left, < 0 right
};

// round(x) with ties away from zero, as std::round and TfLiteRound.
inline double round_half_away_from_zero(double x) { return std::round(x); }
inline float round_half_away_from_zero(float x) { return std::round(x); }

// x clamped to [lo, hi].
inline int32_t clamp_i32(int64_t x, int32_t lo, int32_t hi) {
  return static_cast<int32_t>(std::min<int64_t>(std::max<int64_t>(x, lo), hi));
}

// ONNX Runtime's requantization (Requantization::kFloat, graph.h) of an
// exact int32 result x: x * scale in float (one rounding), clamped in float
// to [lo - zp, hi - zp], rounded to the nearest integer with ties to even,
// plus zp. The bounds are integers, so clamping before rounding equals
// clamping after; clamping first keeps every cast in range. Vector
// versions (cvtdq2ps, mulps, maxps/minps, cvtps2dq under the default
// rounding mode) compute the same lane by lane.
inline int32_t requantize_float(int32_t x, float scale, int32_t zp, int32_t lo, int32_t hi) {
  float f = static_cast<float>(x) * scale;
  f = std::min(std::max(f, static_cast<float>(lo - zp)), static_cast<float>(hi - zp));
  return static_cast<int32_t>(std::nearbyint(f)) + zp;
}

// x saturated to int8.
inline int8_t saturate_int8(int32_t x) {
  return static_cast<int8_t>(std::min(std::max(x, int32_t{-128}), int32_t{127}));
}

// x saturated to int32.
inline int32_t saturate_int32(int64_t x) {
  return clamp_i32(x, std::numeric_limits<int32_t>::min(),
                   std::numeric_limits<int32_t>::max());
}

// A real multiplier as (mantissa, shift), as TFLite's QuantizeMultiplier:
// frexp gives M = q * 2^shift with q in [0.5, 1); the mantissa is
// round(q * 2^31), renormalized when it rounds up to 2^31. Multipliers so
// small that every product would shift out (shift < -31) become 0; those of
// 2^30 or more saturate at (2^31 - 1) * 2^(30 - 31), just under 2^30.
// `real` must be finite and >= 0 (callers check scales).
inline QuantizedMultiplier quantize_multiplier(double real) {
  QuantizedMultiplier m;
  if (!(real > 0.0)) return m;
  int shift = 0;
  const double q = std::frexp(real, &shift);
  int64_t fixed = static_cast<int64_t>(std::round(q * static_cast<double>(int64_t{1} << 31)));
  if (fixed == (int64_t{1} << 31)) {
    fixed /= 2;
    ++shift;
  }
  if (shift < -31) return QuantizedMultiplier{};
  if (shift > 30) {
    shift = 30;
    fixed = (int64_t{1} << 31) - 1;
  }
  m.multiplier = static_cast<int32_t>(fixed);
  m.shift = shift;
  return m;
}

// The high 32 bits of 2 * a * b, rounded to nearest (ties: up for a
// non-negative product, away from zero for a negative one), saturated: the
// only overflowing input, INT32_MIN * INT32_MIN, gives INT32_MAX.
inline int32_t saturating_rounding_doubling_high_mul(int32_t a, int32_t b) {
  if (a == b && a == std::numeric_limits<int32_t>::min()) {
    return std::numeric_limits<int32_t>::max();
  }
  const int64_t ab = static_cast<int64_t>(a) * static_cast<int64_t>(b);
  const int64_t nudge = ab >= 0 ? (int64_t{1} << 30) : (1 - (int64_t{1} << 30));
  // Division truncates toward zero, which the nudge turns into rounding.
  return static_cast<int32_t>((ab + nudge) / (int64_t{1} << 31));
}

// x / 2^exponent rounded to nearest, ties away from zero; exponent in
// [0, 31].
inline int32_t rounding_divide_by_pot(int32_t x, int exponent) {
  if (exponent <= 0) return x;
  const int32_t mask = static_cast<int32_t>((int64_t{1} << exponent) - 1);
  const int32_t remainder = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

// round(x * M) for M = m.multiplier * 2^(m.shift - 31), in TFLite's two
// roundings. A left shift that would overflow int32 saturates (TFLite's
// code has undefined behaviour there; no valid model reaches it).
inline int32_t multiply_by_quantized_multiplier(int32_t x, QuantizedMultiplier m) {
  const int left = m.shift > 0 ? m.shift : 0;
  const int right = m.shift > 0 ? 0 : -m.shift;
  const int32_t shifted = saturate_int32(static_cast<int64_t>(x) * (int64_t{1} << left));
  return rounding_divide_by_pot(saturating_rounding_doubling_high_mul(shifted, m.multiplier),
                                right);
}

// The integer division a / b (b > 0) rounded to nearest, ties away from
// zero, as TFLite's int8 average pool and mean.
inline int32_t rounded_divide(int32_t a, int32_t b) {
  return a > 0 ? (a + b / 2) / b : (a - b / 2) / b;
}

}  // namespace opscope::reference::int8
