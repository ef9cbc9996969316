// ADD and MUL int8 row microkernel, AVX2: 8 elements per step in int32
// lanes (the last partial step goes through small buffers; a step of 0
// broadcasts the operand's one value), the arithmetic of
// native_ukernels.h's BinaryParams and requantize_avx2.h.
#include <immintrin.h>

#include <cstring>

#include "engine/backends/native/kernels/native_ukernels.h"
#include "engine/backends/native/kernels/requantize_avx2.h"

namespace opscope::native::ukernels {
namespace {

using avx2::load_stage;
using avx2::make_stage;
using avx2::requantize;
using avx2::Stage;

// MBQM(d << 20, m), no left shift, |d| <= 255 (binary_i8_avx512.cc).
struct Prescale {
  __m256i hi, lo, rmask, rhalf;
  __m128i right;
};

Prescale make_prescale(int32_t mult, int32_t right) {
  Prescale s;
  s.hi = _mm256_set1_epi32(mult >> 16);
  s.lo = _mm256_set1_epi32(mult & 0xFFFF);
  s.rmask = _mm256_set1_epi32(static_cast<int32_t>((int64_t{1} << right) - 1));
  s.rhalf = _mm256_srli_epi32(s.rmask, 1);
  s.right = _mm_cvtsi32_si128(right);
  return s;
}

inline __m256i prescale(__m256i d, const Prescale& s) {
  const __m256i t = _mm256_add_epi32(
      _mm256_slli_epi32(_mm256_mullo_epi32(d, s.hi), 5),
      _mm256_srai_epi32(_mm256_add_epi32(_mm256_mullo_epi32(d, s.lo), _mm256_set1_epi32(1 << 10)),
                        11));
  const __m256i zero = _mm256_setzero_si256();
  const __m256i remainder = _mm256_and_si256(t, s.rmask);
  // The compares give -1 where true.
  const __m256i threshold = _mm256_sub_epi32(s.rhalf, _mm256_cmpgt_epi32(zero, t));
  const __m256i q = _mm256_sra_epi32(t, s.right);
  return _mm256_sub_epi32(q, _mm256_cmpgt_epi32(remainder, threshold));
}

inline __m256i load8(const int8_t* p, int64_t step, int64_t n) {
  if (step == 0) return _mm256_set1_epi32(p[0]);
  if (n >= 8) return _mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p)));
  int8_t buf[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  std::memcpy(buf, p, static_cast<size_t>(n));
  return _mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(buf)));
}

// The 8 int32 lanes of v (already within [-128, 127]) as bytes at out:
// all 8, or the first `left` when fewer remain.
inline void store8(int8_t* out, __m256i v, int64_t left) {
  const __m128i p16 = _mm_packs_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  const __m128i p8 = _mm_packs_epi16(p16, p16);
  if (left >= 8) {
    _mm_storel_epi64(reinterpret_cast<__m128i*>(out), p8);
  } else {
    int8_t buf[16];
    _mm_storeu_si128(reinterpret_cast<__m128i*>(buf), p8);
    std::memcpy(out, buf, static_cast<size_t>(left));
  }
}

