// ADD and MUL int8 row microkernel, AVX-512: 16 elements per step in int32
// lanes (masked loads and stores for the tail; a step of 0 broadcasts the
// operand's one value), the arithmetic of native_ukernels.h's BinaryParams
// and requantize_avx512.h.
// GCC 12 warns falsely about the intrinsics' _mm512_undefined_*() (GCC bug
// 105593).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif

#include <immintrin.h>

#include <utility>

#include "engine/backends/native/kernels/native_ukernels.h"
#include "engine/backends/native/kernels/requantize_avx512.h"

namespace opscope::native::ukernels {
namespace {

using avx512::load_stage;
using avx512::make_stage;
using avx512::requantize;
using avx512::Stage;

// MBQM(d << 20, m) for m = hi * 2^16 + lo < 2^31, no left shift, |d| <= 255:
// SRDHM exactly in int32, then the rounding divide by 2^right.
struct Prescale {
  __m512i hi, lo, rmask, rhalf;
  __m128i right;
};

Prescale make_prescale(int32_t mult, int32_t right) {
  Prescale s;
  s.hi = _mm512_set1_epi32(mult >> 16);
  s.lo = _mm512_set1_epi32(mult & 0xFFFF);
  s.rmask = _mm512_set1_epi32(static_cast<int32_t>((int64_t{1} << right) - 1));
  s.rhalf = _mm512_srli_epi32(s.rmask, 1);
  s.right = _mm_cvtsi32_si128(right);
  return s;
}

inline __m512i prescale(__m512i d, const Prescale& s) {
  const __m512i t = _mm512_add_epi32(
      _mm512_slli_epi32(_mm512_mullo_epi32(d, s.hi), 5),
      _mm512_srai_epi32(_mm512_add_epi32(_mm512_mullo_epi32(d, s.lo), _mm512_set1_epi32(1 << 10)),
                        11));
  const __m512i one = _mm512_set1_epi32(1);
  const __m512i remainder = _mm512_and_si512(t, s.rmask);
  const __m512i threshold = _mm512_mask_add_epi32(
      s.rhalf, _mm512_cmplt_epi32_mask(t, _mm512_setzero_si512()), s.rhalf, one);
  const __m512i q = _mm512_sra_epi32(t, s.right);
  return _mm512_mask_add_epi32(q, _mm512_cmpgt_epi32_mask(remainder, threshold), q, one);
}

inline __m512i load16(const int8_t* p, int64_t step, __mmask16 m) {
  return step == 0 ? _mm512_set1_epi32(p[0]) : _mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(m, p));
}

// Output stages (template argument kStage): TFLite's two roundings without
// or with a left shift, or MUL's one-rounding form (BinaryParams::mul_short).
constexpr int kTwoRound = 0, kTwoRoundLeft = 1, kShort = 2;

// The constants of one BinaryParams, set up once per call.
struct Setup {
  __m512i a_zp, b_zp, y_zp, lo, hi;
  Stage ys;
  Prescale as, bs;
  __m512i s_mult, s_mult_odd, s_add, s_neg;
  __m128i s_shift, lo8, hi8;
  bool s_signed;
  explicit Setup(const BinaryParams& p)
      : a_zp(_mm512_set1_epi32(p.a_zp)),
        b_zp(_mm512_set1_epi32(p.b_zp)),
        y_zp(_mm512_set1_epi32(p.y_zp)),
        lo(_mm512_set1_epi32(p.act_min)),
        hi(_mm512_set1_epi32(p.act_max)),
        ys(make_stage(_mm512_set1_epi32(p.y_mult), _mm512_set1_epi32(p.y_left),
                      _mm512_set1_epi32(p.y_right))),
        as(make_prescale(p.a_mult, p.a_right)),
        bs(make_prescale(p.b_mult, p.b_right)),
        s_mult(_mm512_set1_epi64(p.y_mult)),
        s_mult_odd(_mm512_set1_epi64(p.y_mult)),
        s_add(_mm512_set1_epi64(p.short_add)),
        s_neg(_mm512_set1_epi64(p.short_neg)),
        s_shift(_mm_cvtsi32_si128(p.short_shift)),
        lo8(_mm_set1_epi8(static_cast<char>(p.act_min))),
        hi8(_mm_set1_epi8(static_cast<char>(p.act_max))),
        s_signed(p.short_neg != 0) {}
};

// BinaryParams::mul_short on 16 products: even and odd lanes' 64-bit
// products, one arithmetic shift each, the odd results' low halves put
// into the odd lanes; the zero point is in the offset.
inline __m512i short_stage(__m512i raw, const Setup& st) {
  const __m512i te = _mm512_mul_epi32(raw, st.s_mult);
  const __m512i to = _mm512_mul_epi32(_mm512_srli_epi64(raw, 32), st.s_mult_odd);
  __m512i ue = _mm512_add_epi64(te, st.s_add);
  __m512i uo = _mm512_add_epi64(to, st.s_add);
  if (st.s_signed) {
    ue = _mm512_mask_sub_epi64(ue, _mm512_movepi64_mask(te), ue, st.s_neg);
    uo = _mm512_mask_sub_epi64(uo, _mm512_movepi64_mask(to), uo, st.s_neg);
  }
  ue = _mm512_sra_epi64(ue, st.s_shift);
  uo = _mm512_sra_epi64(uo, st.s_shift);
  return _mm512_mask_shuffle_epi32(ue, 0xAAAA, uo, _MM_PERM_CDAB);
}

// a' (ADD: prescaled; MUL: a - a_zp) of 16 elements.
template <bool kMul>
inline __m512i prepared(__m512i d, const Prescale& s) {
  if constexpr (kMul) {
    return d;
  } else {
    return prescale(d, s);
  }
}

// y of 16 elements from a' and b', stored under m.
template <bool kMul, int kStage>
inline void finish(const Setup& st, __m512i pa, __m512i pb, __mmask16 m, int8_t* out) {
  const __m512i raw = kMul ? _mm512_mullo_epi32(pa, pb) : _mm512_add_epi32(pa, pb);
  if constexpr (kStage == kShort) {
    // Saturated to int8, then clamped as bytes: the same bytes.
    __m128i y = _mm512_cvtsepi32_epi8(short_stage(raw, st));
    y = _mm_min_epi8(_mm_max_epi8(y, st.lo8), st.hi8);
    _mm_mask_storeu_epi8(out, m, y);
  } else {
    __m512i v = _mm512_add_epi32(requantize<kStage == kTwoRoundLeft>(raw, st.ys), st.y_zp);
    v = _mm512_min_epi32(_mm512_max_epi32(v, st.lo), st.hi);
    _mm_mask_storeu_epi8(out, m, _mm512_cvtsepi32_epi8(v));
  }
}

inline __mmask16 tail_mask(int64_t left) {
  return left >= 16 ? __mmask16{0xFFFF} : static_cast<__mmask16>((1u << left) - 1);
}

template <bool kMul, int kStage>
void row(const BinaryParams& p, const int8_t* a, int64_t a_step, const int8_t* b, int64_t b_step,
         int8_t* out, int64_t n) {
  const Setup st(p);
  for (int64_t i = 0; i < n; i += 16) {
    const __mmask16 m = tail_mask(n - i);
    const __m512i da = _mm512_sub_epi32(load16(a + i * a_step, a_step, m), st.a_zp);
    const __m512i db = _mm512_sub_epi32(load16(b + i * b_step, b_step, m), st.b_zp);
    finish<kMul, kStage>(st, prepared<kMul>(da, st.as), prepared<kMul>(db, st.bs), m, out + i);
  }
}

// binary_i8_rows_avx512 with b the repeated row (b_row 0). For ADD, a and b
// are symmetric once their zero points and prescales are swapped, which
// the caller does for a repeated a.
template <bool kMul, int kStage>
void rows_repeat_b(const BinaryParams& p, const int8_t* a, const int8_t* b, int8_t* out,
                   int64_t inner, int64_t outer) {
  const Setup st(p);
  if (inner <= 64) {
    // b' of the whole row in registers.
    __m512i pb[4];
    for (int k = 0; k < 4; ++k) {
      const int64_t i = 16 * k;
      const __mmask16 m = i < inner ? tail_mask(inner - i) : 0;
      pb[k] = prepared<kMul>(
          _mm512_sub_epi32(_mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(m, b + i)), st.b_zp), st.bs);
    }
    for (int64_t o = 0; o < outer; ++o) {
      const int8_t* ar = a + o * inner;
      int8_t* y = out + o * inner;
      for (int k = 0; k < 4 && 16 * k < inner; ++k) {
        const int64_t i = 16 * k;
        const __mmask16 m = tail_mask(inner - i);
        const __m512i da =
            _mm512_sub_epi32(_mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(m, ar + i)), st.a_zp);
        finish<kMul, kStage>(st, prepared<kMul>(da, st.as), pb[k], m, y + i);
      }
    }
    return;
  }
  for (int64_t o = 0; o < outer; ++o) {
    const int8_t* ar = a + o * inner;
    int8_t* y = out + o * inner;
    for (int64_t i = 0; i < inner; i += 16) {
      const __mmask16 m = tail_mask(inner - i);
      const __m512i da =
          _mm512_sub_epi32(_mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(m, ar + i)), st.a_zp);
      const __m512i db =
          _mm512_sub_epi32(_mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(m, b + i)), st.b_zp);
      finish<kMul, kStage>(st, prepared<kMul>(da, st.as), prepared<kMul>(db, st.bs), m, y + i);
    }
  }
}

