// TFLite's MultiplyByQuantizedMultiplier on 8 int32 lanes with AVX2, with
// the same bits as the scalar helpers of reference/kernels/int8/
// fixed_point.h (see requantize_avx512.h for the arithmetic; the high
// multiply's bits 31..62 are taken with logical 64-bit shifts, which AVX2
// has). Included only by *_avx2.cc files.
#pragma once

#include <immintrin.h>

#include <cstdint>

// In a namespace of its own: the AVX2 and AVX-512 headers define the same
// names, and inline functions with equal signatures would otherwise be
// merged by the linker across the two ISAs' files.
namespace opscope::native::ukernels::avx2 {

struct Stage {
  __m256i mult, left, right, rmask, rhalf;
};

inline Stage make_stage(__m256i mult, __m256i left, __m256i right) {
  Stage s;
  s.mult = mult;
  s.left = left;
  s.right = right;
  s.rmask =
      _mm256_sub_epi32(_mm256_sllv_epi32(_mm256_set1_epi32(1), s.right), _mm256_set1_epi32(1));
  s.rhalf = _mm256_srli_epi32(s.rmask, 1);
  return s;
}

inline __m256i requantize(__m256i x, const Stage& s) {
  const __m256i zero = _mm256_setzero_si256();
  __m256i shifted = _mm256_sllv_epi32(x, s.left);
  const __m256i overflow = _mm256_xor_si256(
      _mm256_cmpeq_epi32(_mm256_srav_epi32(shifted, s.left), x), _mm256_set1_epi32(-1));
  const __m256i saturated = _mm256_blendv_epi8(
      _mm256_set1_epi32(INT32_MAX), _mm256_set1_epi32(INT32_MIN), _mm256_cmpgt_epi32(zero, x));
  shifted = _mm256_blendv_epi8(shifted, saturated, overflow);
  const __m256i nudge = _mm256_set1_epi64x(int64_t{1} << 30);
  const __m256i even = _mm256_add_epi64(_mm256_mul_epi32(shifted, s.mult), nudge);
  const __m256i odd = _mm256_add_epi64(
      _mm256_mul_epi32(_mm256_srli_epi64(shifted, 32), _mm256_srli_epi64(s.mult, 32)), nudge);
  const __m256i high =
      _mm256_blend_epi32(_mm256_srli_epi64(even, 31), _mm256_slli_epi64(odd, 1), 0xAA);
  const __m256i remainder = _mm256_and_si256(high, s.rmask);
  // threshold = rhalf + [high < 0]; the compares give -1 where true.
  const __m256i threshold = _mm256_sub_epi32(s.rhalf, _mm256_cmpgt_epi32(zero, high));
  const __m256i q = _mm256_srav_epi32(high, s.right);
  return _mm256_sub_epi32(q, _mm256_cmpgt_epi32(remainder, threshold));
}

inline Stage load_stage(const int32_t* mult, const int32_t* left, const int32_t* right) {
  return make_stage(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(mult)),
                    _mm256_loadu_si256(reinterpret_cast<const __m256i*>(left)),
                    _mm256_loadu_si256(reinterpret_cast<const __m256i*>(right)));
}

}  // namespace opscope::native::ukernels::avx2