template <bool kMul>
void row(const BinaryParams& p, const int8_t* a, int64_t a_step, const int8_t* b, int64_t b_step,
         int8_t* out, int64_t n) {
  const __m256i a_zp = _mm256_set1_epi32(p.a_zp), b_zp = _mm256_set1_epi32(p.b_zp);
  const __m256i y_zp = _mm256_set1_epi32(p.y_zp);
  const __m256i lo = _mm256_set1_epi32(p.act_min), hi = _mm256_set1_epi32(p.act_max);
  const Stage ys = make_stage(_mm256_set1_epi32(p.y_mult), _mm256_set1_epi32(p.y_left),
                              _mm256_set1_epi32(p.y_right));
  const Prescale as = make_prescale(p.a_mult, p.a_right);
  const Prescale bs = make_prescale(p.b_mult, p.b_right);
  for (int64_t i = 0; i < n; i += 8) {
    const int64_t left = n - i;
    const __m256i da = _mm256_sub_epi32(load8(a + i * a_step, a_step, left), a_zp);
    const __m256i db = _mm256_sub_epi32(load8(b + i * b_step, b_step, left), b_zp);
    __m256i raw;
    if constexpr (kMul) {
      raw = _mm256_mullo_epi32(da, db);
    } else {
      raw = _mm256_add_epi32(prescale(da, as), prescale(db, bs));
    }
    __m256i v = _mm256_add_epi32(requantize(raw, ys), y_zp);
    v = _mm256_min_epi32(_mm256_max_epi32(v, lo), hi);
    store8(out + i, v, left);
  }
}

// ONNX Runtime's float form (BinaryParams::float_mode; the reference's
// binary_int8.cc) on 8 lanes: the same conversions, products, explicit
// fused multiply-adds (ADD) and separate multiply and add (MUL: this file
// is compiled with -ffp-contract=off), clamp and cvtps2dq's round half to
// even.
template <bool kMul>
void row_float(const BinaryParams& p, const int8_t* a, int64_t a_step, const int8_t* b,
               int64_t b_step, int8_t* out, int64_t n) {
  const __m256i off = _mm256_set1_epi32(p.offset);
  const __m256i a_zp = _mm256_set1_epi32(p.a_zp), b_zp = _mm256_set1_epi32(p.b_zp);
  const __m256 ra = _mm256_set1_ps(p.ra), rb = _mm256_set1_ps(p.rb);
  const __m256 fixed = _mm256_set1_ps(p.fixed);
  const __m256 flo = _mm256_set1_ps(static_cast<float>(-128 + p.offset));
  const __m256 fhi = _mm256_set1_ps(static_cast<float>(127 + p.offset));
  const __m256i lo = _mm256_set1_epi32(p.act_min), hi = _mm256_set1_epi32(p.act_max);
  for (int64_t i = 0; i < n; i += 8) {
    const int64_t left = n - i;
    const __m256i va = load8(a + i * a_step, a_step, left);
    const __m256i vb = load8(b + i * b_step, b_step, left);
    __m256 v;
    if constexpr (kMul) {
      const __m256i prod =
          _mm256_mullo_epi32(_mm256_sub_epi32(va, a_zp), _mm256_sub_epi32(vb, b_zp));
      v = _mm256_add_ps(_mm256_mul_ps(_mm256_cvtepi32_ps(prod), ra), fixed);
    } else {
      const __m256 ua = _mm256_cvtepi32_ps(_mm256_add_epi32(va, off));
      const __m256 ub = _mm256_cvtepi32_ps(_mm256_add_epi32(vb, off));
      v = _mm256_fmadd_ps(ua, ra, _mm256_fmadd_ps(ub, rb, fixed));
    }
    v = _mm256_min_ps(_mm256_max_ps(v, flo), fhi);
    __m256i q = _mm256_sub_epi32(_mm256_cvtps_epi32(v), off);
    q = _mm256_min_epi32(_mm256_max_epi32(q, lo), hi);
    store8(out + i, q, left);
  }
}

}  // namespace

void binary_i8_row_avx2(const BinaryParams& p, const int8_t* a, int64_t a_step, const int8_t* b,
                        int64_t b_step, int8_t* out, int64_t n) {
  if (p.float_mode) {
    if (p.mul) {
      row_float<true>(p, a, a_step, b, b_step, out, n);
    } else {
      row_float<false>(p, a, a_step, b, b_step, out, n);
    }
    return;
  }
  if (p.mul) {
    row<true>(p, a, a_step, b, b_step, out, n);
  } else {
    row<false>(p, a, a_step, b, b_step, out, n);
  }
}

}  // namespace opscope::native::ukernels