// ONNX Runtime's float form (BinaryParams::float_mode; the reference's
// binary_int8.cc) on 16 lanes: binary_i8_avx2.cc's row_float, lane for
// lane (explicit fused multiply-adds for ADD, a separate multiply and add
// for MUL: this file is compiled with -ffp-contract=off).
template <bool kMul>
void row_float(const BinaryParams& p, const int8_t* a, int64_t a_step, const int8_t* b,
               int64_t b_step, int8_t* out, int64_t n) {
  const __m512i off = _mm512_set1_epi32(p.offset);
  const __m512i a_zp = _mm512_set1_epi32(p.a_zp), b_zp = _mm512_set1_epi32(p.b_zp);
  const __m512 ra = _mm512_set1_ps(p.ra), rb = _mm512_set1_ps(p.rb);
  const __m512 fixed = _mm512_set1_ps(p.fixed);
  const __m512 flo = _mm512_set1_ps(static_cast<float>(-128 + p.offset));
  const __m512 fhi = _mm512_set1_ps(static_cast<float>(127 + p.offset));
  const __m512i lo = _mm512_set1_epi32(p.act_min), hi = _mm512_set1_epi32(p.act_max);
  for (int64_t i = 0; i < n; i += 16) {
    const __mmask16 m = tail_mask(n - i);
    const __m512i va = load16(a + i * a_step, a_step, m);
    const __m512i vb = load16(b + i * b_step, b_step, m);
    __m512 v;
    if constexpr (kMul) {
      const __m512i prod =
          _mm512_mullo_epi32(_mm512_sub_epi32(va, a_zp), _mm512_sub_epi32(vb, b_zp));
      v = _mm512_add_ps(_mm512_mul_ps(_mm512_cvtepi32_ps(prod), ra), fixed);
    } else {
      const __m512 ua = _mm512_cvtepi32_ps(_mm512_add_epi32(va, off));
      const __m512 ub = _mm512_cvtepi32_ps(_mm512_add_epi32(vb, off));
      v = _mm512_fmadd_ps(ua, ra, _mm512_fmadd_ps(ub, rb, fixed));
    }
    v = _mm512_min_ps(_mm512_max_ps(v, flo), fhi);
    __m512i q = _mm512_sub_epi32(_mm512_cvtps_epi32(v), off);
    q = _mm512_min_epi32(_mm512_max_epi32(q, lo), hi);
    _mm_mask_storeu_epi8(out + i, m, _mm512_cvtepi32_epi8(q));
  }
}

