// The native int8 GEMM's requantization on 256-bit vectors, shared by the
// AVX2 and AVX-VNNI microkernel files (each compiles it with its own flags:
// static functions, so the two copies never merge). requantize_one
// (qgemm_requant.h) lane by lane; include only from *_avx2.cc / *_avxvnni.cc.
#pragma once

#include <immintrin.h>

#include <climits>
#include <cstring>

#include "engine/backends/native/qgemm.h"

namespace opscope::native {

struct Params8 {
  __m256i bias, mult, lshift, rshift, rmask, rhalf;
  __m256 scale;  // rq.float_mode only
};

static inline Params8 load_params8(const QGemmRequant& rq, int64_t col) {
  auto ld = [col](const AlignedVector<int32_t>& v) {
    return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(v.data() + col));
  };
  return Params8{ld(rq.bias), ld(rq.multiplier), ld(rq.left_shift),
                 ld(rq.right_shift), ld(rq.rmask), ld(rq.rhalf),
                 rq.float_mode ? _mm256_loadu_ps(rq.float_scale.data() + col)
                               : _mm256_setzero_ps()};
}

// requantize_float (fixed_point.h) lane by lane: rq.float_mode.
static inline __m256i requant8_float(__m256i x, const Params8& p, const QGemmRequant& rq) {
  __m256 f = _mm256_mul_ps(_mm256_cvtepi32_ps(x), p.scale);
  f = _mm256_max_ps(f, _mm256_set1_ps(static_cast<float>(rq.min - rq.output_zp)));
  f = _mm256_min_ps(f, _mm256_set1_ps(static_cast<float>(rq.max - rq.output_zp)));
  return _mm256_add_epi32(_mm256_cvtps_epi32(f), _mm256_set1_epi32(rq.output_zp));
}

static inline __m256i requant8(__m256i acc, const Params8& p, const QGemmRequant& rq) {
  __m256i x = _mm256_add_epi32(acc, p.bias);
  if (rq.float_mode) return requant8_float(x, p, rq);
  if (rq.any_left_shift) {
    const __m256i s = _mm256_sllv_epi32(x, p.lshift);
    const __m256i same = _mm256_cmpeq_epi32(_mm256_srav_epi32(s, p.lshift), x);
    const __m256i sat = _mm256_xor_si256(_mm256_srai_epi32(x, 31), _mm256_set1_epi32(INT_MAX));
    x = _mm256_blendv_epi8(sat, s, same);
  }
  // floor((x * m + 2^30) / 2^31), see qgemm_avx512.cc.
  const __m256i nudge = _mm256_set1_epi64x(int64_t{1} << 30);
  const __m256i even =
      _mm256_srli_epi64(_mm256_add_epi64(_mm256_mul_epi32(x, p.mult), nudge), 31);
  const __m256i odd = _mm256_srli_epi64(
      _mm256_add_epi64(
          _mm256_mul_epi32(_mm256_srli_epi64(x, 32), _mm256_srli_epi64(p.mult, 32)), nudge),
      31);
  x = _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA);
  const __m256i rem = _mm256_and_si256(x, p.rmask);
  const __m256i threshold = _mm256_sub_epi32(p.rhalf, _mm256_srai_epi32(x, 31));
  const __m256i up = _mm256_cmpgt_epi32(rem, threshold);  // -1 where rounding up
  x = _mm256_sub_epi32(_mm256_srav_epi32(x, p.rshift), up);
  x = _mm256_add_epi32(x, _mm256_set1_epi32(rq.output_zp));
  x = _mm256_max_epi32(x, _mm256_set1_epi32(rq.min));
  return _mm256_min_epi32(x, _mm256_set1_epi32(rq.max));
}

// Stores channels [0, nc) (nc <= 16) of two 8-lane results already
// clamped to int8's range.
static inline void store16(int8_t* y, __m256i lo, __m256i hi, int64_t nc) {
  const __m256i s16 = _mm256_permute4x64_epi64(_mm256_packs_epi32(lo, hi), 0xD8);
  const __m128i s8 =
      _mm_packs_epi16(_mm256_castsi256_si128(s16), _mm256_extracti128_si256(s16, 1));
  if (nc == 16) {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(y), s8);
  } else {
    alignas(16) int8_t tmp[16];
    _mm_store_si128(reinterpret_cast<__m128i*>(tmp), s8);
    std::memcpy(y, tmp, static_cast<size_t>(nc));
  }
}

}  // namespace opscope::native
