// TFLite's MultiplyByQuantizedMultiplier on 16 int32 lanes with AVX-512,
// with the same bits as the scalar helpers of
// reference/kernels/int8/fixed_point.h. Included only by *_avx512.cc files.
//   - the saturating left shift (x * 2^l, saturated where it overflows);
//   - SaturatingRoundingDoublingHighMul(x, m) = (x * m + 2^30) >> 31 in 64
//     bits, which equals TFLite's nudge-and-truncate for both signs (m >= 0
//     here, so the INT32_MIN * INT32_MIN case cannot occur);
//   - RoundingDivideByPOT with ties away from zero.
#pragma once

#include <immintrin.h>

#include <cstdint>

// In a namespace of its own: the AVX2 and AVX-512 headers define the same
// names, and inline functions with equal signatures would otherwise be
// merged by the linker across the two ISAs' files.
namespace opscope::native::ukernels::avx512 {

// Per-lane multiplier: mantissa, left shift max(shift, 0), right shift
// max(-shift, 0), and the rounding's mask and half.
struct Stage {
  __m512i mult, left, right, rmask, rhalf;
};

inline Stage make_stage(__m512i mult, __m512i left, __m512i right) {
  Stage s;
  s.mult = mult;
  s.left = left;
  s.right = right;
  // (1 << right) - 1 and its half.
  s.rmask =
      _mm512_sub_epi32(_mm512_sllv_epi32(_mm512_set1_epi32(1), s.right), _mm512_set1_epi32(1));
  s.rhalf = _mm512_srli_epi32(s.rmask, 1);
  return s;
}

template <bool kLeftShift>
inline __m512i requantize(__m512i x, const Stage& s) {
  __m512i shifted = x;
  if constexpr (kLeftShift) {
    // x * 2^left, saturated.
    shifted = _mm512_sllv_epi32(x, s.left);
    const __mmask16 overflow = _mm512_cmpneq_epi32_mask(_mm512_srav_epi32(shifted, s.left), x);
    const __m512i saturated =
        _mm512_mask_blend_epi32(_mm512_cmplt_epi32_mask(x, _mm512_setzero_si512()),
                                _mm512_set1_epi32(INT32_MAX), _mm512_set1_epi32(INT32_MIN));
    shifted = _mm512_mask_mov_epi32(shifted, overflow, saturated);
  }
  // High mul: even lanes, then odd lanes moved down.
  const __m512i nudge = _mm512_set1_epi64(int64_t{1} << 30);
  const __m512i even = _mm512_add_epi64(_mm512_mul_epi32(shifted, s.mult), nudge);
  const __m512i odd = _mm512_add_epi64(
      _mm512_mul_epi32(_mm512_srli_epi64(shifted, 32), _mm512_srli_epi64(s.mult, 32)), nudge);
  const __m512i high = _mm512_mask_blend_epi32(__mmask16{0xAAAA}, _mm512_srli_epi64(even, 31),
                                               _mm512_slli_epi64(odd, 1));
  // Rounding divide by 2^right, ties away from zero.
  const __m512i remainder = _mm512_and_si512(high, s.rmask);
  const __m512i one = _mm512_set1_epi32(1);
  const __m512i threshold = _mm512_mask_add_epi32(
      s.rhalf, _mm512_cmplt_epi32_mask(high, _mm512_setzero_si512()), s.rhalf, one);
  const __m512i q = _mm512_srav_epi32(high, s.right);
  return _mm512_mask_add_epi32(q, _mm512_cmpgt_epi32_mask(remainder, threshold), q, one);
}

inline Stage load_stage(const int32_t* mult, const int32_t* left, const int32_t* right) {
  return make_stage(_mm512_loadu_si512(mult), _mm512_loadu_si512(left), _mm512_loadu_si512(right));
}

}  // namespace opscope::native::ukernels::avx512
