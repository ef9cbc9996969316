// IEEE 754 binary16 ("half", f16) <-> f32 conversion on raw bits.
//
// f16 tensors store each element as the uint16_t bit pattern; these helpers
// are used by DEQUANTIZE and by the load-time transform that folds f16
// weights. Both directions are exact where the value is representable:
//   half_to_float  exact for every one of the 65536 patterns (subnormals,
//                  ±0, ±inf; NaN stays NaN with its payload).
//   float_to_half  round to nearest, ties to even; values whose magnitude
//                  rounds past 65504 become ±inf; NaN becomes a quiet NaN
//                  keeping the top payload bits.
#pragma once

#include <bit>
#include <cstdint>

namespace opscope::reference {

inline float half_to_float(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t exponent = (h >> 10) & 0x1fu;
  const uint32_t mantissa = h & 0x3ffu;
  if (exponent == 0) {
    // ±0 or subnormal: mantissa * 2^-24, exact in f32.
    const float magnitude = static_cast<float>(mantissa) * 0x1p-24f;
    return std::bit_cast<float>(std::bit_cast<uint32_t>(magnitude) | sign);
  }
  if (exponent == 0x1f) {
    // ±inf (mantissa 0) or NaN (payload moved to the top of f32's).
    return std::bit_cast<float>(sign | 0x7f800000u | (mantissa << 13));
  }
  // Normal: rebias the exponent from 15 to 127.
  return std::bit_cast<float>(sign | ((exponent + 112u) << 23) |
                              (mantissa << 13));
}

inline uint16_t float_to_half(float f) {
  const uint32_t bits = std::bit_cast<uint32_t>(f);
  const auto sign = static_cast<uint16_t>((bits >> 16) & 0x8000u);
  const uint32_t magnitude = bits & 0x7fffffffu;

  if (magnitude >= 0x7f800000u) {
    if (magnitude == 0x7f800000u) {
      return static_cast<uint16_t>(sign | 0x7c00u);  // ±inf
    }
    // NaN: force the quiet bit so that a payload living only in the low
    // bits cannot turn into inf.
    return static_cast<uint16_t>(sign | 0x7e00u | ((magnitude >> 13) & 0x3ffu));
  }
  // 65520 is the midpoint between 65504 (max half, odd mantissa) and 65536;
  // ties go to even, i.e. up, to inf.
  if (magnitude >= 0x477ff000u) return static_cast<uint16_t>(sign | 0x7c00u);

  if (magnitude < 0x38800000u) {
    // Below 2^-14: a half subnormal (units of 2^-24) or zero. 2^-25 is the
    // midpoint between 0 and the smallest subnormal and ties to 0.
    if (magnitude <= 0x33000000u) return sign;
    const uint32_t exponent = magnitude >> 23;  // 102 .. 112
    const uint32_t significand = (magnitude & 0x7fffffu) | 0x800000u;
    const uint32_t shift = 126u - exponent;  // 14 .. 24
    uint32_t result = significand >> shift;
    const uint32_t remainder = significand & ((1u << shift) - 1u);
    const uint32_t halfway = 1u << (shift - 1u);
    if (remainder > halfway || (remainder == halfway && (result & 1u))) {
      ++result;  // may carry into 0x400, the smallest normal: still correct
    }
    return static_cast<uint16_t>(sign | result);
  }

  // Normal: rebias the exponent (127 -> 15) and drop 13 mantissa bits. A
  // carry out of the mantissa correctly bumps the exponent.
  uint32_t result = (magnitude - 0x38000000u) >> 13;
  const uint32_t remainder = magnitude & 0x1fffu;
  if (remainder > 0x1000u || (remainder == 0x1000u && (result & 1u))) {
    ++result;
  }
  return static_cast<uint16_t>(sign | result);
}

}  // namespace opscope::reference