void row_float_any(const BinaryParams& p, const int8_t* a, int64_t a_step, const int8_t* b,
                   int64_t b_step, int8_t* out, int64_t n) {
  if (p.mul) {
    row_float<true>(p, a, a_step, b, b_step, out, n);
  } else {
    row_float<false>(p, a, a_step, b, b_step, out, n);
  }
}

}  // namespace

void binary_i8_row_avx512(const BinaryParams& p, const int8_t* a, int64_t a_step, const int8_t* b,
                          int64_t b_step, int8_t* out, int64_t n) {
  if (p.float_mode) {
    row_float_any(p, a, a_step, b, b_step, out, n);
    return;
  }
  if (p.mul) {
    if (p.mul_short) {
      row<true, kShort>(p, a, a_step, b, b_step, out, n);
    } else if (p.y_left > 0) {
      row<true, kTwoRoundLeft>(p, a, a_step, b, b_step, out, n);
    } else {
      row<true, kTwoRound>(p, a, a_step, b, b_step, out, n);
    }
  } else if (p.y_left > 0) {
    row<false, kTwoRoundLeft>(p, a, a_step, b, b_step, out, n);
  } else {
    row<false, kTwoRound>(p, a, a_step, b, b_step, out, n);
  }
}

void binary_i8_rows_avx512(const BinaryParams& p, const int8_t* a, int64_t a_row, const int8_t* b,
                           int64_t b_row, int8_t* out, int64_t inner, int64_t outer) {
  if (p.float_mode) {
    // ADD's float form is not symmetric in (a, b): no swap, a row a call.
    for (int64_t o = 0; o < outer; ++o) {
      row_float_any(p, a + o * a_row, 1, b + o * b_row, 1, out + o * inner, inner);
    }
    return;
  }
  BinaryParams q = p;
  if (a_row == 0 && b_row != 0) {
    // The repeated row as b: both ops are symmetric in (a, b) with their
    // zero points and prescales.
    std::swap(a, b);
    std::swap(q.a_zp, q.b_zp);
    std::swap(q.a_mult, q.b_mult);
    std::swap(q.a_right, q.b_right);
  }
  if (q.mul) {
    if (q.mul_short) {
      rows_repeat_b<true, kShort>(q, a, b, out, inner, outer);
    } else if (q.y_left > 0) {
      rows_repeat_b<true, kTwoRoundLeft>(q, a, b, out, inner, outer);
    } else {
      rows_repeat_b<true, kTwoRound>(q, a, b, out, inner, outer);
    }
  } else if (q.y_left > 0) {
    rows_repeat_b<false, kTwoRoundLeft>(q, a, b, out, inner, outer);
  } else {
    rows_repeat_b<false, kTwoRound>(q, a, b, out, inner, outer);
  }
}

namespace {

template <bool kOneSign>
void mul_linear_rows(const MulLinearRows& r, const int8_t* x, int8_t* y, int64_t inner,
                     int64_t outer) {
  const __m512i y_zp = _mm512_set1_epi32(r.y_zp), x_zp = _mm512_set1_epi32(r.x_zp);
  const __m128i lo = _mm_set1_epi8(static_cast<char>(r.act_min));
  const __m128i hi = _mm_set1_epi8(static_cast<char>(r.act_max));
  const int64_t steps = (inner + 15) / 16;
  __m512i vp[4], vqp[4], vqn[4], vt[4];
  __mmask16 m[4], kneg[4];
  for (int64_t k = 0; k < steps; ++k) {
    vp[k] = _mm512_loadu_si512(r.p + 16 * k);
    vqp[k] = _mm512_loadu_si512(r.q_pos + 16 * k);
    vqn[k] = _mm512_loadu_si512(r.q_neg + 16 * k);
    vt[k] = _mm512_loadu_si512(r.t + 16 * k);
    m[k] = tail_mask(inner - 16 * k);
    kneg[k] = static_cast<__mmask16>(r.k_neg >> (16 * k));
  }
  // The int32 results of 16 inputs.
  const auto form = [&](const int8_t* src, int k) __attribute__((always_inline)) {
    const __m512i v = _mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(m[k], src));
    __m512i q = vqp[k];
    if constexpr (!kOneSign) {
      const __mmask16 neg = _kxor_mask16(_mm512_cmplt_epi32_mask(v, x_zp), kneg[k]);
      q = _mm512_mask_blend_epi32(neg, vqp[k], vqn[k]);
    }
    return _mm512_add_epi32(
        _mm512_srav_epi32(_mm512_add_epi32(_mm512_mullo_epi32(v, vp[k]), q), vt[k]), y_zp);
  };
  const auto one = [&](const int8_t* src, int8_t* dst, int k) __attribute__((always_inline)) {
    // Saturated to int8, then clamped as bytes: the same bytes.
    _mm_mask_storeu_epi8(dst, m[k],
                         _mm_min_epi8(_mm_max_epi8(_mm512_cvtsepi32_epi8(form(src, k)), lo), hi));
  };
  if (inner == 16) {
    // Four rows (64 contiguous bytes) at a time, narrowed by the saturating
    // packs (per 128-bit lane) and one dword permute back to row order.
    const __m512i order = _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
    const __m512i lo64 = _mm512_set1_epi8(static_cast<char>(r.act_min));
    const __m512i hi64 = _mm512_set1_epi8(static_cast<char>(r.act_max));
    int64_t o = 0;
    for (; o + 4 <= outer; o += 4) {
      const int8_t* src = x + o * 16;
      const __m512i b = _mm512_packs_epi16(_mm512_packs_epi32(form(src, 0), form(src + 16, 0)),
                                           _mm512_packs_epi32(form(src + 32, 0), form(src + 48, 0)));
      _mm512_storeu_si512(y + o * 16, _mm512_min_epi8(_mm512_max_epi8(
                                          _mm512_permutexvar_epi32(order, b), lo64), hi64));
    }
    for (; o < outer; ++o) one(x + o * 16, y + o * 16, 0);
    return;
  }
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t k = 0; k < steps; ++k) one(x + o * inner + 16 * k, y + o * inner + 16 * k, k);
  }
}

}  // namespace

void mul_linear_rows_avx512(const MulLinearRows& r, const int8_t* x, int8_t* y, int64_t inner,
                            int64_t outer) {
  if (r.one_sign) {
    mul_linear_rows<true>(r, x, y, inner, outer);
  } else {
    mul_linear_rows<false>(r, x, y, inner, outer);
  }
}

}  // namespace opscope::native::ukernels
